import { formatDuration } from "../../spec/duration";
import { QueueSpec, REPLICA_LABEL, StoreSpec, ThanosReceiveStoreSpec } from "../../spec/store";

/**
 * The pure parts of the Thanos store: node names, the hashring file, each binary's flags and the
 * remote_write entries every Prometheus replica gets. The container constructs and the live proof
 * (scripts/verify-ha.ts) both use these, so the proof runs the flags the stack deploys.
 */

/** capnproto: Receive's Cap'n Proto replication server, which listens even when replication uses gRPC. */
export const THANOS_PORTS = { grpc: 10901, http: 10902, remoteWrite: 19291, capnproto: 19391 } as const;
export const THANOS_CONFIG_DIR = "/etc/thanos";
export const THANOS_DATA_DIR = "/data";
export const HASHRING_FILE = "hashring.json";

/** Labels Thanos Query deduplicates on: the Prometheus replica, and the receive node a copy is on. */
export const RECEIVE_REPLICA_LABEL = "receive_replica";

export const receiveNodeName = (i: number) => `thanos-receive-${i}`;
export const THANOS_QUERY_NAME = "thanos-query";

/** host:port of each receive node's gRPC endpoint, as the hashring and Query name them. */
export function receiveEndpoints(nodes: number, host: (i: number) => string = receiveNodeName, grpcPort: (i: number) => number = () => THANOS_PORTS.grpc): string[] {
  return Array.from({ length: nodes }, (_, i) => `${host(i)}:${grpcPort(i)}`);
}

/** The hashring file: one ring holding every node. Deterministic (sorted by node index). */
export function renderHashring(endpoints: readonly string[]): string {
  return `${JSON.stringify([{ hashring: "default", endpoints: [...endpoints] }], null, 2)}\n`;
}

export interface ReceiveFlagsInput {
  readonly store: ThanosReceiveStoreSpec;
  readonly index: number;
  /** This node's own entry in the hashring (must be one of the file's endpoints). */
  readonly localEndpoint: string;
  readonly dataDir?: string;
  readonly hashringFile?: string;
  readonly listen?: { readonly grpc: string; readonly http: string; readonly remoteWrite: string; readonly capnproto: string };
}

export function receiveFlags(input: ReceiveFlagsInput): string[] {
  const r = input.store.receive;
  const listen = input.listen ?? {
    grpc: `0.0.0.0:${THANOS_PORTS.grpc}`,
    http: `0.0.0.0:${THANOS_PORTS.http}`,
    remoteWrite: `0.0.0.0:${THANOS_PORTS.remoteWrite}`,
    capnproto: `0.0.0.0:${THANOS_PORTS.capnproto}`,
  };
  return [
    "receive",
    `--tsdb.path=${input.dataDir ?? THANOS_DATA_DIR}`,
    `--tsdb.retention=${formatDuration(r.retention)}`,
    `--tsdb.out-of-order.time-window=${formatDuration(r.outOfOrderWindow)}`,
    `--grpc-address=${listen.grpc}`,
    `--http-address=${listen.http}`,
    `--remote-write.address=${listen.remoteWrite}`,
    `--receive.capnproto-address=${listen.capnproto}`,
    `--receive.hashrings-file=${input.hashringFile ?? `${THANOS_CONFIG_DIR}/${HASHRING_FILE}`}`,
    `--receive.local-endpoint=${input.localEndpoint}`,
    `--receive.replication-factor=${r.replicationFactor}`,
    // Every node's copy carries its own label value, so Query sees r copies and folds them into one.
    `--label=${RECEIVE_REPLICA_LABEL}="${receiveNodeName(input.index)}"`,
  ];
}

export interface QueryFlagsInput {
  readonly endpoints: readonly string[];
  readonly listen?: { readonly grpc: string; readonly http: string };
}

export function queryFlags(input: QueryFlagsInput): string[] {
  const listen = input.listen ?? { grpc: `0.0.0.0:${THANOS_PORTS.grpc}`, http: `0.0.0.0:${THANOS_PORTS.http}` };
  return [
    "query",
    `--grpc-address=${listen.grpc}`,
    `--http-address=${listen.http}`,
    // Strict: the hashring is static, so every node is always asked. A plain --endpoint that failed
    // one health check drops out of queries until a later check (12-18 s after it came back, seen
    // here) and Query answers from the others without a warning; a strict one that is down turns
    // into a partial-response warning instead, and is asked again when gRPC redials it (its
  // connection backoff: up to about 2 minutes after a long outage, README "High availability").
    ...input.endpoints.map((e) => `--endpoint-strict=${e}`),
    `--query.replica-label=${REPLICA_LABEL}`,
    `--query.replica-label=${RECEIVE_REPLICA_LABEL}`,
  ];
}

/** queue_config as Prometheus reads it. */
export function renderQueueConfig(q: QueueSpec): Record<string, unknown> {
  return {
    capacity: q.capacity,
    max_shards: q.maxShards,
    min_shards: q.minShards,
    max_samples_per_send: q.maxSamplesPerSend,
    batch_send_deadline: formatDuration(q.batchSendDeadline),
    min_backoff: formatDuration(q.minBackoff),
    max_backoff: formatDuration(q.maxBackoff),
    retry_on_http_429: q.retryOnRateLimit,
  };
}

/**
 * The remote_write URL replica `replica` sends to. Without a load balancer in the stack, replica i
 * writes to receive node i mod N: any node forwards to the hashring, and a dead ingress node stalls
 * one replica's stream only (it queues in the WAL; the other replica's copy keeps the store whole).
 */
export function remoteWriteUrl(store: StoreSpec, replica: number, host: (i: number) => string = (i) => `${receiveNodeName(i)}:${THANOS_PORTS.remoteWrite}`): string | undefined {
  if (store.kind === "none") return undefined;
  if (store.kind === "external") return store.writeUrl;
  return `http://${host(replica % store.receive.nodes)}/api/v1/receive`;
}

/** The remote_write section of prometheus.yml for one replica (empty without a store). */
export function renderRemoteWrite(store: StoreSpec, url: string | undefined): Array<Record<string, unknown>> {
  if (store.kind === "none" || url === undefined) return [];
  return [{ name: store.kind, url, queue_config: renderQueueConfig(store.queue) }];
}

/** Where Grafana's long-range datasource reads (the deduplicated Thanos Query, or the external store). */
export function storeQueryUrl(store: StoreSpec): string | undefined {
  if (store.kind === "none") return undefined;
  if (store.kind === "external") return store.queryUrl;
  return `http://${THANOS_QUERY_NAME}:${THANOS_PORTS.http}`;
}
