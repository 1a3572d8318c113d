#!/usr/bin/env bash
# Installs what the build needs and a fresh Debian 12 machine may lack: pnpm at the version pinned
# in package.json's packageManager field, and Maven/Java for the local stack.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo

want="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$ROOT/package.json")"
if [ "$(pnpm --version 2>/dev/null || true)" != "$want" ]; then
  echo "tools: installing pnpm@$want"
  # npm rather than corepack: corepack's bundled signing keys reject current pnpm releases.
  $SUDO npm install -g --silent "pnpm@$want" >/dev/null
fi
missing=()
command -v mvn >/dev/null || missing+=(maven)
command -v java >/dev/null || missing+=(default-jre-headless)
command -v curl >/dev/null || missing+=(curl)
command -v psql >/dev/null || missing+=(postgresql-client)
command -v redis-cli >/dev/null || missing+=(redis-tools)
command -v promtool >/dev/null || missing+=(prometheus)   # promtool checks and tests the alert rules
# kubectl kustomize builds deploy/k8s in make test; Debian's 1.20 suffices (the overlays use the
# kustomize syntax every kubectl since 1.14 understands), any newer kubectl already here is used.
command -v kubectl >/dev/null || missing+=(kubernetes-client)
if ((${#missing[@]})); then
  echo "tools: installing ${missing[*]}"
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
