#!/usr/bin/env bash
# The whole test suite, as CI runs it: typecheck, contract + unit + integration tests (in-process chain), the fork
# suite against a local `hardhat node` holding a production-like system (or against FORK_URL), and the packaged-plugin
# check. Ends with "N passed, N failed" computed from the runners' real results.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SUMMARY="$(mktemp)"
export CUTOVER_TEST_SUMMARY="$SUMMARY"
checks_passed=0
checks_failed=0
run_check() { # a non-mocha step counts as one test
  local name="$1"; shift
  echo; echo "== $name"
  if "$@"; then checks_passed=$((checks_passed + 1)); echo "ok: $name"
  else checks_failed=$((checks_failed + 1)); echo "FAILED: $name"; fi
}
mocha_suite() { # a mocha run whose results the summary reporter records; a crash before any result counts as a failure
  local suite="$1"; shift
  echo; echo "== $suite"
  local before; before="$(wc -l < "$SUMMARY")"
  CUTOVER_SUITE="$suite" "$@"
  local status=$?
  if [ "$(wc -l < "$SUMMARY")" = "$before" ]; then
    echo "FAILED: $suite produced no results (exit $status)"; checks_failed=$((checks_failed + 1))
  fi
}

run_check "typecheck (tsc --noEmit)" tsc --noEmit -p tsconfig.json
run_check "formatting (prettier --check, see npm run format)" prettier --check --log-level warn .
run_check "compile contracts" hardhat build --quiet
mocha_suite "contracts, unit and integration tests" hardhat test mocha --no-compile
mocha_suite "fork suite" bash scripts/fork-suite.sh
run_check "packaged plugin loads in a fresh Hardhat 3 project" bash scripts/pack-check.sh

read -r passed failed < <(node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").filter(Boolean).map(JSON.parse);
  const sum = (k) => lines.reduce((n, l) => n + l[k], 0);
  console.log(sum("passes") + Number(process.argv[2]), sum("failures") + Number(process.argv[3]));
' "$SUMMARY" "$checks_passed" "$checks_failed")
rm -f "$SUMMARY"
echo
echo "$passed passed, $failed failed"
[ "$failed" = "0" ]
