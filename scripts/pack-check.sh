#!/usr/bin/env bash
# Proves the plugin is a real package: `npm pack`, install the tarball into a fresh Hardhat 3 project in a temp dir,
# check `npx hardhat --help` lists the plugin's tasks, and run one task there from the bundled artifacts.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$ROOT"
TARBALL="$(npm pack --silent --pack-destination "$WORK" | tail -1)"
echo "packed $TARBALL ($(du -h "$WORK/$TARBALL" | cut -f1))"

mkdir "$WORK/project" && cd "$WORK/project"
HARDHAT_VERSION="$(node -p 'require(process.argv[1]).devDependencies.hardhat' "$ROOT/package.json")"
ETHERS_PLUGIN_VERSION="$(node -p 'require(process.argv[1]).devDependencies["@nomicfoundation/hardhat-ethers"]' "$ROOT/package.json")"
cat > package.json <<JSON
{ "name": "fresh-hardhat-project", "version": "1.0.0", "private": true, "type": "module" }
JSON
cat > hardhat.config.ts <<'TS'
import { defineConfig } from "hardhat/config";
import cutover from "hardhat-cutover";

export default defineConfig({ plugins: [cutover] });
TS
npm install --no-audit --no-fund --loglevel=error --prefer-offline \
  "$WORK/$TARBALL" "hardhat@$HARDHAT_VERSION" "@nomicfoundation/hardhat-ethers@$ETHERS_PLUGIN_VERSION" >/dev/null

# The task list comes from the installed plugin object: each built task definition has an `id` array (the words a
# user types, e.g. ["corevault:redeploy"]); `--help` lists tasks and subtasks by those words joined with a space.
TASKS="$(node --input-type=module -e '
  const { default: plugin } = await import("hardhat-cutover");
  for (const { id } of plugin.tasks ?? []) console.log(id.join(" "));
')"
[ -n "$TASKS" ] || { echo "FAIL: the installed hardhat-cutover plugin object lists no tasks"; exit 1; }
HELP="$(npx hardhat --help)"
while read -r name; do
  grep -qE "^[[:space:]]+${name}([[:space:]]|\$)" <<<"$HELP" || { echo "FAIL: \`npx hardhat --help\` in a fresh project does not list $name"; echo "$HELP"; exit 1; }
done <<<"$TASKS"
echo "fresh project lists the plugin's $(wc -l <<<"$TASKS") tasks"
npx hardhat mocks:deploy-system --markets 2 --users 2 --json > inventory.json
node -e '
  const inv = JSON.parse(require("fs").readFileSync("inventory.json", "utf8"));
  const wired = inv.markets.filter((m) => m.orderBookVault === inv.contracts.CORE_VAULT).length;
  if (inv.markets.length !== 2 || wired !== 2) { console.error("FAIL: unexpected inventory", inv.markets); process.exit(1); }
  console.log("fresh project deployed the mock system from the bundled artifacts: 2/2 markets wired");
'
