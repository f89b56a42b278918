/**
 * The data model of the semantic diff: what changed for the on-call engineer, per environment.
 * Every value is a short display string, so the JSON report and the Markdown comment say the same.
 */

/** Hidden marker the PR comment carries; the workflow finds (and updates) its comment by it. */
export const COMMENT_MARKER = "<!-- civicpulse-monitoring-diff -->";

/** GitHub rejects issue comments longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

export const JSON_SCHEMA_VERSION = 1;

export type ChangeKind =
  | "alert"
  | "recording_rule"
  | "scrape_job"
  | "prometheus_global"
  | "alertmanager_route"
  | "alertmanager_receiver"
  | "alertmanager_inhibition"
  | "alertmanager_global"
  | "dashboard"
  | "panel"
  | "container"
  | "resource"
  | "terraform"
  | "rendered_file"
  | "stack";

/** Display order and headings of the kinds. */
export const KIND_LABELS: Record<ChangeKind, { singular: string; plural: string; heading: string }> = {
  stack: { singular: "stack", plural: "stacks", heading: "Stacks" },
  alert: { singular: "alert", plural: "alerts", heading: "Alerts" },
  recording_rule: { singular: "recording rule", plural: "recording rules", heading: "Recording rules" },
  scrape_job: { singular: "scrape job", plural: "scrape jobs", heading: "Scrape jobs" },
  prometheus_global: { singular: "Prometheus setting", plural: "Prometheus settings", heading: "Prometheus settings" },
  alertmanager_route: { singular: "Alertmanager route", plural: "Alertmanager routes", heading: "Alertmanager routes" },
  alertmanager_receiver: { singular: "Alertmanager receiver", plural: "Alertmanager receivers", heading: "Alertmanager receivers" },
  alertmanager_inhibition: { singular: "inhibition", plural: "inhibitions", heading: "Alertmanager inhibitions" },
  alertmanager_global: { singular: "Alertmanager setting", plural: "Alertmanager settings", heading: "Alertmanager settings" },
  dashboard: { singular: "dashboard", plural: "dashboards", heading: "Dashboards" },
  panel: { singular: "panel", plural: "panels", heading: "Dashboard panels" },
  container: { singular: "container", plural: "containers", heading: "Containers" },
  resource: { singular: "resource", plural: "resources", heading: "Other resources" },
  terraform: { singular: "Terraform block", plural: "Terraform blocks", heading: "Terraform outputs, providers and variables" },
  rendered_file: { singular: "rendered file", plural: "rendered files", heading: "Other rendered files" },
};
export const KIND_ORDER = Object.keys(KIND_LABELS) as ChangeKind[];

/**
 * added/removed/changed as usual; `replaced` means Terraform destroys and recreates the resource
 * (`forcedBy` lists the attributes that force it); `moved` is a dashboard panel whose position changed.
 */
export type ChangeAction = "added" | "removed" | "changed" | "replaced" | "moved";
export const ACTION_ORDER: readonly ChangeAction[] = ["removed", "replaced", "changed", "moved", "added"];

export interface FieldChange {
  /** What changed, e.g. `expr`, `for`, `severity`, `threshold`, `labels.team`, `command`, `upload /etc/x.yml`. */
  readonly field: string;
  /** Absent when the field was added. */
  readonly before?: string;
  /** Absent when the field was removed. */
  readonly after?: string;
  /** The docker/grafana provider replaces the resource because of this field. */
  readonly forcesReplacement?: boolean;
  /** Why, when that is not obvious (e.g. `ForceNew in kreuzwerker/docker`). */
  readonly note?: string;
}

export interface Change {
  readonly kind: ChangeKind;
  readonly action: ChangeAction;
  /** Stack the change is in (monitoring-dev, grafana-prod, ...). */
  readonly stack: string;
  /** Name a reviewer recognises: the alert name, job name, `docker_container.prometheus_container_4574EB90`, ... */
  readonly id: string;
  /** Optional human title (a container's `name`, a dashboard's title, a panel's title). */
  readonly title?: string;
  /** Where it lives: the rendered file or Terraform resource address. */
  readonly source?: string;
  readonly fields: readonly FieldChange[];
  /** For `replaced`: the attributes that force the replacement. */
  readonly forcedBy?: readonly string[];
}

export interface EnvironmentDiff {
  readonly name: string;
  /** Stacks of this environment present on either side. */
  readonly stacks: readonly string[];
  readonly changes: readonly Change[];
}

export interface Counts {
  added: number;
  removed: number;
  changed: number;
  replaced: number;
  moved: number;
}

export interface DiffReport {
  readonly schemaVersion: typeof JSON_SCHEMA_VERSION;
  readonly marker: string;
  /** How the base and head were obtained (a git ref, a folder). */
  readonly base: string;
  readonly head: string;
  readonly changed: boolean;
  readonly summary: {
    readonly total: number;
    readonly byKind: Partial<Record<ChangeKind, Counts>>;
    /** Anything removed or replaced that Terraform destroys: resources, containers, stacks. */
    readonly destructive: ReadonlyArray<{ environment: string; stack: string; kind: ChangeKind; id: string; title?: string; action: ChangeAction; forcedBy?: readonly string[] }>;
  };
  readonly environments: readonly EnvironmentDiff[];
}

/** One synthesized stack: its Terraform JSON and its rendered files (relative to rendered/). */
export interface StackOutput {
  readonly name: string;
  readonly tf: Record<string, unknown>;
  readonly rendered: ReadonlyMap<string, string>;
}

/** A whole synthesized output folder (cdktf.out). */
export interface SynthOutput {
  readonly stacks: ReadonlyMap<string, StackOutput>;
}
