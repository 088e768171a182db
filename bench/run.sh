#!/usr/bin/env bash
# Runs a benchmark script against a fresh local `hardhat node` (stopped at the end).
# Usage: bash scripts/node22.sh bash bench/run.sh bench/redeploy.ts     (BENCH_MARKETS, BENCH_BLOCK_MS to change sizes)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SCRIPT="${1:?usage: bench/run.sh bench/<name>.ts}"
PORT="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
export LOCAL_RPC_URL="http://127.0.0.1:$PORT"
hardhat node --hostname 127.0.0.1 --port "$PORT" >/dev/null 2>&1 &
NODE_PID=$!
trap 'kill "$NODE_PID" 2>/dev/null; wait "$NODE_PID" 2>/dev/null' EXIT
until curl -s -X POST -H 'content-type: application/json' --data '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' "$LOCAL_RPC_URL" >/dev/null; do sleep 0.3; done
hardhat run --network localhost "$SCRIPT"
