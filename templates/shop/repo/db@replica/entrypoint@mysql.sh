#!/usr/bin/env bash
# Starts MySQL as the primary (binary log on), or (DB_ROLE=replica) as a
# read-only replica of PRIMARY_HOST; both use GTIDs so the replica finds its
# position by itself.
set -euo pipefail
gtid=(--gtid-mode=ON --enforce-gtid-consistency=ON --log-bin=mysql-bin)
if [ "${DB_ROLE:-primary}" = replica ]; then
  # its own port from MYSQL_TCP_PORT, which mysqladmin in the health check reads too
  exec docker-entrypoint.sh mysqld --server-id=2 --port="${MYSQL_TCP_PORT:-3306}" --relay-log=relay-bin --read-only=ON "${gtid[@]}"
fi
exec docker-entrypoint.sh mysqld --server-id=1 "${gtid[@]}"
