import { catalogAlerts } from "./alert-catalog";
import { metaAlerts } from "./alerts/meta";
import { assertValidPromql } from "./promql";
import { recordingRuleTests } from "./recording-tests";
import { recordingRules } from "./recording";
import { sloAlerts, sloRecordingRules } from "./slo/rules";
import { sloBudgetTests } from "./slo/tests";
import { AlertRule, RecordingRule, RuleContext, RuleTestCase } from "./types";

export interface RuleSet {
  readonly recording: readonly RecordingRule[];
  readonly alerts: readonly AlertRule[];
  /** Promtool cases for the recording rules (the alerts carry their own). */
  readonly recordingTests: readonly RuleTestCase[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * Every rule of an environment, checked before anything is rendered: names are valid and unique,
 * and every expression parses as PromQL. Disabled alerts are left out.
 */
export function buildRuleSet(ctx: RuleContext): RuleSet {
  const base = recordingRules(ctx);
  const alerts = [
    ...catalogAlerts(ctx),
    ...metaAlerts(ctx),
    ...sloAlerts(ctx),
  ];
  // After the alerts, so an alert's own knob error (a latency threshold above every bucket) is the one reported.
  const recording = [...base, ...sloRecordingRules(ctx, new Set(base.map((r) => r.record)))];
  const seen = new Set<string>();
  const records = new Set<string>();
  for (const r of recording) {
    if (records.has(r.record)) throw new Error(`recording rule ${r.record} is defined twice`);
    records.add(r.record);
    if (!NAME.test(r.record)) throw new Error(`recording rule ${JSON.stringify(r.record)}: not a valid metric name`);
    assertValidPromql(r.record, r.expr);
  }
  for (const a of alerts) {
    if (seen.has(a.alert)) throw new Error(`alert ${a.alert} is defined twice`);
    seen.add(a.alert);
    assertValidPromql(a.alert, a.expr);
  }
  return { recording, alerts, recordingTests: [...recordingRuleTests(ctx), ...sloBudgetTests(ctx)] };
}

export { recorded } from "./recording";
export type { AlertRule, RecordingRule, RuleContext } from "./types";
