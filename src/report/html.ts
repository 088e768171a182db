// Self-contained HTML for the reports (no script, no external resource): a page, a grid of status tiles, an SVG
// diagram of boxes and arrows. Status colours are the same everywhere: ok green, bad red, other amber, none grey.

export type Tone = "ok" | "bad" | "warn" | "none";

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const COLOURS: Record<Tone, string> = { ok: "#1e9e4a", bad: "#d1242f", warn: "#d4a017", none: "#8c959f" };

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1f2328; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; }
.meta { color: #57606a; } code { font: 12px ui-monospace, monospace; }
.verdict { display: inline-block; padding: 2px 10px; border-radius: 4px; color: #fff; font-weight: 600; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(120px, 1fr)); gap: 4px; }
.tile { padding: 6px; border-radius: 4px; color: #fff; font-size: 12px; overflow: hidden; white-space: nowrap; }
.legend span { display: inline-block; margin-right: 12px; }
table { border-collapse: collapse; } td, th { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
.failure { border-left: 4px solid ${COLOURS.bad}; padding: 4px 12px; margin: 8px 0; background: #fff5f5; }
${(Object.keys(COLOURS) as Tone[]).map((t) => `.${t} { background: ${COLOURS[t]}; }`).join("\n")}
`;

export function page(title: string, body: string[]): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>\n<body>\n${body.join("\n")}\n</body></html>\n`;
}

export function verdict(passed: boolean, text: string): string {
  return `<span class="verdict ${passed ? "ok" : "bad"}" data-verdict="${passed ? "pass" : "fail"}">${escapeHtml(text)}</span>`;
}

/** A grid of tiles, one per item (a market, a step), coloured by its status; not-ok tiles first. */
export function tileGrid(id: string, tiles: { label: string; status: string; tone: Tone; title?: string }[]): string {
  const order: Tone[] = ["bad", "warn", "none", "ok"];
  const sorted = [...tiles].sort((a, b) => order.indexOf(a.tone) - order.indexOf(b.tone));
  const counts = order
    .map((tone) => [tone, tiles.filter((t) => t.tone === tone).length] as const)
    .filter(([, n]) => n > 0)
    .map(([tone, n]) => `<span><span class="tile ${tone}">&nbsp;</span> ${n} ${tone}</span>`);
  return [
    `<p class="legend">${counts.join("")}</p>`,
    `<div class="grid" id="${id}">`,
    ...sorted.map(
      (t) =>
        `<div class="tile ${t.tone}" data-status="${escapeHtml(t.status)}" title="${escapeHtml(t.title ?? t.status)}">${escapeHtml(t.label)}<br>${escapeHtml(t.status)}</div>`,
    ),
    `</div>`,
  ].join("\n");
}

export interface DiagramNode {
  id: string;
  label: string[];
  tone: Tone;
  column: number;
}

/** Boxes in columns, arrows between them (an arrow's colour is its tone): an SVG needing no script. */
export function diagram(
  nodes: DiagramNode[],
  edges: { from: string; to: string; label: string; tone: Tone }[],
): string {
  const W = 230;
  const H = 44;
  const GAP = 16;
  const at = new Map<string, { x: number; y: number }>();
  const rows = new Map<number, number>();
  for (const n of nodes) {
    const row = rows.get(n.column) ?? 0;
    rows.set(n.column, row + 1);
    at.set(n.id, { x: 10 + n.column * (W + 120), y: 10 + row * (H + GAP) });
  }
  const height = Math.max(...[...rows.values()].map((r) => r * (H + GAP))) + 20;
  const width = 10 + (Math.max(...nodes.map((n) => n.column)) + 1) * (W + 120);
  const arrows = edges.map((e) => {
    const [a, b] = [at.get(e.from)!, at.get(e.to)!];
    const [x1, y1, x2, y2] = [a.x + W, a.y + H / 2, b.x, b.y + H / 2];
    return `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${COLOURS[e.tone]}" stroke-width="2" marker-end="url(#arrow)"/><text x="${(x1 + x2) / 2}" y="${(y1 + y2) / 2 - 4}" font-size="10" text-anchor="middle">${escapeHtml(e.label)}</text>`;
  });
  const boxes = nodes.map((n) => {
    const { x, y } = at.get(n.id)!;
    const text = n.label
      .map((l, i) => `<tspan x="${x + 8}" dy="${i === 0 ? 0 : 14}">${escapeHtml(l)}</tspan>`)
      .join("");
    return `<g data-node="${escapeHtml(n.id)}" data-tone="${n.tone}"><rect x="${x}" y="${y}" width="${W}" height="${H}" rx="6" fill="#fff" stroke="${COLOURS[n.tone]}" stroke-width="3"/><text x="${x + 8}" y="${y + 18}" font-size="12">${text}</text></g>`;
  });
  return [
    `<svg id="wiring" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#57606a"/></marker></defs>`,
    ...arrows,
    ...boxes,
    `</svg>`,
  ].join("\n");
}
