// Progress of a long phase (observation, sending, verify, snapshot) with its elapsed time and an estimate of what is
// left: counted phases estimate from their rate so far; uncounted ones from an expected duration when one is known
// (e.g. the last run's). One live line on a terminal, a plain line every two seconds elsewhere (see progressLine).
import { progressLine } from "../report/progress.js";

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** "sending 120/200 (60%), 4.1 s elapsed, about 2.7 s left" — `total` 0 or undefined: elapsed (and expected) only. */
export function formatPhase(
  phase: string,
  elapsedMs: number,
  done?: number,
  total?: number,
  expectedMs?: number,
): string {
  if (total && done !== undefined) {
    const left = done > 0 ? ` about ${seconds((elapsedMs / done) * (total - done))} left` : "";
    return `${phase} ${done}/${total} (${Math.floor((done / total) * 100)}%), ${seconds(elapsedMs)} elapsed,${left}`.replace(
      /,$/,
      "",
    );
  }
  const left = expectedMs !== undefined ? `, about ${seconds(Math.max(0, expectedMs - elapsedMs))} left` : "";
  return `${phase}, ${seconds(elapsedMs)} elapsed${left}`;
}

export interface PhaseProgress {
  /** Items done so far (of `total`), and what is being done now. */
  update(done?: number, detail?: string): void;
  /** Ends the phase: prints `summary` (default "<phase> done in N s") and stops the clock; returns the elapsed ms. */
  end(summary?: string): number;
}

export interface PhaseOptions {
  enabled: boolean;
  total?: number;
  /** How long the phase is expected to take (an uncounted phase's estimate). */
  expectedMs?: number;
  /** Refresh an uncounted phase's elapsed time this often (default 1 s). */
  tickMs?: number;
  now?: () => number;
  line?: ReturnType<typeof progressLine>;
}

/** A progress line for one phase; an uncounted phase refreshes its elapsed time by itself until `end`. */
export function phaseProgress(phase: string, options: PhaseOptions): PhaseProgress {
  const now = options.now ?? Date.now;
  const line = options.line ?? progressLine(options.enabled);
  const started = now();
  let last = { done: options.total ? 0 : undefined, detail: "" };
  const render = () =>
    `${formatPhase(phase, now() - started, last.done, options.total, options.expectedMs)}${last.detail ? ` ${last.detail}` : ""}`;
  const timer =
    options.enabled && !options.total ? setInterval(() => line.update(render()), options.tickMs ?? 1000) : undefined;
  timer?.unref();
  line.update(render());
  return {
    update(done, detail = "") {
      last = { done, detail };
      line.update(render());
    },
    end(summary) {
      if (timer) clearInterval(timer);
      const elapsed = now() - started;
      line.done(summary ?? `${phase} done in ${seconds(elapsed)}`);
      return elapsed;
    },
  };
}
