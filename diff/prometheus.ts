import { tryParseYaml } from "./rules";
import { Change, FieldChange } from "./types";
import { diffRecord, display, flatten, isObject, keyBy } from "./values";

interface ScrapeConfigFile {
  readonly file: string;
  readonly doc: Record<string, unknown>;
}

/** Rendered Prometheus configurations: any YAML file with a `scrape_configs` list. */
export function findPrometheusConfigs(rendered: ReadonlyMap<string, string>): ScrapeConfigFile[] {
  const out: ScrapeConfigFile[] = [];
  for (const [file, text] of rendered) {
    if (!/\.ya?ml$/.test(file)) continue;
    const doc = tryParseYaml(text);
    // Promtail's config also has scrape_configs (of log files); it has clients/positions, Prometheus' has not.
    if (isObject(doc) && Array.isArray(doc.scrape_configs) && !("clients" in doc) && !("positions" in doc)) out.push({ file, doc });
  }
  return out;
}

const jobTargets = (job: Record<string, unknown>): string[] =>
  (Array.isArray(job.static_configs) ? job.static_configs : []).flatMap((sc) => (isObject(sc) && Array.isArray(sc.targets) ? sc.targets.map(String) : []));

/** Targets as a reviewer wants them: the full list before/after plus what was added and removed. */
function targetChange(before: string[], after: string[]): FieldChange[] {
  if (before.join("\n") === after.join("\n")) return [];
  const added = after.filter((t) => !before.includes(t));
  const removed = before.filter((t) => !after.includes(t));
  const note = [added.length ? `+ ${added.join(", ")}` : "", removed.length ? `− ${removed.join(", ")}` : ""].filter(Boolean).join("; ");
  return [{ field: "targets", before: before.join(", "), after: after.join(", "), ...(note ? { note } : { note: "order changed" }) }];
}

const withoutTargets = (job: Record<string, unknown>) => {
  const rest: Record<string, unknown> = { ...job };
  delete rest.job_name;
  const sc = Array.isArray(job.static_configs) ? job.static_configs : [];
  // static_configs' labels stay visible; their targets are reported on their own.
  const labels = sc.map((s) => (isObject(s) ? s.labels : undefined)).filter((l) => l !== undefined);
  delete rest.static_configs;
  if (labels.length) rest.static_labels = labels;
  return rest;
};

/** Scrape jobs and global settings of one stack's Prometheus configuration(s). */
export function diffPrometheus(stack: string, before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): Change[] {
  const changes: Change[] = [];
  const bFiles = new Map(findPrometheusConfigs(before).map((c) => [c.file, c.doc]));
  const aFiles = new Map(findPrometheusConfigs(after).map((c) => [c.file, c.doc]));
  for (const file of [...new Set([...bFiles.keys(), ...aFiles.keys()])].sort()) {
    const b = bFiles.get(file) ?? {};
    const a = aFiles.get(file) ?? {};
    const jobs = (d: Record<string, unknown>) =>
      keyBy((Array.isArray(d.scrape_configs) ? d.scrape_configs : []).filter(isObject), (j) => String(j.job_name ?? "(unnamed)"));
    const bJobs = jobs(b);
    const aJobs = jobs(a);
    for (const [name, job] of aJobs) {
      const old = bJobs.get(name);
      if (!old) {
        const fields: FieldChange[] = [{ field: "targets", after: jobTargets(job).join(", ") }];
        for (const k of ["metrics_path", "scrape_interval"]) if (job[k] !== undefined) fields.push({ field: k, after: display(job[k]) });
        changes.push({ kind: "scrape_job", action: "added", stack, id: name, source: file, fields });
        continue;
      }
      const fields = [...targetChange(jobTargets(old), jobTargets(job)), ...diffRecord(flatten(withoutTargets(old)), flatten(withoutTargets(job)))];
      if (fields.length) changes.push({ kind: "scrape_job", action: "changed", stack, id: name, source: file, fields });
    }
    for (const [name, job] of bJobs) {
      if (!aJobs.has(name)) changes.push({ kind: "scrape_job", action: "removed", stack, id: name, source: file, fields: [{ field: "targets", before: jobTargets(job).join(", ") }] });
    }
    const rest = (d: Record<string, unknown>) => Object.fromEntries(Object.entries(d).filter(([k]) => k !== "scrape_configs"));
    const global = diffRecord(flatten(rest(b)), flatten(rest(a)));
    if (global.length) {
      const action = bFiles.has(file) ? (aFiles.has(file) ? "changed" : "removed") : "added";
      changes.push({ kind: "prometheus_global", action, stack, id: file, source: file, fields: global });
    }
  }
  return changes;
}
