import { compactStableJson } from "../../serialize/json";
import type { GrafanaSpec } from "../../spec/grafana";
import { haDatasourceUrls } from "./ha-datasources";

/**
 * The datasources of the grafana stack, as plain data (pure, no cdktf): type, uid, url and the
 * jsonData each needs. jsonData is rendered with sorted keys, so the same spec always gives the same
 * bytes and the plan shows no spurious change.
 */
export interface DatasourceDefinition {
  readonly key: "prometheus" | "longRange" | "loki" | "jaeger" | "alertmanager";
  readonly name: string;
  readonly type: string;
  readonly uid: string;
  readonly url: string;
  readonly isDefault: boolean;
  readonly jsonData: Record<string, unknown>;
  /** jsonData with sorted keys on one line (as jsonencode() writes it): what json_data_encoded carries. */
  readonly jsonDataEncoded: string;
}

/** Promtail stores the trace id as structured metadata named so (constructs/promtail). */
export const TRACE_ID_FIELD = "trace_id";

export function datasourceDefinitions(
  g: GrafanaSpec,
  opts: { scrapeInterval: string; /** From haDatasourceUrls; without it: one Prometheus, no store. */ urls?: { prometheus: string; longRange?: string } },
): DatasourceDefinition[] {
  const ds = g.datasources;
  const urls = opts.urls ?? haDatasourceUrls({ replicas: 1, store: { kind: "none" }, prometheusUrl: ds.prometheus.url, longRangeUrl: ds.longRange.url });
  const promJson = {
    httpMethod: "POST",
    // Grafana's $__rate_interval is at least four of these.
    timeInterval: opts.scrapeInterval,
    prometheusType: "Prometheus",
    prometheusVersion: "3.5.0",
    manageAlerts: false,
  };
  const defs: Array<Omit<DatasourceDefinition, "jsonDataEncoded">> = [
    {
      key: "prometheus",
      name: ds.prometheus.name,
      uid: ds.prometheus.uid,
      url: urls.prometheus,
      type: "prometheus",
      isDefault: true,
      jsonData: { ...promJson, exemplarTraceIdDestinations: [{ name: TRACE_ID_FIELD, datasourceUid: ds.jaeger.uid }] },
    },
    ...(urls.longRange === undefined
      ? []
      : [
          {
            key: "longRange" as const,
            name: ds.longRange.name,
            uid: ds.longRange.uid,
            url: urls.longRange,
            // Thanos Query and most remote stores answer the Prometheus API; months of data take
            // longer than Grafana's 30 s default to read.
            type: "prometheus",
            isDefault: false,
            jsonData: { ...promJson, prometheusType: "Thanos", queryTimeout: "120s" },
          },
        ]),
    {
      key: "loki",
      ...ds.loki,
      type: "loki",
      isDefault: false,
      jsonData: {
        maxLines: 1000,
        derivedFields: [
          {
            // The structured metadata Promtail attaches to each line that carries a trace id.
            name: "TraceID",
            matcherType: "label",
            matcherRegex: TRACE_ID_FIELD,
            datasourceUid: ds.jaeger.uid,
            url: "${__value.raw}",
            urlDisplayLabel: "Open trace in Jaeger",
          },
          {
            // Lines shipped before structured metadata, or by another agent: the id in the text.
            name: "TraceIDInLine",
            matcherType: "regex",
            matcherRegex: `${TRACE_ID_FIELD}["']?\\s*[:=]\\s*["']?([0-9a-f]{32})`,
            datasourceUid: ds.jaeger.uid,
            url: "${__value.raw}",
            urlDisplayLabel: "Open trace in Jaeger",
          },
        ],
      },
    },
    {
      key: "jaeger",
      ...ds.jaeger,
      type: "jaeger",
      isDefault: false,
      jsonData: {
        nodeGraph: { enabled: true },
        tracesToLogsV2: {
          datasourceUid: ds.loki.uid,
          spanStartTimeShift: "-5m",
          spanEndTimeShift: "5m",
          filterByTraceID: false,
          filterBySpanID: false,
          customQuery: true,
          query: `{service=~".+"} | ${TRACE_ID_FIELD}="\${__trace.traceId}"`,
        },
      },
    },
    {
      key: "alertmanager",
      ...ds.alertmanager,
      type: "alertmanager",
      isDefault: false,
      jsonData: { implementation: "prometheus", handleGrafanaManagedAlerts: false },
    },
  ];
  return defs.map((d) => ({ ...d, jsonDataEncoded: compactStableJson(d.jsonData) }));
}
