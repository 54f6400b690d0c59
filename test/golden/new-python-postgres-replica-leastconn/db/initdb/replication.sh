#!/usr/bin/env bash
# Runs once, when the primary's data folder is created: adds the role the
# replica streams with and lets it connect for replication.
set -euo pipefail
if [ "${DB_ROLE:-primary}" != primary ]; then exit 0; fi
: "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" --set=password="$REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'password';
SQL
echo 'host replication replicator all scram-sha-256' >> "$PGDATA/pg_hba.conf"
