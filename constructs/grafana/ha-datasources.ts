import { storeQueryUrl } from "../thanos/config";
import type { StoreSpec } from "../../spec/store";

/** The single Prometheus as the bundled Grafana reaches it. */
export const SINGLE_PROMETHEUS_URL = "http://prometheus:9090";

/**
 * Where the Prometheus and long-range datasources read when the spec leaves their URL unset: with a
 * Prometheus pair, the default datasource must read deduplicated data (the store's query endpoint,
 * Thanos Query in the stack), never one replica; the long-range datasource exists only with a store.
 */
export function haDatasourceUrls(input: {
  readonly replicas: number;
  readonly store: StoreSpec;
  readonly prometheusUrl?: string;
  readonly longRangeUrl?: string;
}): { prometheus: string; longRange?: string } {
  const store = storeQueryUrl(input.store);
  const prometheus = input.prometheusUrl ?? (input.replicas > 1 && store !== undefined ? store : SINGLE_PROMETHEUS_URL);
  const longRange = input.longRangeUrl ?? store;
  return longRange === undefined ? { prometheus } : { prometheus, longRange };
}
