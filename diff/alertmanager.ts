import { tryParseYaml } from "./rules";
import { Change, ChangeAction } from "./types";
import { diffRecord, flatten, isObject, keyBy } from "./values";

/** Rendered Alertmanager configurations: any YAML file with a `route` object and `receivers` list. */
export function findAlertmanagerConfigs(rendered: ReadonlyMap<string, string>): Array<{ file: string; doc: Record<string, unknown> }> {
  const out: Array<{ file: string; doc: Record<string, unknown> }> = [];
  for (const [file, text] of rendered) {
    if (!/\.ya?ml$/.test(file)) continue;
    const doc = tryParseYaml(text);
    if (isObject(doc) && isObject(doc.route) && Array.isArray(doc.receivers)) out.push({ file, doc });
  }
  return out;
}

interface FlatRoute {
  readonly key: string;
  readonly position: string;
  readonly route: Record<string, unknown>;
}

const matcherText = (r: Record<string, unknown>): string => {
  const m: string[] = [];
  if (Array.isArray(r.matchers)) m.push(...r.matchers.map(String));
  for (const legacy of ["match", "match_re"] as const) {
    const o = r[legacy];
    if (isObject(o)) for (const [k, v] of Object.entries(o)) m.push(`${k}${legacy === "match" ? "=" : "=~"}${JSON.stringify(v)}`);
  }
  return m.join(", ");
};

/**
 * The route tree as a list: each route is named by its matchers (and its parents'), so a changed
 * receiver or timing shows as a change of that route; `position` reports a move in the first-match order.
 */
function flattenRoutes(root: Record<string, unknown>): FlatRoute[] {
  const out: FlatRoute[] = [];
  const walk = (r: Record<string, unknown>, parentKey: string | undefined, position: string) => {
    const own = matcherText(r) || (parentKey === undefined ? "(root)" : "(catch-all)");
    const key = parentKey ? `${parentKey} › ${own}` : own;
    out.push({ key, position, route: r });
    const children = Array.isArray(r.routes) ? r.routes.filter(isObject) : [];
    // Children of the root are named by their own matchers only; deeper ones carry their parents'.
    children.forEach((c, i) => walk(c, parentKey === undefined ? "" : key, position ? `${position}.${i + 1}` : `${i + 1}`));
  };
  walk(root, undefined, "");
  return out;
}

const routeFields = (r: FlatRoute) => {
  const rest: Record<string, unknown> = { ...r.route, position: r.position || "root" };
  delete rest.routes;
  delete rest.matchers;
  delete rest.match;
  delete rest.match_re;
  return rest;
};

function diffKeyed(
  kind: Change["kind"],
  stack: string,
  file: string,
  before: Map<string, Record<string, unknown>>,
  after: Map<string, Record<string, unknown>>,
): Change[] {
  const out: Change[] = [];
  const emit = (action: ChangeAction, id: string, b?: Record<string, unknown>, a?: Record<string, unknown>) => {
    const fields = diffRecord(b ? flatten(b) : undefined, a ? flatten(a) : undefined);
    if (fields.length) out.push({ kind, action, stack, id, source: file, fields });
  };
  for (const [k, v] of after) emit(before.has(k) ? "changed" : "added", k, before.get(k), v);
  for (const [k, v] of before) if (!after.has(k)) emit("removed", k, v, undefined);
  return out;
}

/** Routes, receivers, inhibitions and global settings of one stack's Alertmanager configuration(s). */
export function diffAlertmanager(stack: string, before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): Change[] {
  const changes: Change[] = [];
  const bFiles = new Map(findAlertmanagerConfigs(before).map((c) => [c.file, c.doc]));
  const aFiles = new Map(findAlertmanagerConfigs(after).map((c) => [c.file, c.doc]));
  for (const file of [...new Set([...bFiles.keys(), ...aFiles.keys()])].sort()) {
    const b = bFiles.get(file) ?? {};
    const a = aFiles.get(file) ?? {};
    const routes = (d: Record<string, unknown>) =>
      new Map([...keyBy(isObject(d.route) ? flattenRoutes(d.route) : [], (r) => r.key)].map(([k, r]) => [k, routeFields(r)]));
    changes.push(...diffKeyed("alertmanager_route", stack, file, routes(b), routes(a)));

    const receivers = (d: Record<string, unknown>) =>
      new Map([...keyBy((Array.isArray(d.receivers) ? d.receivers : []).filter(isObject), (r) => String(r.name))].map(([k, r]) => {
        const rest = { ...r };
        delete rest.name;
        return [k, Object.keys(rest).length ? rest : { integrations: "none" }];
      }));
    changes.push(...diffKeyed("alertmanager_receiver", stack, file, receivers(b), receivers(a)));

    const inhibitions = (d: Record<string, unknown>) =>
      new Map(
        [...keyBy((Array.isArray(d.inhibit_rules) ? d.inhibit_rules : []).filter(isObject), (r) => {
          const src = Array.isArray(r.source_matchers) ? r.source_matchers.map(String).join(", ") : matcherText({ match: r.source_match, match_re: r.source_match_re });
          return `source ${src || "(any)"}`;
        })],
      );
    changes.push(...diffKeyed("alertmanager_inhibition", stack, file, inhibitions(b), inhibitions(a)));

    const rest = (d: Record<string, unknown>) => Object.fromEntries(Object.entries(d).filter(([k]) => !["route", "receivers", "inhibit_rules"].includes(k)));
    const global = diffRecord(flatten(rest(b)), flatten(rest(a)));
    if (global.length) {
      const action: ChangeAction = bFiles.has(file) ? (aFiles.has(file) ? "changed" : "removed") : "added";
      changes.push({ kind: "alertmanager_global", action, stack, id: file, source: file, fields: global });
    }
  }
  return changes;
}

