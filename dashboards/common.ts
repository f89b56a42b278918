import * as cog from "@grafana/grafana-foundation-sdk/cog";
import {
  BigValueColorMode,
  BigValueGraphMode,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  VizLegendOptionsBuilder,
} from "@grafana/grafana-foundation-sdk/common";
import {
  Dashboard,
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  DataSourceRef,
  MappingType,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  ValueMapping,
  VariableRefresh,
  VariableSort,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as StatPanelBuilder } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as TimeseriesPanelBuilder } from "@grafana/grafana-foundation-sdk/timeseries";
import { formatDuration } from "../spec/duration";
import type { EnvironmentSpec } from "../spec/environment";
import { stableJson } from "../serialize/json";

/**
 * Shared pieces of the three dashboards. Nothing here imports cdktf: a dashboard is a pure function
 * of the environment spec, rendered to deterministic JSON (sorted keys, stable ids and uids).
 */

/** One dashboard, ready to ship: its uid, title, the SDK's model and the exact JSON text. */
export interface RenderedDashboard {
  readonly key: string;
  readonly uid: string;
  readonly title: string;
  readonly model: Dashboard;
  /** Sorted keys, two-space indentation, final newline: what Grafana receives, byte for byte. */
  readonly json: string;
}

/** What every dashboard builder gets: the spec, and a reference to the Prometheus datasource. */
export interface DashboardContext {
  readonly spec: EnvironmentSpec;
  readonly prometheus: DataSourceRef;
}

export function dashboardContext(spec: EnvironmentSpec): DashboardContext {
  return { spec, prometheus: { type: "prometheus", uid: spec.grafana.datasources.prometheus.uid } };
}

/** Prometheus durations as Grafana wants them in PromQL and in time ranges. */
export const w = formatDuration;

/**
 * A Grafana variable reference for use inside label matchers: `job=~"${job}"`. The braced form is
 * Grafana's unambiguous one, and the reason dashboard JSON must reach Terraform escaped.
 */
export const v = (name: string) => `\${${name}}`;

/** A Prometheus query (one target of a panel). */
export interface Query {
  readonly expr: string;
  readonly legend?: string;
  /** Instant queries for stat panels that show the latest value only. */
  readonly instant?: boolean;
}

function targets(ctx: DashboardContext, queries: readonly Query[]): DataqueryBuilder[] {
  return queries.map((q, i) => {
    const b = new DataqueryBuilder()
      .datasource(ctx.prometheus)
      .refId(String.fromCharCode(65 + i))
      .expr(q.expr)
      .legendFormat(q.legend ?? "__auto");
    return q.instant ? b.instant() : b.range();
  });
}

/** A threshold drawn on the panel: the alert's threshold, so the panel shows what the alert reads. */
export interface Threshold {
  readonly value: number;
  /** Red above the value (default) or red below it. */
  readonly badWhen?: "above" | "below";
}

function thresholds(t: Threshold | undefined): ThresholdsConfigBuilder {
  const b = new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute);
  if (!t) return b.steps([{ value: null, color: "green" }]);
  return t.badWhen === "below"
    ? b.steps([
        { value: null, color: "red" },
        { value: t.value, color: "green" },
      ])
    : b.steps([
        { value: null, color: "green" },
        { value: t.value, color: "red" },
      ]);
}

export interface PanelOptions {
  readonly id: number;
  readonly title: string;
  readonly description: string;
  readonly queries: readonly Query[];
  readonly unit?: string;
  readonly min?: number;
  readonly max?: number;
  readonly threshold?: Threshold;
  /** Grid width (of 24) and height. */
  readonly width?: number;
  readonly height?: number;
}

export function timeseries(ctx: DashboardContext, o: PanelOptions): TimeseriesPanelBuilder {
  const b = new TimeseriesPanelBuilder()
    .id(o.id)
    .title(o.title)
    .description(o.description)
    .datasource(ctx.prometheus)
    .targets(targets(ctx, o.queries))
    .span(o.width ?? 12)
    .height(o.height ?? 8)
    .unit(o.unit ?? "short")
    .fillOpacity(10)
    .lineWidth(1)
    .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom).calcs([]))
    .thresholds(thresholds(o.threshold))
    .thresholdsStyle(
      new GraphThresholdsStyleConfigBuilder().mode(o.threshold ? GraphThresholdsStyleMode.Dashed : GraphThresholdsStyleMode.Off),
    );
  if (o.min !== undefined) b.min(o.min);
  if (o.max !== undefined) b.max(o.max);
  return b;
}

export function stat(ctx: DashboardContext, o: PanelOptions & { readonly mappings?: ValueMapping[] }): StatPanelBuilder {
  const b = new StatPanelBuilder()
    .id(o.id)
    .title(o.title)
    .description(o.description)
    .datasource(ctx.prometheus)
    .targets(targets(ctx, o.queries))
    .span(o.width ?? 6)
    .height(o.height ?? 4)
    .unit(o.unit ?? "short")
    .colorMode(BigValueColorMode.Value)
    .graphMode(BigValueGraphMode.Area)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false))
    .thresholds(thresholds(o.threshold));
  if (o.min !== undefined) b.min(o.min);
  if (o.max !== undefined) b.max(o.max);
  if (o.mappings) b.mappings(o.mappings);
  return b;
}

/** Value mapping for 0/1 health gauges. */
export function upDownMappings(up = "UP", down = "DOWN"): ValueMapping[] {
  return [
    {
      type: MappingType.ValueToText,
      options: {
        "0": { text: down, color: "red", index: 0 },
        "1": { text: up, color: "green", index: 1 },
      },
    },
  ];
}

export function row(id: number, title: string): RowBuilder {
  return new RowBuilder(title).id(id);
}

/**
 * A query variable filled from the label values of a series (`label_values(<selector>, <label>)`),
 * multi-select with "All" as `.*` so `label=~"$var"` matches everything.
 */
export function labelVariable(ctx: DashboardContext, name: string, label: string, selector: string): QueryVariableBuilder {
  const query = `label_values(${selector}, ${label})`;
  return new QueryVariableBuilder(name)
    .label(name)
    .datasource(ctx.prometheus)
    .query({ qryType: 1, query, refId: "PrometheusVariableQueryEditor-VariableQuery" })
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue(".*")
    .current({ selected: true, text: ["All"], value: ["$__all"] });
}

/** The dashboard shell every CivicPulse dashboard shares: uid, tags, time, refresh, cross links. */
export function dashboardShell(ctx: DashboardContext, uid: string, title: string, description: string): DashboardBuilder {
  const g = ctx.spec.grafana.dashboards;
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(["civicpulse", ctx.spec.name, ...g.tags])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .timezone("browser")
    .time({ from: `now-${w(g.timeRange)}`, to: "now" })
    .refresh(w(g.refresh))
    .link(
      new DashboardLinkBuilder("CivicPulse dashboards")
        .type(DashboardLinkType.Dashboards)
        .tags(["civicpulse"])
        .asDropdown(true)
        .includeVars(false)
        .keepTime(true)
        .targetBlank(false)
        .icon("external link")
        .tooltip("")
        .url(""),
    );
}

/** Builds the model and renders the exact JSON. */
export function render(key: string, builder: cog.Builder<Dashboard>): RenderedDashboard {
  const model = builder.build();
  if (!model.uid || !model.title) throw new Error(`dashboard ${key}: uid and title are required`);
  return { key, uid: model.uid, title: model.title, model, json: stableJson(model) };
}
