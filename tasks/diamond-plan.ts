import path from "node:path";
import { jsonOutput } from "../src/cli/json-output.js";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { clipLines, renderFacetPlan } from "../src/diamond/facet-plan.js";
import { planFacets } from "../src/diamond/plan-facets.js";
import { resolveSigner, runOptions } from "../src/cli/engine-command.js";
import { sendSummary } from "../src/report/results.js";
import "../src/type-extensions.js";

interface Args {
  target: string;
  facets: string;
  acceptBreaking: boolean;
  allowTakeover: string;
  hostAbi: string;
  signer: string;
  planOnly: boolean;
  yes: boolean;
  json: boolean;
}

export default async function diamondPlan(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const conn = await hre.network.getOrCreate();
  const run = runOptions(hre, conn, { ...args, replan: false, sequential: false }, undefined, (text) =>
    console.log(clipLines(text)),
  );
  const { progress } = run;
  const started = Date.now();
  const result = await planFacets(hre, conn, {
    target: args.target,
    facets: args.facets,
    acceptBreaking: args.acceptBreaking,
    allowTakeover: args.allowTakeover,
    hostAbi: args.hostAbi || undefined,
    oddNode: hre.config.cutover.diamond.oddNode,
    signer: await resolveSigner(conn, args.signer),
    run,
  });
  const deployed = result.deployment?.report;
  if (deployed) progress.done(sendSummary(deployed, (Date.now() - started) / 1000));
  const file = result.file && path.relative(hre.config.paths.root, result.file);
  if (args.json) {
    console.log(
      jsonOutput("facet-plan", {
        planId: result.plan.id,
        status: result.plan.status,
        file: file ?? null,
        transactionsSent: deployed?.transactionsSent ?? 0,
        deployed: deployed?.deployed ?? {},
        deployment: deployed?.results ?? [],
        plan: result.plan,
      }),
    );
    return;
  }
  console.log(renderFacetPlan(result.plan));
  console.log(
    file
      ? `plan written to ${file}`
      : "plan only: the CREATE2 factory is not deployed yet, so the facets' addresses are not known; nothing written",
  );
}
