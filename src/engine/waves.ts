// The order the engine sends a plan's steps in (pure). Wave by wave: a step goes once every step it depends on is
// finished. Within a wave, sender by sender: nothing but the network orders two accounts' transactions in a block, so
// each sender's group is mined before the next sender's is sent. The whole-plan simulation runs the steps in this very
// order: a step that relies on another's effect without declaring it is refused before anything is sent, never reverted
// on chain because the chain saw another order than the one that was checked.
import type { Step } from "./types.js";

/** Each step's wave: 0 without dependencies, else one more than the latest of its dependencies' (Infinity: never). */
export function wavesOf(steps: Step[]): Map<string, number> {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const waves = new Map<string, number>();
  const visiting = new Set<string>();
  const waveOf = (id: string): number => {
    const known = waves.get(id);
    if (known !== undefined) return known;
    const step = byId.get(id);
    if (!step || visiting.has(id)) return Infinity; // an unknown dependency or a cycle: applyPlan never sends it
    visiting.add(id);
    const wave = step.dependsOn.reduce((max, d) => Math.max(max, waveOf(d) + 1), 0);
    visiting.delete(id);
    waves.set(id, wave);
    return wave;
  };
  for (const step of steps) waveOf(step.id);
  return waves;
}

/** Items grouped by sender (`from`, any case), groups in the order of each sender's first item, items in their order. */
export function senderGroups<T extends { from: string }>(items: T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = item.from.toLowerCase();
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups.values()];
}

/**
 * The steps still to send (`pending`, a subset of `steps`), in the order applyPlan sends them when nothing fails. The
 * steps of `routed` senders (the Safe or timelock chosen, which RoutingExecutor serves after the accounts' sends) come
 * last in their wave.
 */
export function sendingOrder(steps: Step[], pending: Step[], routed: string[] = []): Step[] {
  const last = new Set(routed.map((a) => a.toLowerCase()));
  const isRouted = (group: Step[]) => last.has(group[0].from.toLowerCase());
  const waves = wavesOf(steps);
  const byWave = new Map<number, Step[]>();
  for (const step of pending) {
    const wave = waves.get(step.id) ?? Infinity;
    const list = byWave.get(wave);
    if (list) list.push(step);
    else byWave.set(wave, [step]);
  }
  return [...byWave.entries()]
    .sort(([a], [b]) => a - b)
    .flatMap(([, wave]) => {
      const groups = senderGroups(wave);
      return [...groups.filter((g) => !isRouted(g)), ...groups.filter(isRouted)].flat();
    });
}
