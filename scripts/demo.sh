#!/usr/bin/env bash
# The main job, end to end, on a fresh machine with no image registry:
# start Docker, build the local base images, build strato, scaffold the shop,
# deploy it on the local engine behind nginx, wait until it is healthy and
# show a URL that answers. Re-running it updates the same deployment.
#
#   bash scripts/demo.sh            # the shop in a temporary folder
#   DEMO_DIR=./out bash scripts/demo.sh
#   bash scripts/demo.sh --destroy  # remove what the demo deployed
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
say() { printf '\n== %s\n' "$*" >&2; }

out="${DEMO_DIR:-${TMPDIR:-/tmp}/strato-demo}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
shop="$out/shop"
strato() { (cd "$shop" && node "$root/bin/run.js" "$@"); }

say "Docker engine"
bash scripts/setup-docker.sh

if [ "${1:-}" = "--destroy" ]; then
  export PATH="$root/node_modules/.bin:$PATH"
  strato destroy --yes --volumes
  exit 0
fi

# Node 24 comes from npm first: the local node base image is built from it.
say "strato: install and build"
[ -x node_modules/.bin/node ] || npm ci --no-audit --no-fund
export PATH="$root/node_modules/.bin:$PATH"
npm run build >/dev/null

say "Local base images (no registry: built from Debian)"
bash scripts/base-images.sh

say "strato new shop -> $shop"
if [ ! -f "$shop/strato.yaml" ]; then
  CI=1 node "$root/bin/run.js" new shop --dir "$shop" >"$out/new.log" 2>&1 || { cat "$out/new.log" >&2; exit 1; }
fi

# Public images the shop names, mapped to the local ones built above.
cat >"$out/images.yaml" <<'MAP'
node: local/node:24
python: local/python:3
postgres: local/postgres:15
mysql: local/mysql:8
redis: local/redis:7
nginx: local/nginx:1
MAP

# The database password is a secret: generated once, kept out of output and files in the repo.
secret_file="$out/.db-password"
[ -s "$secret_file" ] || { umask 077; node -e 'process.stdout.write(require("node:crypto").randomBytes(18).toString("base64url"))' >"$secret_file"; }
DB_PASSWORD="$(cat "$secret_file")"
export DB_PASSWORD POSTGRES_PASSWORD="$DB_PASSWORD" MYSQL_PASSWORD="$DB_PASSWORD" MYSQL_ROOT_PASSWORD="$DB_PASSWORD"

say "strato deploy (health-gated; waits until every replica is healthy)"
strato deploy --image-map "$out/images.yaml"

say "strato status"
strato status

url="$(strato status --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const rows=JSON.parse(s).services.filter(r=>r.endpoint);const row=rows.find(r=>r.service==="users")??rows[0];process.stdout.write(row?row.endpoint:"")})')"
[ -n "$url" ] || { echo "no endpoint found in strato status" >&2; exit 1; }

say "The shop answers at $url"
for attempt in $(seq 1 30); do
  curl -fsS "$url/healthz" >/dev/null 2>&1 && break
  sleep 1
done
echo "GET $url/healthz"
curl -fsS "$url/healthz"; echo
echo "POST $url/users"
curl -fsS -X POST "$url/users" -H 'content-type: application/json' -d '{"email":"ada@example.com","name":"Ada"}' || true; echo
echo "GET $url/users"
curl -fsS "$url/users"; echo
printf '\n%s\n' "$url"
