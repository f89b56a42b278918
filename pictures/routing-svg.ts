import { parse } from "yaml";
import { CHAR, esc, fit, svgOpen } from "./svg";

/**
 * The Alertmanager routing tree as a picture, read from the rendered alertmanager.yml (not from
 * the spec that produced it, so it shows what Alertmanager gets): every route with its matchers,
 * receiver, `continue` and timings, in evaluation order, an arrow to its receiver, each receiver
 * with its integrations, and the inhibition rules. Generic over the config's shape: any receivers,
 * any depth of routes. Pure: the same file gives the same bytes.
 */

interface Route {
  readonly receiver?: string;
  readonly matchers?: readonly string[];
  readonly match?: Readonly<Record<string, string>>;
  readonly match_re?: Readonly<Record<string, string>>;
  readonly continue?: boolean;
  readonly group_by?: readonly string[];
  readonly group_wait?: string;
  readonly group_interval?: string;
  readonly repeat_interval?: string;
  readonly routes?: readonly Route[];
}
interface Receiver {
  readonly name: string;
  readonly [integration: string]: unknown;
}
interface Inhibit {
  readonly source_matchers?: readonly string[];
  readonly target_matchers?: readonly string[];
  readonly equal?: readonly string[];
}

const ROW = 46;
const PAD = 16;
const INDENT = 28;
const ROUTE_W = 470;
const RECV_X = 640;
const RECV_W = 300;
const HEADER = 60;

function matchersOf(r: Route): string[] {
  return [
    ...(r.matchers ?? []),
    ...Object.entries(r.match ?? {}).map(([k, v]) => `${k}="${v}"`),
    ...Object.entries(r.match_re ?? {}).map(([k, v]) => `${k}=~"${v}"`),
  ];
}

function timings(r: Route): string {
  const t = [
    r.group_wait && `wait ${r.group_wait}`,
    r.group_interval && `interval ${r.group_interval}`,
    r.repeat_interval && `repeat ${r.repeat_interval}`,
  ].filter(Boolean);
  return t.join(" · ");
}

/** Integration kinds of a receiver (`slack_configs` -> slack ×1), or "no integration (drops)". */
function integrations(r: Receiver): string {
  const kinds = Object.entries(r)
    .filter(([k, v]) => k.endsWith("_configs") && Array.isArray(v) && v.length > 0)
    .map(([k, v]) => `${k.slice(0, -"_configs".length)}${(v as unknown[]).length > 1 ? ` ×${(v as unknown[]).length}` : ""}`)
    .sort();
  return kinds.length ? kinds.join(", ") : "no integration (drops the alert)";
}

export function renderRoutingSvg(alertmanagerYaml: string, title: string): string {
  const cfg = parse(alertmanagerYaml) as { route?: Route; receivers?: Receiver[]; inhibit_rules?: Inhibit[] };
  if (!cfg?.route) throw new Error("alertmanager.yml has no route");
  const receivers = cfg.receivers ?? [];
  const rows: Array<{ route: Route; depth: number; inherited: string }> = [];
  const walk = (r: Route, depth: number, inherited: string) => {
    rows.push({ route: r, depth, inherited });
    for (const c of r.routes ?? []) walk(c, depth + 1, r.receiver ?? inherited);
  };
  walk(cfg.route, 0, cfg.route.receiver ?? "");
  const inhibits = cfg.inhibit_rules ?? [];
  const recvY = (i: number) => HEADER + i * ROW;
  const treeBottom = HEADER + rows.length * ROW;
  const inhibitTop = Math.max(treeBottom, recvY(receivers.length)) + 30;
  const width = RECV_X + RECV_W + PAD;
  const height = inhibitTop + 24 + inhibits.length * 18 + PAD;

  const out = svgOpen(width, height);
  out.push(
    `<text x="${PAD}" y="${PAD + 18}" font-size="18" font-weight="bold" fill="#202124">${esc(title)}</text>`,
    `<text x="${PAD}" y="${PAD + 36}" font-size="12" fill="#5f6368">routes in evaluation order (first match wins unless ↓ continue) · arrows: where a matching alert goes · read from the rendered alertmanager.yml</text>`,
  );
  receivers.forEach((r, i) => {
    const y = recvY(i);
    out.push(
      `<rect x="${RECV_X}" y="${y}" width="${RECV_W}" height="${ROW - 8}" rx="4" fill="#fef7e0" stroke="#f9ab00"/>`,
      `<text x="${RECV_X + 8}" y="${y + 16}" font-size="12" font-weight="bold" fill="#202124">${esc(fit(r.name, RECV_W - 16))}</text>`,
      `<text x="${RECV_X + 8}" y="${y + 31}" font-size="11" fill="#5f6368">${esc(fit(integrations(r), RECV_W - 16))}</text>`,
    );
  });
  rows.forEach(({ route, depth }, i) => {
    const x = PAD + depth * INDENT;
    const y = HEADER + i * ROW;
    const w = ROUTE_W - depth * INDENT;
    if (depth > 0) {
      const px = PAD + (depth - 1) * INDENT + 10;
      out.push(`<path d="M ${px} ${y - 8} V ${y + (ROW - 8) / 2} H ${x}" fill="none" stroke="#9aa0a6"/>`);
    }
    const m = matchersOf(route);
    const head = depth === 0 ? `root · group by ${(route.group_by ?? []).join(", ") || "–"}` : m.length ? m.join(", ") : "(matches everything)";
    const cont = route.continue ? " ↓ continue" : "";
    out.push(
      `<rect x="${x}" y="${y}" width="${w}" height="${ROW - 8}" rx="4" fill="${depth === 0 ? "#e8eaed" : "#e3f0fb"}" stroke="#9aa0a6"/>`,
      `<text x="${x + 8}" y="${y + 16}" font-size="12" font-weight="bold" font-family="monospace" fill="#202124">${esc(fit(head, w - 16 - cont.length * CHAR, 7.2))}</text>`,
    );
    if (cont) out.push(`<text x="${x + w - 8}" y="${y + 16}" font-size="11" text-anchor="end" fill="#188038">${esc(cont)}</text>`);
    out.push(`<text x="${x + 8}" y="${y + 31}" font-size="11" fill="#5f6368">${esc(fit(`→ ${route.receiver ?? "(parent's receiver)"}${timings(route) ? ` · ${timings(route)}` : ""}`, w - 16))}</text>`);
    const target = receivers.findIndex((r) => r.name === route.receiver);
    if (target >= 0) {
      const ty = recvY(target) + (ROW - 8) / 2;
      out.push(`<path d="M ${x + w} ${y + (ROW - 8) / 2} C ${RECV_X - 70} ${y + (ROW - 8) / 2}, ${RECV_X - 70} ${ty}, ${RECV_X - 2} ${ty}" fill="none" stroke="${route.continue ? "#188038" : "#5f6368"}" stroke-width="1.2" marker-end="url(#arrow)"/>`);
    }
  });
  out.push(`<text x="${PAD}" y="${inhibitTop}" font-size="13" font-weight="bold" fill="#202124">Inhibitions (a firing source mutes matching targets with equal labels)</text>`);
  inhibits.forEach((r, i) => {
    const line = `${(r.source_matchers ?? []).join(", ")}  mutes  ${(r.target_matchers ?? []).join(", ")}  when equal: ${(r.equal ?? []).join(", ") || "–"}`;
    out.push(`<text x="${PAD}" y="${inhibitTop + 20 + i * 18}" font-size="11" font-family="monospace" fill="#3c4043">${esc(fit(line, width - 2 * PAD, 6.6))}</text>`);
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
