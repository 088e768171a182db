#!/usr/bin/env bash
# Runs fork-test/ against FORK_URL if given; otherwise starts a local `hardhat node` on 127.0.0.1, deploys the
# production-like system into it with `mocks:deploy-system`, and forks that. The node is stopped by its pid at the
# end, also when tests fail.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [ -z "${FORK_URL:-}" ]; then
  PORT="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  export FORK_URL="http://127.0.0.1:$PORT"
  LOG="$(mktemp)"
  hardhat node --hostname 127.0.0.1 --port "$PORT" >"$LOG" 2>&1 &
  NODE_PID=$!
  trap 'kill "$NODE_PID" 2>/dev/null; wait "$NODE_PID" 2>/dev/null; rm -f "$LOG"' EXIT
  for _ in $(seq 1 120); do
    if curl -s -X POST -H 'content-type: application/json' --data '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' "$FORK_URL" >/dev/null 2>&1; then break; fi
    kill -0 "$NODE_PID" 2>/dev/null || { echo "hardhat node exited:"; cat "$LOG"; exit 1; }
    sleep 0.5
  done
  echo "hardhat node (pid $NODE_PID) on $FORK_URL"
  LOCAL_RPC_URL="$FORK_URL" hardhat mocks:deploy-system --network localhost --markets "${FORK_MARKETS:-20}" --users 4 --seed fork-suite
  export FORK_RECORD="$ROOT/deployments/localhost-deployment.json"
fi

hardhat test mocha --no-compile fork-test/*.test.ts
