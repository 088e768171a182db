// Copies the artifacts of the repo's contracts (not test-only ones) into dist/bundled-artifacts/<Name>.json,
// where src/artifacts.ts finds them when the plugin runs in a project that never compiled them.
import { mkdir, readdir, copyFile } from "node:fs/promises";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const source = path.join(root, "artifacts", "contracts");
const target = path.join(root, "dist", "bundled-artifacts");
await mkdir(target, { recursive: true });

let count = 0;
for (const entry of await readdir(source, { recursive: true, withFileTypes: true })) {
  const file = path.join(entry.parentPath, entry.name);
  const relative = path.relative(source, file);
  if (!entry.isFile() || !entry.name.endsWith(".json") || entry.name.endsWith(".dbg.json")) continue;
  if (relative.split(path.sep).includes("test") || !relative.includes(".sol" + path.sep)) continue;
  await copyFile(file, path.join(target, entry.name));
  count++;
}
console.log(`bundled ${count} contract artifacts into dist/bundled-artifacts/`);
