export interface TableFit {
  /** Total width the table must fit in (see `terminalWidth`). */
  width: number;
  /** Columns (by index) whose cells may be cut, with "…", to fit; others (hashes, addresses) are kept whole. */
  shrink: number[];
}

const MIN_SHRUNK = 12;

/** The width tables for people fit in: the terminal's columns, or 100 when stdout is not a terminal. */
export function terminalWidth(): number {
  return process.stdout.isTTY && process.stdout.columns ? process.stdout.columns : 100;
}

/** Renders rows as a plain-text table with a header and aligned columns; with `fit`, cut to fit a width. */
export function renderTable(header: string[], rows: (string | number | bigint | boolean)[][], fit?: TableFit): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((row) => (row[c] ?? "").length)));
  if (fit) shrinkWidths(widths, fit);
  const cut = (cell: string, width: number) => (cell.length > width ? `${cell.slice(0, width - 1)}…` : cell);
  const line = (row: string[]) =>
    row
      .map((cell, c) => cut(cell, widths[c]).padEnd(widths[c]))
      .join("  ")
      .trimEnd();
  return [line(cells[0]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

/** Narrows the widest shrinkable column, one character at a time, until the table fits or none can shrink. */
function shrinkWidths(widths: number[], fit: TableFit): void {
  const total = () => widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  while (total() > fit.width) {
    const candidates = fit.shrink.filter((c) => widths[c] > MIN_SHRUNK);
    if (candidates.length === 0) return;
    const widest = candidates.reduce((a, b) => (widths[b] > widths[a] ? b : a));
    widths[widest] -= 1;
  }
}
