import { compactStableJson } from "../../serialize/json";
import type { GrafanaSpec } from "../../spec/grafana";

/**
 * The datasources of the grafana stack, as plain data (pure, no cdktf): type, uid, url and the
 * jsonData each needs. jsonData is rendered with sorted keys, so the same spec always gives the same
 * bytes and the plan shows no spurious change.
 */
export interface DatasourceDefinition {
  readonly key: "prometheus" | "loki" | "jaeger" | "alertmanager";
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

export function datasourceDefinitions(g: GrafanaSpec, opts: { scrapeInterval: string }): DatasourceDefinition[] {
  const ds = g.datasources;
  const defs: Array<Omit<DatasourceDefinition, "jsonDataEncoded">> = [
    {
      key: "prometheus",
      ...ds.prometheus,
      type: "prometheus",
      isDefault: true,
      jsonData: {
        httpMethod: "POST",
        // Grafana's $__rate_interval is at least four of these.
        timeInterval: opts.scrapeInterval,
        prometheusType: "Prometheus",
        prometheusVersion: "3.5.0",
        manageAlerts: false,
        exemplarTraceIdDestinations: [{ name: TRACE_ID_FIELD, datasourceUid: ds.jaeger.uid }],
      },
    },
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
