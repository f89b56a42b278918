/**
 * The PR preview's prediction (`npm run diff --format json`) against Terraform's real plan
 * (`terraform show -json`), resource by resource: the action, and for a replacement the
 * top-level attributes that force it (`replace_paths` against `forcedBy`).
 */

export type Action = "added" | "removed" | "changed" | "replaced";

export interface PlanRow {
  readonly address: string;
  readonly planned?: Action;
  readonly predicted?: Action;
  readonly plannedForcedBy: readonly string[];
  readonly predictedForcedBy: readonly string[];
  readonly agree: boolean;
}

interface PlanJson {
  resource_changes?: Array<{ address: string; change: { actions: string[]; replace_paths?: Array<Array<string | number>> } }>;
}

interface DiffJson {
  environments: Array<{ changes: Array<{ kind: string; action: string; id: string; forcedBy?: string[] }> }>;
}

function planAction(actions: readonly string[]): Action | undefined {
  const a = [...actions].sort().join(",");
  if (a === "create,delete") return "replaced";
  if (a === "update") return "changed";
  if (a === "create") return "added";
  if (a === "delete") return "removed";
  return undefined;
}

/** `upload /etc/prometheus/x.yml` and `labels.civicpulse.config-hash` name the attribute first. */
const attribute = (field: string) => field.split(/[ .[]/)[0];

export function comparePlanToDiff(plan: PlanJson, diff: DiffJson): PlanRow[] {
  const planned = new Map<string, { action: Action; forcedBy: string[] }>();
  for (const rc of plan.resource_changes ?? []) {
    const action = planAction(rc.change.actions);
    if (!action) continue;
    planned.set(rc.address, { action, forcedBy: [...new Set((rc.change.replace_paths ?? []).map((p) => String(p[0])))].sort() });
  }
  const predicted = new Map<string, { action: Action; forcedBy: string[] }>();
  for (const env of diff.environments) {
    for (const c of env.changes) {
      if (c.kind !== "container" && c.kind !== "resource") continue;
      if (!["added", "removed", "changed", "replaced"].includes(c.action)) continue;
      predicted.set(c.id, { action: c.action as Action, forcedBy: [...new Set((c.forcedBy ?? []).map(attribute))].sort() });
    }
  }
  const addresses = [...new Set([...planned.keys(), ...predicted.keys()])].sort();
  return addresses.map((address) => {
    const p = planned.get(address);
    const d = predicted.get(address);
    const plannedForcedBy = p?.forcedBy ?? [];
    const predictedForcedBy = d?.forcedBy ?? [];
    const agree =
      p !== undefined && d !== undefined && p.action === d.action && (p.action !== "replaced" || JSON.stringify(plannedForcedBy) === JSON.stringify(predictedForcedBy));
    return { address, planned: p?.action, predicted: d?.action, plannedForcedBy, predictedForcedBy, agree };
  });
}
