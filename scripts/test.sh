#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs and starts what the tests
# need (Node 24 via npm, a Docker engine, local base images, the moto AWS
# emulator, a Kubernetes control plane with simulated nodes), builds strato,
# then runs unit and integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
# Compose v1 reads the starter repos' compose.yaml in the scaffold end-to-end test.
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
# A local image registry: the kubernetes end-to-end test pushes the shop's images to it.
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
# The Kubernetes test cluster's etcd and certificates (scripts/cluster installs them too when run alone).
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
# openssl: the Kubernetes test cluster's certificates, and the private CA of the TLS-inspecting proxy
# the scaffold end-to-end test builds through.
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ "${#need[@]}" -gt 0 ]; then
  echo "==> installing ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

echo "==> npm ci" >&2
npm ci --no-audit --no-fund --loglevel=error
export PATH="$PWD/node_modules/.bin:$PATH"

echo "==> docker engine" >&2
$SUDO bash scripts/setup-docker.sh
echo "==> local base images" >&2
$SUDO env PATH="$PATH" bash scripts/base-images.sh
if [ -f scripts/setup-moto.sh ]; then
  echo "==> moto (AWS API emulator)" >&2
  bash scripts/setup-moto.sh
fi

echo "==> Kubernetes test cluster (binaries built once per version, cached outside the repository)" >&2
CLUSTER_STATE="$(mktemp -d)/cluster-state.json"
stop_cluster() { node scripts/cluster/cluster.mjs down --state "$CLUSTER_STATE" || true; }
trap stop_cluster EXIT
cluster_json="$(node scripts/cluster/cluster.mjs up --detach --state "$CLUSTER_STATE")"
STRATO_TEST_KUBECONFIG="$(node -e 'process.stdout.write(JSON.parse(process.argv[1]).kubeconfig)' "$cluster_json")"
export STRATO_TEST_KUBECONFIG

echo "==> tests" >&2
npm test
