#!/usr/bin/env bash
# What the AWS provider's integration tests need, installed once:
# moto's server mode (an AWS API emulator) in .venv/moto, and Debian's
# docker-registry (a real local registry the build-and-push test pushes to).
# The tests and bench/aws-inventory start both themselves.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv/moto"

if ! { [ -x "$venv/bin/moto_server" ] && "$venv/bin/python" -c 'import moto.server' >/dev/null 2>&1; }; then
  echo "installing moto[server] into $venv" >&2
  mkdir -p "$root/.venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet 'moto[server]'
  "$venv/bin/python" -c 'import moto.server' >/dev/null
  echo "moto ready: $venv/bin/moto_server" >&2
fi

if ! command -v docker-registry >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  echo "installing docker-registry" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq docker-registry >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq docker-registry >/dev/null; }
fi
