import { readFile } from "node:fs/promises";
import type { Artifact } from "hardhat/types/artifacts";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

// The plugin's own contracts (mocks, vault-admin facet) ship inside the npm package, next to the
// compiled plugin, so tasks work in a project that never compiled them.
const BUNDLED_ARTIFACTS = new URL("../bundled-artifacts/", import.meta.url);

/** Reads a contract artifact: from the user's project when it has one by that name, else from the plugin's bundle. */
export async function loadArtifact(hre: HardhatRuntimeEnvironment, name: string): Promise<Artifact> {
  if (await hre.artifacts.artifactExists(name)) {
    return (await hre.artifacts.readArtifact(name)) as Artifact;
  }
  try {
    return JSON.parse(await readFile(new URL(`${name}.json`, BUNDLED_ARTIFACTS), "utf8")) as Artifact;
  } catch {
    throw new Error(
      `No artifact named "${name}": neither this project's artifacts nor the hardhat-cutover bundle have it. ` +
        `Run \`npx hardhat build\` if it is one of your contracts, or check the spelling.`,
    );
  }
}
