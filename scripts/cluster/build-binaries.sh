#!/usr/bin/env bash
# Builds the test cluster's binaries once per version into a cache outside the
# repository: kube-apiserver, kube-controller-manager, kube-scheduler (from the
# k8s.io/kubernetes module) and kwok, plus kwok's stage files.
# Usage: build-binaries.sh K8S_VERSION KWOK_VERSION OUT_DIR
# k8s.io/kubernetes cannot be `go install`ed (its go.mod replaces the staging
# modules with local paths), so a scratch module requires it and points each
# staging module at its published v0.x.y release.
set -euo pipefail

K8S_VERSION="$1"      # e.g. v1.34.2
KWOK_VERSION="$2"     # e.g. v0.8.0
OUT="$3"

GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
[ -x "$GO" ] || { echo "Go is needed to build the test cluster (looked for go on PATH and /usr/local/go/bin/go)" >&2; exit 1; }

# Two cores on the test machines; the toolchain on the machine, never a download.
export GOFLAGS="${GOFLAGS:--p=2}" GOTOOLCHAIN=local CGO_ENABLED=0
STAGING_VERSION="v0.${K8S_VERSION#v1.}"

mkdir -p "$OUT/bin" "$OUT/src"
SRC="$OUT/src"
log() { echo "==> [cluster build] $*" >&2; }

if [ ! -x "$OUT/bin/kube-apiserver" ] || [ ! -x "$OUT/bin/kube-controller-manager" ] || [ ! -x "$OUT/bin/kube-scheduler" ]; then
  log "k8s.io/kubernetes $K8S_VERSION (staging modules $STAGING_VERSION)"
  gomod="$("$GO" mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
  [ -f "$gomod" ] || { echo "could not download k8s.io/kubernetes@$K8S_VERSION" >&2; exit 1; }
  staging="$(sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\1#p' "$gomod" | sort -u)"
  [ -n "$staging" ] || { echo "no staging replacements found in $gomod" >&2; exit 1; }
  {
    echo "module strato.local/k8s-test-cluster"
    echo
    echo "go 1.24.0"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    for m in $staging; do echo "replace $m => $m $STAGING_VERSION"; done
  } > "$SRC/go.mod"
  cat > "$SRC/tools.go" <<'EOF'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
EOF
  (cd "$SRC" && "$GO" mod tidy)
  pkg=k8s.io/component-base/version
  ldflags="-s -w -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2)"
  for cmd in kube-apiserver kube-controller-manager kube-scheduler; do
    if [ ! -x "$OUT/bin/$cmd" ]; then
      log "go build $cmd"
      (cd "$SRC" && "$GO" build -trimpath -ldflags "$ldflags" -o "$OUT/bin/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd")
      mv "$OUT/bin/$cmd.tmp" "$OUT/bin/$cmd"
    fi
  done
fi

if [ ! -x "$OUT/bin/kwok" ]; then
  log "kwok $KWOK_VERSION"
  tmpbin="$(mktemp -d)"
  GOBIN="$tmpbin" "$GO" install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  mv "$tmpbin/kwok" "$OUT/bin/kwok"
  rmdir "$tmpbin"
fi

if [ ! -d "$OUT/stages" ]; then
  dir="$("$GO" mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  mkdir -p "$OUT/stages.tmp"
  for stage in node/fast node/heartbeat pod/fast; do
    for f in "$dir/kustomize/stage/$stage"/*.yaml; do
      case "$(basename "$f")" in kustomization.yaml) continue ;; esac
      cp "$f" "$OUT/stages.tmp/$(echo "$stage" | tr / -)-$(basename "$f")"
    done
  done
  chmod -R u+w "$OUT/stages.tmp"
  mv "$OUT/stages.tmp" "$OUT/stages"
fi
log "ready in $OUT"
