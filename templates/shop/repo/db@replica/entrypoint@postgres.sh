#!/usr/bin/env bash
# Starts PostgreSQL as the primary, or (DB_ROLE=replica) as a hot standby that
# streams from PRIMARY_HOST (port PRIMARY_PORT, default 5432; its own is PGPORT). A new replica first copies the primary with
# pg_basebackup, retrying until the primary accepts it.
set -euo pipefail

if [ "${DB_ROLE:-primary}" != replica ]; then
  exec docker-entrypoint.sh postgres
fi

: "${PRIMARY_HOST:?set PRIMARY_HOST to the host name of the primary}"
: "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  export PGPASSWORD="$REPLICATION_PASSWORD"
  until pg_basebackup --host="$PRIMARY_HOST" --port="${PRIMARY_PORT:-5432}" --username=replicator --pgdata="$PGDATA" \
      --write-recovery-conf --wal-method=stream --checkpoint=fast; do
    echo '{"level":"info","msg":"waiting for the primary to accept a base backup"}'
    rm -rf "${PGDATA:?}"/*
    sleep 2
  done
  unset PGPASSWORD
  chmod 0700 "$PGDATA"
fi
exec postgres
