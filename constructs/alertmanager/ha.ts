import { Duration, formatDuration } from "../../spec/duration";

/**
 * An Alertmanager cluster: N peers that gossip silences and the notification log, so each
 * notification goes out once however many peers receive the alert (every Prometheus sends to every
 * peer). A peer waits `position x peerTimeout` before sending and skips what the log says another
 * peer already sent; that is what keeps delivery exactly-once when a peer is down.
 */

export const ALERTMANAGER_CLUSTER_PORT = 9094;

/** Service name (container alias) of peer `i`: "alertmanager", then "alertmanager-1", ... */
export const alertmanagerPeerName = (i: number) => (i === 0 ? "alertmanager" : `alertmanager-${i}`);

export interface ClusterFlagsInput {
  readonly peers: number;
  readonly index: number;
  readonly peerTimeout: Duration;
  /** Where this peer listens for gossip; inside its container (the port is never published). */
  readonly listen?: string;
  /** host:port of peer j's gossip listener. */
  readonly peerAddress?: (j: number) => string;
}

/**
 * The cluster flags of one peer. A single Alertmanager keeps gossip off (`--cluster.listen-address=`
 * empty: Debian's build would otherwise bind 0.0.0.0:9094).
 */
export function alertmanagerClusterFlags(input: ClusterFlagsInput): string[] {
  if (input.peers <= 1) return ["--cluster.listen-address="];
  const address = input.peerAddress ?? ((j: number) => `${alertmanagerPeerName(j)}:${ALERTMANAGER_CLUSTER_PORT}`);
  const others = Array.from({ length: input.peers }, (_, j) => j).filter((j) => j !== input.index);
  return [
    `--cluster.listen-address=${input.listen ?? `0.0.0.0:${ALERTMANAGER_CLUSTER_PORT}`}`,
    ...others.map((j) => `--cluster.peer=${address(j)}`),
    `--cluster.peer-timeout=${formatDuration(input.peerTimeout)}`,
  ];
}

/** The base command with its gossip flag replaced by the cluster flags of this peer. */
export function withClusterFlags(command: readonly string[], cluster: ClusterFlagsInput): string[] {
  const rest = command.filter((f) => !f.startsWith("--cluster."));
  return [...rest, ...alertmanagerClusterFlags(cluster)];
}
