#!/usr/bin/env bash
# Installs moto's server mode (an AWS API emulator) into .venv/moto, once.
# The AWS provider's integration tests and bench/aws-inventory start it from there.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv/moto"

if [ -x "$venv/bin/moto_server" ] && "$venv/bin/python" -c 'import moto.server' >/dev/null 2>&1; then
  exit 0
fi

echo "installing moto[server] into $venv" >&2
mkdir -p "$root/.venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet 'moto[server]'
"$venv/bin/python" -c 'import moto.server' >/dev/null
echo "moto ready: $venv/bin/moto_server" >&2
