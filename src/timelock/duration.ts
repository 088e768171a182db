// Delays and waits for people: "1 h 59 min 58 s". One formatter; describeWait is its short form for a wait.

export interface DurationStyle {
  /** Count whole days ("1 d 1 h"); without, hours go on ("25 h"). */
  days: boolean;
  /** Show the seconds when there are hours too. */
  secondsWithHours: boolean;
}

const EXACT: DurationStyle = { days: true, secondsWithHours: true };

/** "1 d 1 h 1 min 1 s", "40 min", "0 s" (seconds rounded up). */
export function formatDuration(seconds: number, style: DurationStyle = EXACT): string {
  const s = Math.max(0, Math.ceil(seconds));
  const parts: string[] = [];
  const d = style.days ? Math.floor(s / 86_400) : 0;
  const h = Math.floor((s - d * 86_400) / 3_600);
  const m = Math.floor((s % 3_600) / 60);
  if (d) parts.push(`${d} d`);
  if (h) parts.push(`${h} h`);
  if (m) parts.push(`${m} min`);
  if ((s % 60 && (style.secondsWithHours || h === 0)) || parts.length === 0) parts.push(`${s % 60} s`);
  return parts.join(" ");
}

/** A wait: "now" when none is left, else hours and minutes ("47 h 59 min"), seconds only below an hour. */
export function describeWait(seconds: number): string {
  if (seconds <= 0) return "now";
  return formatDuration(seconds, { days: false, secondsWithHours: false });
}
