#!/usr/bin/env bash
# `make test`: starts what the tests need, runs build, lint, typecheck, unit and integration tests,
# and stops only the stack components that were not already running before it started.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

already=()
for name in kafka apicurio; do
  if "$HERE/$name.sh" status >/dev/null 2>&1; then already+=("$name"); fi
done
cleanup() {
  local rc=$? name
  for name in apicurio kafka; do
    [[ " ${already[*]} " == *" $name "* ]] || "$HERE/$name.sh" down >/dev/null 2>&1 || true
  done
  # Postgres and Redis scripts only ever stop a server they started themselves.
  "$HERE/redis.sh" down >/dev/null 2>&1 || true
  "$HERE/postgres.sh" down >/dev/null 2>&1 || true
  exit $rc
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
started=$SECONDS
step "build"; pnpm -s build
step "lint"; pnpm -s lint
step "typecheck"; pnpm -s typecheck
step "generated contracts up to date"; node packages/contracts/scripts/generate.mjs --check
step "stack"; "$HERE/stack.sh" up
step "models"; "$HERE/models.sh"
step "tests"
pnpm -s vitest run --reporter=default --reporter=json --outputFile=.state/test-results.json
node -e '
  const r = require("./.state/test-results.json");
  console.log(`\n${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
'
echo "make test: done in $((SECONDS - started))s"
