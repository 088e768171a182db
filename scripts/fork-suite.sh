#!/usr/bin/env bash
# Runs fork-test/ against FORK_URL if given; otherwise starts a local `hardhat node` on 127.0.0.1, deploys into it the
# production-like system with `mocks:deploy-system` and the Dexetra v5 stand-in with `--profile dexetra-v5`, and forks
# that. With FORK_URL, FORK_RECORD (reference layout) and/or DEXETRA_FORK_RECORD (Dexetra's layout) say which system
# the chain holds and which tests run. The node is stopped by its pid at the end, also when tests fail.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [ -z "${FORK_URL:-}" ]; then
  PORT="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  export FORK_URL="http://127.0.0.1:$PORT"
  LOG="$(mktemp)"
  hardhat node --hostname 127.0.0.1 --port "$PORT" >"$LOG" 2>&1 &
  NODE_PID=$!
  trap 'kill "$NODE_PID" 2>/dev/null; wait "$NODE_PID" 2>/dev/null; rm -f "$LOG"; rm -rf "${STANDIN:-}"' EXIT
  for _ in $(seq 1 120); do
    if curl -s -X POST -H 'content-type: application/json' --data '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' "$FORK_URL" >/dev/null 2>&1; then break; fi
    kill -0 "$NODE_PID" 2>/dev/null || { echo "hardhat node exited:"; cat "$LOG"; exit 1; }
    sleep 0.5
  done
  echo "hardhat node (pid $NODE_PID) on $FORK_URL"
  # both profiles write deployments/localhost-deployment.json: the stand-in's is moved aside before the reference deploy
  LOCAL_RPC_URL="$FORK_URL" hardhat mocks:deploy-system --network localhost --profile dexetra-v5 \
    --markets "${FORK_MARKETS:-20}" --users 4 --seed fork-suite-dexetra --json >/dev/null
  STANDIN="$(mktemp -d)"
  mv "$ROOT/deployments/localhost-deployment.json" "$STANDIN/"
  if [ -d "$ROOT/deployments/localhost" ]; then mv "$ROOT/deployments/localhost" "$STANDIN/"; fi
  export DEXETRA_FORK_RECORD="$STANDIN/localhost-deployment.json"
  LOCAL_RPC_URL="$FORK_URL" hardhat mocks:deploy-system --network localhost --markets "${FORK_MARKETS:-20}" --users 4 --seed fork-suite
  export FORK_RECORD="$ROOT/deployments/localhost-deployment.json"
fi

FILES=()
if [ -n "${FORK_RECORD:-}" ]; then FILES+=(fork-test/legacy-wiring.test.ts fork-test/rehearse.test.ts); fi
if [ -n "${DEXETRA_FORK_RECORD:-}" ]; then FILES+=(fork-test/dexetra.test.ts); fi
# neither record given: every file runs and says what it needs
if [ "${#FILES[@]}" = 0 ]; then FILES=(fork-test/*.test.ts); fi
hardhat test mocha --no-compile "${FILES[@]}"
