// Crash injection for the crash tests: the process kills itself (SIGKILL) right after the Nth time it passes a named
// point. Set from CUTOVER_FAULT ("kill-after-<point>:N") by the CLI; nothing happens when unset.

/** journal: a transaction journaled; broadcast: sent, its hash not yet journaled; complete: the `complete` entry
 * written, records not yet; record: a record file written (the others not yet), the last pass being the aggregate
 * written and the journal's `recorded` entry not yet. */
export type FaultPoint = "journal" | "broadcast" | "complete" | "record";

export interface FaultInjection {
  kind: FaultPoint;
  after: number;
}

/** A fault given as "kill-after-<point>:N"; undefined otherwise. */
export function parseFault(value: string | undefined): FaultInjection | undefined {
  const match = /^kill-after-(journal|broadcast|complete|record):(\d+)$/.exec(value ?? "");
  return match ? { kind: match[1] as FaultPoint, after: Number(match[2]) } : undefined;
}

/** Counts passes through each point and dies at the configured one. */
export class Faults {
  readonly #counts: Record<FaultPoint, number> = { journal: 0, broadcast: 0, complete: 0, record: 0 };

  constructor(readonly fault: FaultInjection | undefined) {}

  point(point: FaultPoint): void {
    if (this.fault?.kind === point && ++this.#counts[point] === this.fault.after) process.kill(process.pid, "SIGKILL");
  }
}

/** The process's faults, for points outside the engine's objects (record writes). */
let armed = new Faults(undefined);

export function armFaults(fault: FaultInjection | undefined): Faults {
  armed = new Faults(fault);
  return armed;
}

export function faultPoint(point: FaultPoint): void {
  armed.point(point);
}
