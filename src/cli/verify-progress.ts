// cutover:verify's progress: one line per phase with its elapsed time, and an estimate from the same phase's duration
// in the last verify of this network (kept in timings.json next to the reports).
import { readFileSync } from "node:fs";
import { progressLine } from "../report/progress.js";
import { writeAtomically } from "../util/fs.js";
import { toJson } from "../util/json.js";
import { phaseProgress, type PhaseProgress } from "./phase-progress.js";

export function verifyProgress(enabled: boolean, timingsFile: string) {
  let previous: Record<string, number> = {};
  try {
    previous = JSON.parse(readFileSync(timingsFile, "utf8")) as Record<string, number>;
  } catch {
    // no earlier verify here: no estimate for uncounted phases
  }
  const line = progressLine(enabled);
  const timings: Record<string, number> = {};
  let current: { phase: string; progress: PhaseProgress } | undefined;
  const finish = () => {
    if (current) timings[current.phase] = current.progress.end();
    current = undefined;
  };
  return {
    onPhase(phase: string): void {
      finish();
      current = { phase, progress: phaseProgress(phase, { enabled, expectedMs: previous[phase], line }) };
    },
    /** Ends the last phase and keeps the durations for the next run's estimates. */
    async end(): Promise<void> {
      finish();
      await writeAtomically(timingsFile, toJson(timings));
    },
  };
}
