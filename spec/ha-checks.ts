import { type Duration, formatDuration } from "./duration";
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
  readonly alertmanagerPeers?: number;
  readonly peerTimeout?: Duration;
  /** groupInterval of each routing tier, by tier name. */
  readonly groupIntervals?: Readonly<Record<string, Duration>>;
}): HaIssue[] {
  const issues: HaIssue[] = [];
  // Peer k of an Alertmanager cluster sends what it saw when its flush began, after k x peerTimeout,
  // unless the notification log says it was sent. When the first peer's next group_interval tick
  // (a "resolved") lands inside that wait, the log no longer matches and the waiting peer sends its
  // stale "firing" after the "resolved": a duplicate pair (seen live in npm run verify:ha with a 5 s
  // group interval and a 30 s wait). A group interval longer than the slowest wait rules it out.
  const peers = input.alertmanagerPeers ?? 1;
  if (peers > 1 && input.peerTimeout !== undefined) {
    const slowestWait = (peers - 1) * input.peerTimeout;
    for (const [tier, interval] of Object.entries(input.groupIntervals ?? {})) {
      if (interval <= slowestWait) {
        issues.push({
          path: ["services", "alertmanager", "config", "routing", tier, "groupInterval"],
          message: `${formatDuration(interval)} is not longer than the slowest Alertmanager peer's wait (${peers - 1} x services.alertmanager.cluster.peerTimeout ${formatDuration(input.peerTimeout)} = ${formatDuration(slowestWait as Duration)}): a peer still waiting when an alert resolves would send its stale "firing" after the "resolved"; use more than ${formatDuration(slowestWait as Duration)} or a shorter peerTimeout`,
        });
      }
    }
  }
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
