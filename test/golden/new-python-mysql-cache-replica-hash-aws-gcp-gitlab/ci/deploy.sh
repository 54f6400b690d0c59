#!/bin/sh
# Deploys to the targets named in STRATO_TARGETS (names from strato.yaml, separated
# by spaces), one after the other: validate once, then plan and deploy each. CI calls
# it on the default branch with the cloud credentials already in place (OIDC).
set -eu

if [ -z "${STRATO_TARGETS:-}" ]; then
  echo "No targets to deploy: set STRATO_TARGETS (for example \"aws gcp\") in the production environment, or name them when starting the pipeline."
  exit 0
fi

strato validate
for target in $STRATO_TARGETS; do
  echo "==> $target"
  strato plan --target "$target"
  strato deploy --target "$target" --yes
done
