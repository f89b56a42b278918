import { esc, svgOpen } from "./svg";

/**
 * The README's architecture diagram as an SVG, drawn from the same Mermaid text (the subset it
 * uses: `flowchart LR`, `A[label<br/>line 2]`, `A --> B`, `A -->|label| B`), so the picture and
 * the Mermaid cannot disagree. Layout: each node in the column of its longest path from a source,
 * in order of first appearance within a column. Pure.
 */

interface Flow {
  readonly labels: Map<string, string[]>;
  readonly order: string[];
  readonly edges: Array<{ from: string; to: string; label?: string }>;
}

const NODE = /^([A-Za-z0-9_]+)(?:\[([^\]]*)\])?$/;

export function parseFlowchart(mermaid: string): Flow {
  const lines = mermaid.split("\n").map((l) => l.trim()).filter(Boolean);
  if (!/^flowchart LR$/.test(lines[0] ?? "")) throw new Error(`architecture diagram: expected "flowchart LR", got ${JSON.stringify(lines[0])}`);
  const labels = new Map<string, string[]>();
  const order: string[] = [];
  const edges: Flow["edges"] = [];
  const node = (text: string): string => {
    const m = NODE.exec(text.trim());
    if (!m) throw new Error(`architecture diagram: cannot read node ${JSON.stringify(text)}`);
    if (!order.includes(m[1])) order.push(m[1]);
    if (m[2] !== undefined) labels.set(m[1], m[2].split(/<br\s*\/?>/));
    return m[1];
  };
  for (const line of lines.slice(1)) {
    const m = /^(.+?)\s*-->\s*(?:\|([^|]*)\|\s*)?(.+)$/.exec(line);
    if (!m) throw new Error(`architecture diagram: cannot read line ${JSON.stringify(line)}`);
    edges.push({ from: node(m[1]), to: node(m[3]), label: m[2] || undefined });
  }
  return { labels, order, edges };
}

const COL_GAP = 44;
const MIN_W = 150;
const LINE = 14;
const GAP = 22;
const PAD = 16;
const TOP = 50;

export function renderFlowchartSvg(mermaid: string, title: string): string {
  const flow = parseFlowchart(mermaid);
  const column = new Map<string, number>(flow.order.map((n) => [n, 0]));
  // Longest path from a source; the graph is a DAG (data flows one way), bounded by the node count.
  for (let pass = 0; pass < flow.order.length; pass++) {
    for (const e of flow.edges) column.set(e.to, Math.max(column.get(e.to)!, column.get(e.from)! + 1));
  }
  const linesOf = (n: string) => flow.labels.get(n) ?? [n];
  const heightOf = (n: string) => linesOf(n).length * LINE + 14;
  const columns = Math.max(...column.values()) + 1;
  // Each column as wide as its longest line (bold 12px is about 7.4 px a glyph).
  const colWidth: number[] = Array(columns).fill(MIN_W);
  for (const n of flow.order) {
    const c = column.get(n)!;
    colWidth[c] = Math.max(colWidth[c], Math.ceil(Math.max(...linesOf(n).map((l) => l.length)) * 7.4 + 20));
  }
  const colX = colWidth.map((_, c) => PAD + colWidth.slice(0, c).reduce((a, b) => a + b + COL_GAP, 0));
  const pos = new Map<string, { x: number; y: number; w: number; h: number }>();
  const colHeights: number[] = Array(columns).fill(TOP);
  for (const n of flow.order) {
    const c = column.get(n)!;
    const h = heightOf(n);
    pos.set(n, { x: colX[c], y: colHeights[c], w: colWidth[c], h });
    colHeights[c] += h + GAP;
  }
  const width = colX[columns - 1] + colWidth[columns - 1] + PAD;
  const height = Math.max(...colHeights) + PAD;
  const out = svgOpen(width, height);
  out.push(`<text x="${PAD}" y="${PAD + 16}" font-size="16" font-weight="bold" fill="#202124">${esc(title)}</text>`);
  for (const e of flow.edges) {
    const a = pos.get(e.from)!;
    const b = pos.get(e.to)!;
    const x1 = a.x + a.w;
    const y1 = a.y + a.h / 2;
    const x2 = b.x;
    const y2 = b.y + b.h / 2;
    const mid = (x1 + x2) / 2;
    out.push(`<path d="M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2 - 2} ${y2}" fill="none" stroke="#5f6368" stroke-width="1.2" marker-end="url(#arrow)"/>`);
    if (e.label) out.push(`<text x="${mid}" y="${(y1 + y2) / 2 - 4}" font-size="10" text-anchor="middle" fill="#5f6368">${esc(e.label)}</text>`);
  }
  for (const n of flow.order) {
    const p = pos.get(n)!;
    const lines = linesOf(n);
    out.push(`<rect x="${p.x}" y="${p.y}" width="${p.w}" height="${p.h}" rx="5" fill="#e3f0fb" stroke="#1a73e8"/>`);
    lines.forEach((l, i) => {
      out.push(`<text x="${p.x + p.w / 2}" y="${p.y + 18 + i * LINE}" font-size="${i === 0 ? 12 : 11}" ${i === 0 ? 'font-weight="bold" ' : ""}text-anchor="middle" fill="#202124">${esc(l)}</text>`);
    });
  }
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

/** The first ```mermaid block of a Markdown document. */
export function mermaidBlock(doc: string): string {
  const m = /```mermaid\n([\s\S]*?)```/.exec(doc);
  if (!m) throw new Error("README.md has no mermaid block");
  return m[1];
}
