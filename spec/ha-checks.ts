import { REPLICA_LABEL, type StoreSpec } from "./store";

/** Cross-field checks of the HA settings (called from spec/checks.ts). */
export interface HaIssue {
  readonly path: Array<string | number>;
  readonly message: string;
}

export function haIssues(input: {
  readonly replicas: number;
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly store: StoreSpec;
}): HaIssue[] {
  const issues: HaIssue[] = [];
  if (input.replicas > 1 && input.store.kind === "none") {
    issues.push({
      path: ["prometheus", "replicas"],
      message: `${input.replicas} replicas need a store that deduplicates them (store.kind "thanos-receive" or "external"); with store.kind "none" every graph would show each series ${input.replicas} times`,
    });
  }
  if (input.replicas > 1 && REPLICA_LABEL in input.externalLabels) {
    issues.push({
      path: ["prometheus", "externalLabels", REPLICA_LABEL],
      message: `"${REPLICA_LABEL}" is set per replica when prometheus.replicas is ${input.replicas}; remove it from externalLabels`,
    });
  }
  return issues;
}
