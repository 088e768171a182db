#!/usr/bin/env bash
# Builds the publishable package: compiled plugin in dist/, the plugin's contract artifacts in dist/bundled-artifacts/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
hardhat build --quiet
rm -rf dist
tsc -p tsconfig.build.json
node scripts/bundle-artifacts.mjs
