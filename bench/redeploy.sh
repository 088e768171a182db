#!/usr/bin/env bash
# Benchmark: a 200-market redeploy on a local `hardhat node` that mines one block per second (like a real chain),
# pipelined vs one transaction at a time. Prints transactions, blocks and wall time for both, and their ratios.
# Usage: npm run hardhat -- ... is not needed; run `bash scripts/node22.sh bash bench/redeploy.sh [markets] [block-ms]`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PORT="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
export LOCAL_RPC_URL="http://127.0.0.1:$PORT"
hardhat node --hostname 127.0.0.1 --port "$PORT" >/dev/null 2>&1 &
NODE_PID=$!
trap 'kill "$NODE_PID" 2>/dev/null; wait "$NODE_PID" 2>/dev/null' EXIT
until curl -s -X POST -H 'content-type: application/json' --data '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' "$LOCAL_RPC_URL" >/dev/null; do sleep 0.3; done
BENCH_MARKETS="${1:-200}" BENCH_BLOCK_MS="${2:-1000}" hardhat run --network localhost bench/redeploy.ts
