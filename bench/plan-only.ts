// Run with: bash scripts/node22.sh bash bench/run.sh bench/plan-only.ts
// `corevault:redeploy --rewire --plan-only` for systems of BENCH_MARKETS markets (comma-separated, default "1000,5000"),
// each run as one child process under /usr/bin/time: CPU seconds (user + system), peak RSS, wall time and the JSON-RPC
// requests it made (through a loopback counting proxy). Issue 16's targets: under 5 s of CPU at 1 000 markets, peak RSS
// under 1 GiB at 5 000. BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each run there.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { deploySystem } from "../src/mocks/deploy-system.js";
import { renderTable } from "../src/report/table.js";
import { NO_FAULTS, startFaultProxy } from "../test/helpers/fault-proxy.js";

const sizes = (process.env.BENCH_MARKETS ?? "1000,5000").split(",").map(Number);
const conn = await hre.network.getOrCreate();
const nodeUrl = conn.networkConfig.type === "http" ? await conn.networkConfig.url.getUrl() : "";
const cli = path.join(path.dirname(createRequire(import.meta.url).resolve("hardhat/package.json")), "dist/src/cli.js");
const profile = process.env.BENCH_CPU_PROF;

/** The child's exit code, stdout, and /usr/bin/time's "user system maxRSS(KiB)" line. */
function timed(args: string[], env: Record<string, string>) {
  const node = [...(profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : []), cli, ...args];
  const child = spawn("/usr/bin/time", ["-f", "TIME %U %S %M", process.execPath, ...node], {
    cwd: hre.config.paths.root,
    env: { ...process.env, ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise<{ code: number | null; stdout: string; cpu: number; rssMiB: number; stderr: string }>((resolve) =>
    child.on("exit", (code) => {
      const [, user, sys, rss] = /TIME (\S+) (\S+) (\d+)/.exec(stderr) ?? [];
      resolve({ code, stdout, stderr, cpu: Number(user) + Number(sys), rssMiB: Number(rss) / 1024 });
    }),
  );
}

const rows = [];
for (const markets of sizes) {
  await deploySystem(hre, conn, { markets, users: 0, factory: "updatable", seed: `bench-plan-${markets}` });
  const proxy = await startFaultProxy(nodeUrl, NO_FAULTS);
  const started = Date.now();
  const run = await timed(["corevault:redeploy", "--network", "localhost", "--rewire", "--plan-only", "--json"], {
    LOCAL_RPC_URL: proxy.url,
  });
  const seconds = (Date.now() - started) / 1000;
  await proxy.close();
  if (run.code !== 0) throw new Error(`--plan-only at ${markets} markets failed:\n${run.stderr}`);
  const steps = JSON.parse(run.stdout).plan.steps.length;
  rows.push([markets, steps, run.cpu.toFixed(1), run.rssMiB.toFixed(0), proxy.stats.requests, seconds.toFixed(1)]);
}
console.log(
  `corevault:redeploy --rewire --plan-only (machine load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")})\n`,
);
console.log(
  renderTable(["markets", "steps", "CPU (s, user+sys)", "peak RSS (MiB)", "JSON-RPC requests", "wall time (s)"], rows),
);
