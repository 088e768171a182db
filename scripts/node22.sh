#!/usr/bin/env bash
# Runs a command under Node 22 with the project's dependencies installed.
# Hardhat 3 needs Node >= 22.13; machines here ship Node 20. Node 22 comes from the npm registry (package `node`),
# and npm itself must run under it when installing, or npm skips EDR's native package (engines node >= 22).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_VERSION="22.23.3"
TOOLS="$ROOT/.tools/node-$NODE_VERSION"
NODE_BIN="$TOOLS/node_modules/node/bin"

if [ ! -x "$NODE_BIN/node" ]; then
  echo "[setup] installing Node $NODE_VERSION from the npm registry into .tools/ (once)" >&2
  npm install --prefix "$TOOLS" --no-save --no-audit --no-fund --loglevel=error "node@$NODE_VERSION" >&2
fi
export PATH="$NODE_BIN:$ROOT/node_modules/.bin:$PATH"

STAMP="$ROOT/node_modules/.cutover-lock-stamp"
if [ ! -f "$STAMP" ] || ! cmp -s "$ROOT/package-lock.json" "$STAMP" 2>/dev/null || [ "$ROOT/package.json" -nt "$STAMP" ]; then
  echo "[setup] installing npm dependencies under Node $(node --version) (once per lockfile change)" >&2
  (cd "$ROOT" && npm install --no-audit --no-fund --loglevel=error >&2)
  cp "$ROOT/package-lock.json" "$STAMP"
fi

cd "$ROOT"
exec "$@"
