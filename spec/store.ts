import { z } from "zod";
import { positiveDurationSchema } from "./duration";

/**
 * Where an environment keeps its long-term metrics (the `store` section of the environment spec):
 *
 *   none            local TSDB retention only (dev: one Prometheus, nothing to deduplicate);
 *   thanos-receive  a hashring of Thanos Receive nodes in the stack, written to by every Prometheus
 *                   replica over remote_write, replicated `replicationFactor` times, read through
 *                   Thanos Query, which deduplicates on the `replica` and `receive_replica` labels;
 *   external        a remote_write endpoint run elsewhere (any Prometheus remote-write receiver),
 *                   with its own query URL for Grafana's long-range datasource.
 *
 * Why Thanos and not VictoriaMetrics cluster: the Go module proxy refuses VictoriaMetrics' cluster
 * tags, so vminsert/vmselect/vmstorage cannot be built here; Thanos (Apache-2.0) is one binary from
 * the proxy with real replication (hashring + replication factor) and replica-aware deduplication.
 */

const httpUrl = z.url({ protocol: /^https?$/, error: "an http(s) URL" });
const hostPort = z.number().int().min(1).max(65535);
const imageRef = z
  .string()
  .regex(/^(?:[a-z0-9.-]+(?::\d{1,5})?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'a pinned image reference "repository:tag"')
  .refine((s) => !s.endsWith(":latest"), "pin a version tag, not latest");

/** The Thanos version scripts/install-thanos.sh builds and the live proof runs; the image tag matches it. */
export const THANOS_VERSION = "0.42.4";
export const THANOS_IMAGE = `quay.io/thanos/thanos:v${THANOS_VERSION}`;

/**
 * Prometheus' remote_write queue (queue_config). Prometheus' own defaults are kept where they fit;
 * the departures are explained per field. A backlog beyond the in-memory queue stays in the WAL
 * (Prometheus keeps about two hours of it), so an outage shorter than that loses nothing while
 * Prometheus keeps running.
 */
export const queueSpecSchema = z
  .strictObject({
    /** Samples buffered per shard. Prometheus' default (10000): about 3 x maxSamplesPerSend. */
    capacity: z.number().int().min(1).max(1_000_000).default(10_000),
    /**
     * Upper bound on parallel senders. Default 50 (Prometheus' default): enough for a catch-up after
     * a 2-minute outage at this stack's series count (measured: see README "High availability and
     * scale"); more only helps a store that can take it.
     */
    maxShards: z.number().int().min(1).max(1000).default(50),
    /** At least two senders, so one slow request does not stall the stream. */
    minShards: z.number().int().min(1).max(1000).default(2),
    /** Samples per request: Prometheus' default 2000, a request of ~100 KB compressed. */
    maxSamplesPerSend: z.number().int().min(1).max(100_000).default(2_000),
    /** Send a partial batch after this long (5s, Prometheus' default): the store lags at most this. */
    batchSendDeadline: positiveDurationSchema.prefault("5s"),
    /** First retry after a failed send (Prometheus' default 30ms). */
    minBackoff: positiveDurationSchema.prefault("30ms"),
    /**
     * Retry ceiling. 5s (Prometheus' default): after the store returns, the queue notices within
     * 5 s; longer would lengthen the catch-up for nothing, shorter hammers a store that is down.
     */
    maxBackoff: positiveDurationSchema.prefault("5s"),
    /** Retry on HTTP 429 too (the store shedding load) instead of dropping the batch. */
    retryOnRateLimit: z.boolean().default(true),
  })
  .refine((q) => q.minShards <= q.maxShards, { path: ["minShards"], message: "minShards must not exceed maxShards" })
  .refine((q) => q.minBackoff <= q.maxBackoff, { path: ["minBackoff"], message: "minBackoff must not exceed maxBackoff" })
  .prefault({});

const container = (memoryMb: number, cpus: number) => ({
  image: imageRef.default(THANOS_IMAGE),
  memoryMb: z.number().int().min(64).max(1_048_576).default(memoryMb),
  cpus: z.number().positive().max(64).default(cpus),
});

const noStore = z.strictObject({ kind: z.literal("none") });

const thanosReceiveStore = z
  .strictObject({
    kind: z.literal("thanos-receive"),
    queue: queueSpecSchema,
    receive: z
      .strictObject({
        /** Receive nodes in the hashring; storage scales out by adding nodes (each series lives on replicationFactor of them). */
        nodes: z.number().int().min(1).max(32).default(3),
        /**
         * Copies of each series. 3 on 3 nodes: the write quorum is 2, so one node down still
         * accepts every write and every query is complete (the live proof kills one).
         */
        replicationFactor: z.number().int().min(1).max(32).default(3),
        /** How long the receivers keep samples (their local TSDB; no object storage in this stack). */
        retention: positiveDurationSchema.prefault("90d"),
        /**
         * How far behind a node's newest sample a late sample is still taken. A queue catching up
         * after an outage sends samples older than what the node already holds of other series
         * (and a node flushes its head to a block when it stops); without this window they are
         * "out of bounds", refused with 409, and Prometheus drops them for good (seen live: the
         * batch in flight when the store stopped). 2h covers what a replica's WAL keeps.
         */
        outOfOrderWindow: positiveDurationSchema.prefault("2h"),
        ...container(2048, 1),
      })
      .refine((r) => r.replicationFactor <= r.nodes, { path: ["replicationFactor"], message: "replicationFactor must not exceed nodes" })
      .prefault({}),
    query: z
      .strictObject({
        ...container(512, 0.5),
        /** Host port of the deduplicated query API/UI (published on 127.0.0.1); null = not published. */
        port: hostPort.nullable().default(10904),
      })
      .prefault({}),
  });

const externalStore = z.strictObject({
  kind: z.literal("external"),
  queue: queueSpecSchema,
  /** remote_write URL of the external store (e.g. https://metrics.example.org/api/v1/write). */
  writeUrl: httpUrl,
  /** Prometheus-compatible query URL of the same store: Grafana's long-range datasource. */
  queryUrl: httpUrl,
});

export const storeSpecSchema = z.discriminatedUnion("kind", [noStore, thanosReceiveStore, externalStore]).prefault({ kind: "none" });

export type StoreSpec = z.output<typeof storeSpecSchema>;
export type ThanosReceiveStoreSpec = Extract<StoreSpec, { kind: "thanos-receive" }>;
export type QueueSpec = z.output<typeof queueSpecSchema>;

/** The external label that tells the two Prometheus replicas apart; Thanos Query deduplicates on it. */
export const REPLICA_LABEL = "replica";
