import { resourcesOf, stripMeta } from "./resources";
import { Change, FieldChange } from "./types";
import { diffRecord, display, flatten, isObject, keyBy, sameValue } from "./values";

/** One dashboard found in a stack: from a grafana_dashboard's config_json or a rendered JSON file. */
export interface FoundDashboard {
  readonly key: string;
  readonly source: string;
  readonly model: Record<string, unknown> | undefined;
  /** Resource attributes other than config_json (folder, overwrite, ...), when from a resource. */
  readonly attributes: Record<string, unknown>;
}

const parseJson = (s: string): unknown => {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
};

/** Grafana's dashboard JSON, possibly wrapped as `{ dashboard: {...} }` (the HTTP API shape). */
const unwrap = (v: unknown): Record<string, unknown> | undefined =>
  isObject(v) && isObject(v.dashboard) && Array.isArray(v.dashboard.panels) ? v.dashboard : isObject(v) && Array.isArray(v.panels) ? v : undefined;

export function findDashboards(tf: Record<string, unknown>, rendered: ReadonlyMap<string, string>): Map<string, FoundDashboard> {
  const found: FoundDashboard[] = [];
  for (const [address, r] of resourcesOf(tf)) {
    if (r.type !== "grafana_dashboard") continue;
    const raw = r.body.config_json;
    // cdktf escapes a literal "${" in strings as "$${"; undo that before parsing.
    const model = typeof raw === "string" ? unwrap(parseJson(raw.replace(/\$\$\{/g, "${"))) : undefined;
    const attributes = { ...r.body };
    delete attributes.config_json;
    const uid = model && typeof model.uid === "string" ? model.uid : undefined;
    found.push({ key: uid ?? address, source: address, model, attributes: { ...attributes, ...(model ? {} : { config_json: raw }) } });
  }
  const fromResources = new Set(found.map((d) => d.key));
  for (const [file, text] of rendered) {
    if (!file.endsWith(".json")) continue;
    const model = unwrap(parseJson(text));
    if (!model) continue;
    const key = typeof model.uid === "string" ? model.uid : file;
    if (fromResources.has(key)) continue; // the same dashboard, shipped by a resource
    found.push({ key, source: `rendered/${file}`, model, attributes: {} });
  }
  return keyBy(found, (d) => d.key);
}

interface Panel {
  readonly key: string;
  readonly panel: Record<string, unknown>;
}

/** Panels, rows' nested panels included, keyed by id (stable in this project) or else by title. */
function panelsOf(model: Record<string, unknown> | undefined): Map<string, Panel> {
  const list: Record<string, unknown>[] = [];
  const walk = (ps: unknown) => {
    for (const p of Array.isArray(ps) ? ps : []) {
      if (!isObject(p)) continue;
      list.push(p);
      walk(p.panels);
    }
  };
  walk(model?.panels);
  return new Map(
    [...keyBy(list, (p) => (p.id !== undefined ? `#${p.id}` : `"${String(p.title ?? "untitled")}"`))].map(([k, p]) => [k, { key: k, panel: p }]),
  );
}

const gridText = (g: unknown) => (isObject(g) ? `x=${g.x ?? 0} y=${g.y ?? 0} w=${g.w ?? "?"} h=${g.h ?? "?"}` : undefined);

/** A panel's queries by refId: PromQL `expr`, LogQL, or the whole target when it has no expr. */
function queries(p: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  (Array.isArray(p.targets) ? p.targets : []).forEach((t, i) => {
    if (!isObject(t)) return;
    const ref = typeof t.refId === "string" ? t.refId : String.fromCharCode(65 + i);
    out[`query ${ref}`] = t.expr ?? t.query ?? t.rawSql ?? display(t);
  });
  return out;
}

function panelRest(p: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...p };
  for (const k of ["id", "gridPos", "targets", "panels", "title"]) delete rest[k];
  return flatten(rest);
}

const panelTitle = (p: Record<string, unknown>) => (typeof p.title === "string" ? p.title : undefined);

function diffPanels(stack: string, dashboard: string, source: string, before: Map<string, Panel>, after: Map<string, Panel>): Change[] {
  const out: Change[] = [];
  const id = (k: string, _p: Record<string, unknown>) => `${dashboard} ${k}`;
  for (const [k, { panel }] of after) {
    const old = before.get(k)?.panel;
    if (!old) {
      const fields: FieldChange[] = [
        ...(panel.type !== undefined ? [{ field: "type", after: display(panel.type) }] : []),
        ...(gridText(panel.gridPos) ? [{ field: "gridPos", after: gridText(panel.gridPos) }] : []),
        ...Object.entries(queries(panel)).map(([f, v]) => ({ field: f, after: display(v) })),
      ];
      out.push({ kind: "panel", action: "added", stack, id: id(k, panel), title: panelTitle(panel), source, fields });
      continue;
    }
    const moved = !sameValue(old.gridPos, panel.gridPos);
    const fields: FieldChange[] = [
      ...(panelTitle(old) !== panelTitle(panel) ? [{ field: "title", before: panelTitle(old) ?? "", after: panelTitle(panel) ?? "" }] : []),
      ...diffRecord(queries(old), queries(panel)),
      ...diffRecord(panelRest(old), panelRest(panel)),
    ];
    const grid: FieldChange[] = moved ? [{ field: "gridPos", before: gridText(old.gridPos) ?? "", after: gridText(panel.gridPos) ?? "" }] : [];
    if (fields.length) out.push({ kind: "panel", action: "changed", stack, id: id(k, panel), title: panelTitle(panel), source, fields: [...grid, ...fields] });
    else if (moved) out.push({ kind: "panel", action: "moved", stack, id: id(k, panel), title: panelTitle(panel), source, fields: grid });
  }
  for (const [k, { panel }] of before) {
    if (!after.has(k)) {
      out.push({
        kind: "panel",
        action: "removed",
        stack,
        id: id(k, panel),
        title: panelTitle(panel),
        source,
        fields: [...(panel.type !== undefined ? [{ field: "type", before: display(panel.type) }] : []), ...Object.entries(queries(panel)).map(([f, v]) => ({ field: f, before: display(v) }))],
      });
    }
  }
  return out;
}

function dashboardSettings(d: FoundDashboard | undefined): Record<string, unknown> {
  if (!d) return {};
  const model = { ...(d.model ?? {}) };
  for (const k of ["panels", "version", "id"]) delete model[k];
  return { ...flatten(model), ...flatten(stripMeta(d.attributes), "resource") };
}

/** Dashboards of one stack: added/removed/changed settings, and their panels. */
export function diffDashboards(stack: string, beforeTf: Record<string, unknown>, afterTf: Record<string, unknown>, before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): Change[] {
  const b = findDashboards(beforeTf, before);
  const a = findDashboards(afterTf, after);
  const out: Change[] = [];
  const title = (d?: FoundDashboard) => (d?.model && typeof d.model.title === "string" ? d.model.title : undefined);
  for (const key of [...new Set([...b.keys(), ...a.keys()])].sort()) {
    const x = b.get(key);
    const y = a.get(key);
    const name = key;
    if (!x && y) {
      out.push({ kind: "dashboard", action: "added", stack, id: name, title: title(y), source: y.source, fields: [{ field: "panels", after: String(panelsOf(y.model).size) }] });
      continue;
    }
    if (x && !y) {
      out.push({ kind: "dashboard", action: "removed", stack, id: name, title: title(x), source: x.source, fields: [{ field: "panels", before: String(panelsOf(x.model).size) }] });
      continue;
    }
    const settings = diffRecord(dashboardSettings(x), dashboardSettings(y));
    const forced = settings.filter((f) => f.field === "resource.org_id").map((f) => ({ ...f, forcesReplacement: true }));
    const rest = settings.filter((f) => f.field !== "resource.org_id");
    if (settings.length) {
      out.push({
        kind: "dashboard",
        action: forced.length ? "replaced" : "changed",
        stack,
        id: name,
        title: title(y),
        source: y?.source,
        fields: [...forced, ...rest],
        ...(forced.length ? { forcedBy: ["org_id"] } : {}),
      });
    }
    out.push(...diffPanels(stack, name, y?.source ?? "", panelsOf(x?.model), panelsOf(y?.model)));
  }
  return out;
}

/** Rendered files the dashboard diff understood. */
export function dashboardFiles(rendered: ReadonlyMap<string, string>): Set<string> {
  const out = new Set<string>();
  for (const [file, text] of rendered) if (file.endsWith(".json") && unwrap(parseJson(text))) out.add(file);
  return out;
}
