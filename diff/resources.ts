import { replacementReason, replacementRule } from "./provider-facts";
import { Change, ChangeKind, FieldChange } from "./types";
import { diffRecord, display, flatten, isObject, lineDelta, sameValue, stableStringify } from "./values";

export interface TfResource {
  readonly type: string;
  readonly name: string;
  readonly body: Record<string, unknown>;
}

/** Removes cdktf's `//` metadata blocks (construct paths), which are not configuration. */
export function stripMeta(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripMeta);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).filter(([k]) => k !== "//").map(([k, x]) => [k, stripMeta(x)]));
  return v;
}

/** Every `resource` block of a cdk.tf.json, keyed by its address `type.name`. */
export function resourcesOf(tf: Record<string, unknown>): Map<string, TfResource> {
  const out = new Map<string, TfResource>();
  const blocks = isObject(tf.resource) ? tf.resource : {};
  for (const type of Object.keys(blocks).sort()) {
    const byName = blocks[type];
    if (!isObject(byName)) continue;
    for (const name of Object.keys(byName).sort()) {
      const body = stripMeta(byName[name]);
      out.set(`${type}.${name}`, { type, name, body: isObject(body) ? body : {} });
    }
  }
  return out;
}

const REF = /\$\{([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}/g;

/** What identifies a resource for the ones that reference it: its ForceNew attributes (or its name). */
function identity(r: TfResource): string {
  const rule = replacementRule(r.type);
  const keys = rule?.noUpdate ? Object.keys(r.body) : rule ? [...rule.forceNew].filter((k) => r.body[k] !== undefined) : ["name"];
  if (r.type === "docker_image" && typeof r.body.name === "string") return r.body.name;
  return keys.length ? keys.sort().map((k) => `${k}=${display(r.body[k])}`).join(", ") : "";
}

/**
 * Replaces references to other resources of the stack by what they stand for, so a replaced
 * docker_image shows as a changed `image` of the container that uses it. A docker_image's id is
 * shown as the image name (`prom/prometheus:v3.5.0`).
 */
export function resolveRefs(v: unknown, resources: ReadonlyMap<string, TfResource>): unknown {
  if (typeof v === "string") {
    return v.replace(REF, (whole, type: string, name: string, attr: string) => {
      const r = resources.get(`${type}.${name}`);
      if (!r) return whole;
      const literal = r.body[attr];
      if (typeof literal === "string" || typeof literal === "number") return String(literal);
      if (type === "docker_image" && typeof r.body.name === "string") return r.body.name;
      const id = identity(r);
      return id ? `${type}.${name}.${attr} (${id})` : whole;
    });
  }
  if (Array.isArray(v)) return v.map((x) => resolveRefs(x, resources));
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveRefs(x, resources)]));
  return v;
}

const topAttribute = (field: string) => field.split(/[.[ ]/)[0];

function uploads(body: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  for (const u of Array.isArray(body.upload) ? body.upload : []) {
    if (!isObject(u) || typeof u.file !== "string") continue;
    const text =
      typeof u.content_base64 === "string"
        ? Buffer.from(u.content_base64, "base64").toString("utf8")
        : typeof u.content === "string"
          ? u.content
          : stableStringify({ source: u.source, source_hash: u.source_hash });
    const extra = Object.fromEntries(Object.entries(u).filter(([k]) => !["file", "content", "content_base64", "source", "source_hash"].includes(k)));
    out.set(u.file, Object.keys(extra).length ? `${text}\n${stableStringify(extra)}` : text);
  }
  return out;
}

const lines = (s: string) => `${s.split("\n").length} lines`;

function uploadChanges(before: Record<string, unknown>, after: Record<string, unknown>): FieldChange[] {
  const b = uploads(before);
  const a = uploads(after);
  const out: FieldChange[] = [];
  for (const file of [...new Set([...b.keys(), ...a.keys()])].sort()) {
    const x = b.get(file);
    const y = a.get(file);
    if (x === y) continue;
    const delta = x !== undefined && y !== undefined ? lineDelta(x, y) : undefined;
    out.push({
      field: `upload ${file}`,
      ...(x !== undefined ? { before: lines(x) } : {}),
      ...(y !== undefined ? { after: lines(y) } : {}),
      ...(delta ? { note: `+${delta.added} −${delta.removed} lines` } : {}),
    });
  }
  return out;
}

const labelMap = (v: unknown): Record<string, unknown> =>
  Array.isArray(v)
    ? Object.fromEntries(v.filter(isObject).map((l) => [String(l.label ?? l.key ?? ""), l.value]))
    : isObject(v)
      ? v
      : {};

/**
 * Provider defaults: a field absent on one side and at its default on the other is no change for
 * Terraform (kreuzwerker/docker: ports' protocol tcp and ip 0.0.0.0, healthcheck durations 0s, ...).
 */
const DEFAULTS: Readonly<Record<string, ReadonlyArray<[RegExp, unknown]>>> = {
  docker_container: [
    [/^ports\[\d+\]\.protocol$/, "tcp"],
    [/^ports\[\d+\]\.ip$/, "0.0.0.0"],
    [/^healthcheck\.(interval|timeout|start_period|start_interval)$/, "0s"],
    [/^healthcheck\.retries$/, 0],
    [/^restart$/, "no"],
    [/^(must_run|start|remove_volumes)$/, true],
    [/^(rm|read_only|tty|stdin_open|attach|logs|wait|privileged|publish_all_ports)$/, false],
    [/^network_mode$/, "bridge"],
  ],
  docker_image: [[/^(keep_locally|force_remove)$/, false]],
};

const isDefault = (type: string, field: string, v: unknown) => (DEFAULTS[type] ?? []).some(([re, d]) => re.test(field) && sameValue(d, v));

/** Empty lists and blocks mean the same as absent ones to Terraform. */
function dropEmpty(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropEmpty);
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const y = dropEmpty(x);
      if (y === null || y === undefined || (Array.isArray(y) && y.length === 0) || (isObject(y) && Object.keys(y).length === 0)) continue;
      out[k] = y;
    }
    return out;
  }
  return v;
}

/** `127.0.0.1:9090→9090/tcp` for docker port blocks. */
export function portsText(v: unknown): string | undefined {
  if (!Array.isArray(v) || !v.every(isObject)) return undefined;
  return v.map((p) => `${p.ip ?? "0.0.0.0"}:${p.external ?? "random"}→${p.internal}/${p.protocol ?? "tcp"}`).join(", ");
}

/** Field-level changes of one resource (references already resolved). */
function resourceFields(type: string, rawBefore: Record<string, unknown>, rawAfter: Record<string, unknown>): FieldChange[] {
  const before = dropEmpty(rawBefore) as Record<string, unknown>;
  const after = dropEmpty(rawAfter) as Record<string, unknown>;
  const out: FieldChange[] = [];
  const handled = new Set<string>();
  if (type === "docker_container") {
    handled.add("upload");
    out.push(...uploadChanges(before, after));
    handled.add("labels");
    out.push(...diffRecord(labelMap(before.labels), labelMap(after.labels), "labels."));
  }
  for (const k of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    if (handled.has(k) || sameValue(before[k], after[k])) continue;
    const b = before[k];
    const a = after[k];
    if ((b === undefined && isDefault(type, k, a)) || (a === undefined && isDefault(type, k, b))) continue;
    const scalarish = (x: unknown) => x === undefined || !isObject(x) && !(Array.isArray(x) && x.some((e) => isObject(e)));
    if (k === "ports" && portsText(b ?? []) !== undefined && portsText(a ?? []) !== undefined) {
      const [x, y] = [portsText(b ?? []), portsText(a ?? [])];
      if (x !== y) out.push({ field: k, ...(b !== undefined ? { before: x } : {}), ...(a !== undefined ? { after: y } : {}) });
    } else if (scalarish(b) && scalarish(a)) {
      out.push({ field: k, ...(b !== undefined ? { before: display(b) } : {}), ...(a !== undefined ? { after: display(a) } : {}) });
    } else {
      // Blocks (ports, healthcheck, networks_advanced, json): one row per leaf that differs.
      const fields = diffRecord(flatten(b, k), flatten(a, k)).filter(
        (f) => !((f.before === undefined && isDefault(type, f.field, flatten(a, k)[f.field])) || (f.after === undefined && isDefault(type, f.field, flatten(b, k)[f.field]))),
      );
      out.push(...(fields.length ? fields : [{ field: k, before: display(b), after: display(a) }]));
    }
  }
  for (let i = 0; i < out.length; i++) {
    const f = out[i];
    const x = before[f.field];
    const y = after[f.field];
    if (f.field === "image" && typeof x === "string" && typeof y === "string") {
      const repo = (s: string) => s.replace(/(:[^/:@]+)?(@.*)?$/, "");
      const tag = (s: string) => s.slice(repo(s).length).replace(/^:/, "") || "latest";
      if (repo(x) === repo(y)) out[i] = { ...f, note: `image tag ${tag(x)} → ${tag(y)}` };
    } else if (Array.isArray(x) && Array.isArray(y) && [...x, ...y].every((e) => typeof e === "string")) {
      const added = y.filter((e) => !x.includes(e));
      const removed = x.filter((e) => !y.includes(e));
      const note = [added.length ? `+ ${added.join(" ")}` : "", removed.length ? `− ${removed.join(" ")}` : ""].filter(Boolean).join("; ");
      out[i] = { ...f, note: note || "order changed" };
    }
  }
  return out.map((f) => {
    const reason = replacementReason(type, topAttribute(f.field));
    if (!reason) return f;
    return { ...f, forcesReplacement: true, ...(reason === "ForceNew" ? {} : { note: [f.note, reason].filter(Boolean).join("; ") }) };
  });
}

const kindOf = (type: string): ChangeKind => (type === "docker_container" ? "container" : "resource");
const titleOf = (body: Record<string, unknown>) =>
  typeof body.name === "string" ? body.name : typeof body.title === "string" ? body.title : undefined;

/** Added, removed, replaced and changed resources of one stack; `skip` types are reported elsewhere. */
export function diffResources(stack: string, beforeTf: Record<string, unknown>, afterTf: Record<string, unknown>, skip: ReadonlySet<string> = new Set()): Change[] {
  const b = resourcesOf(beforeTf);
  const a = resourcesOf(afterTf);
  const changes: Change[] = [];
  const summaryFields = (r: TfResource, side: "before" | "after"): FieldChange[] => {
    const body = resolveRefs(r.body, side === "before" ? b : a) as Record<string, unknown>;
    const keys = r.type === "docker_container" ? ["image", "command", "ports"] : Object.keys(body).filter((k) => !isObject(body[k]) && !Array.isArray(body[k])).slice(0, 6);
    return keys.filter((k) => body[k] !== undefined).map((k) => ({ field: k, [side]: (k === "ports" ? portsText(body[k]) : undefined) ?? display(body[k]) }));
  };
  for (const [address, r] of a) {
    if (skip.has(r.type)) continue;
    const old = b.get(address);
    if (!old) {
      changes.push({ kind: kindOf(r.type), action: "added", stack, id: address, title: titleOf(r.body), fields: summaryFields(r, "after") });
      continue;
    }
    const fields = resourceFields(r.type, resolveRefs(old.body, b) as Record<string, unknown>, resolveRefs(r.body, a) as Record<string, unknown>);
    if (!fields.length) continue;
    const forcedBy = [...new Set(fields.filter((f) => f.forcesReplacement).map((f) => topAttribute(f.field)))];
    changes.push({
      kind: kindOf(r.type),
      action: forcedBy.length ? "replaced" : "changed",
      stack,
      id: address,
      title: titleOf(r.body) ?? titleOf(old.body),
      fields,
      ...(forcedBy.length ? { forcedBy } : {}),
    });
  }
  for (const [address, r] of b) {
    if (skip.has(r.type) || a.has(address)) continue;
    changes.push({ kind: kindOf(r.type), action: "removed", stack, id: address, title: titleOf(r.body), fields: summaryFields(r, "before") });
  }
  return changes;
}

/** Outputs, providers, variables, data sources and the terraform block: changed settings per block. */
export function diffTerraformBlocks(stack: string, beforeTf: Record<string, unknown>, afterTf: Record<string, unknown>): Change[] {
  const changes: Change[] = [];
  const blocks = (tf: Record<string, unknown>) => {
    const out = new Map<string, unknown>();
    for (const [section, v] of Object.entries(tf)) {
      if (section === "resource" || section === "//") continue;
      if (section === "terraform" || section === "locals" || !isObject(v)) out.set(section, stripMeta(v));
      else for (const [k, x] of Object.entries(v)) out.set(`${section}.${k}`, stripMeta(x));
    }
    return out;
  };
  const b = blocks(beforeTf);
  const a = blocks(afterTf);
  for (const key of [...new Set([...b.keys(), ...a.keys()])].sort()) {
    const x = b.get(key);
    const y = a.get(key);
    if (sameValue(x, y)) continue;
    const fields = diffRecord(x === undefined ? undefined : flatten(x), y === undefined ? undefined : flatten(y));
    const action = x === undefined ? "added" : y === undefined ? "removed" : "changed";
    changes.push({ kind: "terraform", action, stack, id: key, fields: fields.length ? fields : [{ field: key, ...(x !== undefined ? { before: display(x) } : {}), ...(y !== undefined ? { after: display(y) } : {}) }] });
  }
  return changes;
}
