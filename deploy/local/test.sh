#!/usr/bin/env bash
# `make test`: build, lint, typecheck, then unit and integration tests against a private stack
# (private-stack.sh test --fresh): its own broker, registry, database and Redis db, wiped before
# and after, so the tests neither see nor leave anything the stack of `make up` uses.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

step() { printf '\n== %s\n' "$*"; }
started=$SECONDS
step "build"; pnpm -s build
step "lint"; pnpm -s lint
step "typecheck"; pnpm -s typecheck
step "generated contracts up to date"; node packages/contracts/scripts/generate.mjs --check
step "prometheus rules"; promtool check rules deploy/prometheus/rules.yml && promtool test rules deploy/prometheus/rules.test.yml
step "models"; "$HERE/models.sh"
step "private stack and tests"
mkdir -p .state
"$HERE/private-stack.sh" test --fresh -- \
  pnpm -s vitest run --reporter=default --reporter=json --outputFile=.state/test-results.json
node -e '
  const r = require("./.state/test-results.json");
  console.log(`\n${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
'
# The short `make chaos`: one broker kill, one Postgres restart, Redis down, two worker kills, on a
# stack of its own (it restarts its servers); fails unless nothing was lost, duplicated or dead-lettered.
step "chaos (short)"
chaos_results=$(mktemp -d)
trap 'rm -rf "$chaos_results"' EXIT
CHAOS_RESULTS_DIR=$chaos_results "$HERE/private-stack.sh" chaos --fresh -- node bench/src/chaos.mjs --short
echo "make test: done in $((SECONDS - started))s"
