import { alertmanagerPeerName } from "../alertmanager/ha";
import { REPLICA_LABEL } from "../thanos";


/**
 * A Prometheus pair (or more): identical servers that scrape the same targets and evaluate the same
 * rules, told apart only by the `replica` external label. Replica 0 keeps the single server's
 * service name and Terraform address, so turning HA on adds containers and replaces none.
 */

/** Service name (container alias) of replica `i`: "prometheus", then "prometheus-1", ... */
export const prometheusReplicaName = (i: number) => (i === 0 ? "prometheus" : `prometheus-${i}`);

/** The `replica` label value of replica `i`: "a", "b", ... (what Thanos Query deduplicates on). */
export const replicaLabelValue = (i: number) => String.fromCharCode("a".charCodeAt(0) + i);

/** External labels the replica adds; none with a single server, so its series stay as they were. */
export function replicaExternalLabels(replicas: number, i: number): Record<string, string> {
  return replicas > 1 ? { [REPLICA_LABEL]: replicaLabelValue(i) } : {};
}

/**
 * alert_relabel_configs of a replica: external labels are attached to alerts too, so without this
 * Alertmanager would see the pair's copies of one alert as two alerts and notify twice.
 */
export function replicaAlertRelabel(replicas: number): Array<Record<string, unknown>> {
  return replicas > 1 ? [{ action: "labeldrop", regex: REPLICA_LABEL }] : [];
}

/**
 * The default single-server targets, widened to the whole pair and cluster when HA is on: every
 * replica scrapes every replica (so the survivor sees its twin down) and alerts to every peer.
 * Targets set explicitly in the spec are kept as they are.
 */
export function haTargets(
  targets: { readonly prometheus: readonly string[]; readonly alertmanager: readonly string[] },
  replicas: number,
  peers: number,
): { prometheus: string[]; alertmanager: string[] } {
  const isDefault = (list: readonly string[], dfl: string) => list.length === 1 && list[0] === dfl;
  return {
    prometheus:
      replicas > 1 && isDefault(targets.prometheus, "localhost:9090")
        ? Array.from({ length: replicas }, (_, i) => `${prometheusReplicaName(i)}:9090`)
        : [...targets.prometheus],
    alertmanager:
      peers > 1 && isDefault(targets.alertmanager, "alertmanager:9093")
        ? Array.from({ length: peers }, (_, i) => `${alertmanagerPeerName(i)}:9093`)
        : [...targets.alertmanager],
  };
}
