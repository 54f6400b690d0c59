#!/usr/bin/env bash
# Builds the local base images that stand in for public ones where no image
# registry is reachable: local/debian:bookworm (debootstrap), then
# local/node:24, local/python:3, local/nginx:1, local/haproxy:2 and
# local/postgres:15 on top of it. Generated Dockerfiles name the real public
# images and take a BASE_IMAGE build argument, so tests swap these in.
# Idempotent: an image that exists is kept.
set -euo pipefail
cd "$(dirname "$0")/.."

have() { docker image inspect "$1" >/dev/null 2>&1; }
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
CA_BUNDLE="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"

if ! have local/debian:bookworm; then
  command -v debootstrap >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
  root="$(mktemp -d)"
  echo "debootstrap bookworm into $root" >&2
  debootstrap --variant=minbase --include=ca-certificates bookworm "$root" "$MIRROR" >/tmp/strato-debootstrap.log 2>&1 \
    || { tail -20 /tmp/strato-debootstrap.log >&2; exit 1; }
  # Trust the host's CA bundle, so builds behind a TLS-inspecting proxy reach package registries.
  cp "$CA_BUNDLE" "$root/etc/ssl/certs/ca-certificates.crt"
  rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/bash"]' - local/debian:bookworm >/dev/null
  rm -rf "$root"
fi

ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT

if ! have local/node:24; then
  node_bin="$(node -p 'process.execPath')"
  mkdir -p "$ctx/node"
  cp "$node_bin" "$ctx/node/node"
  cp -r "$(dirname "$(readlink -f "$(command -v npm)")")/.." "$ctx/node/npm"
  cat >"$ctx/node/Dockerfile" <<'DOCKERFILE'
FROM local/debian:bookworm
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --create-home node
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
DOCKERFILE
  docker build -q -t local/node:24 "$ctx/node" >/dev/null
fi

apt_image() { # name packages...
  local name="$1"; shift
  have "$name" && return 0
  mkdir -p "$ctx/$name"
  printf 'FROM local/debian:bookworm\nRUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends %s >/dev/null && rm -rf /var/lib/apt/lists/*\n' "$*" >"$ctx/$name/Dockerfile"
  docker build -q -t "$name" "$ctx/$name" >/dev/null
}

apt_image local/python:3 python3 python3-venv python3-pip
apt_image local/nginx:1 nginx
apt_image local/haproxy:2 haproxy

# The stand-ins' version: bump it when an entrypoint changes, so hosts that built an older one rebuild.
stand_in_version=4
current_stand_in() { [ "$(docker image inspect --format '{{index .Config.Labels "strato.stand-in"}}' "$1" 2>/dev/null)" = "$stand_in_version" ]; }

# local/postgres:15: Debian's postgresql-15 with an entrypoint that honours
# POSTGRES_PASSWORD, POSTGRES_USER and POSTGRES_DB like the official image, and,
# like it, runs as root (then drops to postgres) or directly as postgres (--user postgres).
if ! current_stand_in local/postgres:15; then
  mkdir -p "$ctx/postgres"
  cat >"$ctx/postgres/entrypoint.sh" <<'ENTRYPOINT'
#!/bin/bash
set -euo pipefail
PGBIN=/usr/lib/postgresql/15/bin
export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-$user}"
# as root: prepare the folders, then run everything as postgres; as postgres already: run it directly
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$1"; else bash -c "$1"; fi; }
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /run/postgresql
  chown -R postgres:postgres "$PGDATA" /run/postgresql
fi
chmod 700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile="$(mktemp)"
  printf '%s' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}" >"$pwfile"
  [ "$(id -u)" != 0 ] || chown postgres "$pwfile"
  as_postgres "$PGBIN/initdb -D '$PGDATA' -U '$user' --pwfile='$pwfile' --auth-local=trust --auth-host=scram-sha-256" >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  if [ "$db" != "postgres" ]; then
    # started directly (not through a function) so that $! is the process that gets the TERM below
    if [ "$(id -u)" = 0 ]; then su postgres -c "exec $PGBIN/postgres -D '$PGDATA' -c listen_addresses=''" & else "$PGBIN/postgres" -D "$PGDATA" -c listen_addresses='' & fi
    pid=$!
    until as_postgres "$PGBIN/pg_isready -q -h /run/postgresql"; do sleep 0.2; done
    as_postgres "psql -q -h /run/postgresql -U '$user' -d postgres -c 'CREATE DATABASE \"$db\"'"
    kill "$pid"; wait "$pid" || true
  fi
fi
if [ "$(id -u)" = 0 ]; then exec su postgres -c "exec $PGBIN/postgres -D '$PGDATA'"; fi
exec "$PGBIN/postgres" -D "$PGDATA"
ENTRYPOINT
  cat >"$ctx/postgres/Dockerfile" <<'DOCKERFILE'
FROM local/debian:bookworm
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null && rm -rf /var/lib/apt/lists/*
# The data folder belongs to postgres, so a new volume mounted there does too (running as postgres works).
RUN mkdir -p /var/lib/postgresql/data /run/postgresql && chown -R postgres:postgres /var/lib/postgresql /run/postgresql && chmod 700 /var/lib/postgresql/data
COPY entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN chmod +x /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:$PATH
LABEL strato.stand-in=STAND_IN_VERSION
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
DOCKERFILE
  sed -i "s/STAND_IN_VERSION/$stand_in_version/" "$ctx/postgres/Dockerfile"
  docker build -q -t local/postgres:15 "$ctx/postgres" >/dev/null
fi

# local/redis:7: Debian's redis-server, for the starter repos' cache (strato new --cache).
apt_image local/redis:7 redis-server

# local/mariadb:10: Debian's MariaDB standing in for MySQL (same protocol and SQL
# for what the starter repos use), with an entrypoint that honours MYSQL_USER,
# MYSQL_PASSWORD and MYSQL_DATABASE like the official image, as root or as mysql (--user mysql).
if ! current_stand_in local/mariadb:10; then
  mkdir -p "$ctx/mariadb"
  cat >"$ctx/mariadb/entrypoint.sh" <<'ENTRYPOINT'
#!/bin/bash
set -euo pipefail
datadir=/var/lib/mysql
as_user=()
if [ "$(id -u)" = 0 ]; then
  mkdir -p /run/mysqld "$datadir"
  chown mysql:mysql /run/mysqld "$datadir"
  as_user=(--user=mysql)
fi
if [ ! -d "$datadir/mysql" ]; then
  # the mysql account may administer too (over the socket), so setup works when started as mysql
  mariadb-install-db "${as_user[@]}" --datadir="$datadir" --skip-test-db --auth-root-authentication-method=socket --auth-root-socket-user=mysql >/dev/null
  mariadbd "${as_user[@]}" --datadir="$datadir" --skip-networking --socket=/run/mysqld/init.sock &
  pid=$!
  until mariadb-admin --socket=/run/mysqld/init.sock ping --silent 2>/dev/null; do sleep 0.2; done
  password=${MYSQL_PASSWORD:?MYSQL_PASSWORD must be set}
  mariadb --socket=/run/mysqld/init.sock <<SQL
CREATE DATABASE IF NOT EXISTS \`${MYSQL_DATABASE:?MYSQL_DATABASE must be set}\`;
CREATE USER '${MYSQL_USER:?MYSQL_USER must be set}'@'%' IDENTIFIED BY '${password//\'/\'\'}';
GRANT ALL ON \`${MYSQL_DATABASE}\`.* TO '${MYSQL_USER}'@'%';
SQL
  kill "$pid"; wait "$pid" || true
fi
exec mariadbd "${as_user[@]}" --datadir="$datadir" --bind-address=0.0.0.0
ENTRYPOINT
  cat >"$ctx/mariadb/Dockerfile" <<'DOCKERFILE'
FROM local/debian:bookworm
# The package creates a data folder at install; the entrypoint makes its own on first start.
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mariadb-server >/dev/null && rm -rf /var/lib/apt/lists/* /var/lib/mysql/*
RUN mkdir -p /run/mysqld /var/lib/mysql && chown mysql:mysql /run/mysqld /var/lib/mysql
COPY entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN chmod +x /usr/local/bin/docker-entrypoint.sh
LABEL strato.stand-in=STAND_IN_VERSION
EXPOSE 3306
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
DOCKERFILE
  sed -i "s/STAND_IN_VERSION/$stand_in_version/" "$ctx/mariadb/Dockerfile"
  docker build -q -t local/mariadb:10 "$ctx/mariadb" >/dev/null
fi

docker images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep '^local/' >&2
