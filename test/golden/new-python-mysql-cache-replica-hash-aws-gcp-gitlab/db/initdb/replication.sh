# Sourced (not executed) by the image's entrypoint when the data folder is
# created, so docker_process_sql is at hand. The primary forgets the binary log
# of its own set-up (the replica did the same set-up itself) and adds the
# replication user; the replica points itself at the primary.
: "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD}"
replication_password=${REPLICATION_PASSWORD//\'/\'\'}
if [ "${DB_ROLE:-primary}" = replica ]; then
  docker_process_sql --database=mysql <<SQL
CHANGE REPLICATION SOURCE TO SOURCE_HOST='${PRIMARY_HOST}', SOURCE_USER='replicator', SOURCE_PASSWORD='${replication_password}', SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1;
START REPLICA;
SQL
else
  docker_process_sql --database=mysql <<SQL
RESET BINARY LOGS AND GTIDS;
SET SQL_LOG_BIN=0;
CREATE USER 'replicator'@'%' IDENTIFIED BY '${replication_password}';
GRANT REPLICATION SLAVE ON *.* TO 'replicator'@'%';
SQL
fi
unset replication_password
