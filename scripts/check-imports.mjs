// Import-graph check over src/: file cycles (type-only imports included), cycles between feature folders, engine
// importing a feature module (directly or through an infrastructure file), and console.* in src/engine. Usage: node scripts/check-imports.mjs   (exit 1 on a finding)
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const SRC = path.resolve(process.argv[2] ?? "src");
const FEATURES = ["diamond", "orderbook", "corevault", "roles", "ownership", "verify", "status", "watch", "mocks"];
const files = [];
const walk = (dir) => {
  for (const f of readdirSync(dir)) {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith(".ts")) files.push(p);
  }
};
walk(SRC);
const graph = new Map();
for (const file of files) {
  const text = readFileSync(file, "utf8");
  const deps = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"|^\s*import\s+"(\.[^"]+)"/gms)) {
    const spec = m[1] ?? m[2];
    deps.push(path.resolve(path.dirname(file), spec.replace(/\.js$/, ".ts")));
  }
  graph.set(
    file,
    deps.filter((d) => graph.has(d) || files.includes(d)),
  );
}
const rel = (f) => path.relative(path.dirname(SRC), f);
const problems = [];
// cycles: Tarjan's strongly connected components
let index = 0;
const idx = new Map();
const low = new Map();
const stack = [];
const on = new Set();
const strong = (v) => {
  idx.set(v, index);
  low.set(v, index++);
  stack.push(v);
  on.add(v);
  for (const w of graph.get(v)) {
    if (!idx.has(w)) {
      strong(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const scc = [];
    let w;
    do {
      w = stack.pop();
      on.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1 || graph.get(v).includes(v)) problems.push(`cycle: ${scc.map(rel).sort().join(" <-> ")}`);
  }
};
for (const f of files) if (!idx.has(f)) strong(f);
for (const [file, deps] of graph) {
  if (!rel(file).startsWith("src/engine/")) continue;
  for (const d of deps)
    if (FEATURES.some((f) => rel(d).startsWith(`src/${f}/`)))
      problems.push(`engine imports a feature: ${rel(file)} -> ${rel(d)}`);
  if (/\bconsole\.\w+\(/.test(readFileSync(file, "utf8"))) problems.push(`engine prints: ${rel(file)} uses console.*`);
}
// folder cycles between feature modules; and engine -> infrastructure (records, report, util, ...) only where that
// file imports no feature itself
const folder = (f) => rel(f).split(path.sep).slice(0, 2).join("/");
const isFeature = (f) => FEATURES.some((x) => rel(f).startsWith(`src/${x}/`));
const folders = new Map();
for (const [file, deps] of graph)
  for (const d of deps)
    if (isFeature(file) && isFeature(d) && folder(d) !== folder(file)) {
      if (!folders.has(folder(file))) folders.set(folder(file), new Set());
      folders.get(folder(file)).add(folder(d));
    }
for (const [a, deps] of folders)
  for (const b of deps) if (a < b && folders.get(b)?.has(a)) problems.push(`feature folder cycle: ${a} <-> ${b}`);
for (const [file, deps] of graph) {
  if (!rel(file).startsWith("src/engine/")) continue;
  for (const d of deps)
    if (!rel(d).startsWith("src/engine/") && graph.get(d).some(isFeature))
      problems.push(`engine reaches a feature through ${rel(d)} (from ${rel(file)})`);
}
console.log(`${files.length} files, ${[...graph.values()].reduce((n, d) => n + d.length, 0)} imports`);
for (const p of problems) console.log(p);
console.log(
  problems.length === 0 ? "no cycles, engine imports no feature and does not print" : `${problems.length} problem(s)`,
);
process.exit(problems.length === 0 ? 0 : 1);
