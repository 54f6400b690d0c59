#!/usr/bin/env bash
# Installs and starts a Docker engine when none is answering. Idempotent.
set -euo pipefail

if ! command -v dockerd >/dev/null 2>&1; then
  echo "installing docker.io" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi

if docker info >/dev/null 2>&1; then
  exit 0
fi

echo "starting dockerd" >&2
mkdir -p /var/log
# dockerd outlives this script: it must not inherit descriptors above 2 (a lock
# file held by whoever ran the tests would stay locked for as long as dockerd runs)
(
  for fd in /proc/$BASHPID/fd/*; do
    n=${fd##*/}
    if [ "$n" -gt 2 ] 2>/dev/null; then eval "exec $n>&-"; fi
  done
  exec nohup dockerd >/var/log/strato-dockerd.log 2>&1
) &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    exit 0
  fi
  sleep 0.5
done
echo "dockerd did not start; last lines of /var/log/strato-dockerd.log:" >&2
tail -n 20 /var/log/strato-dockerd.log >&2
exit 1
