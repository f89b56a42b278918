import { Duration } from "../spec/duration";
import { AlertKnobs, MetaKnobs, RuleGroupName, Severity } from "../spec/alert-knobs";
import { SloSpec } from "../spec/slo";


/** A series fed to a promtool test: a selector and promtool's expanding notation ("0+10x30"). */
export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

export interface ExpectedAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** One promtool test group: input series plus what must (not) fire at which times. */
export interface RuleTestCase {
  readonly name: string;
  readonly interval: Duration;
  /** Rule evaluation interval for this case's test file; the environment's when absent. */
  readonly evaluationInterval?: Duration;
  readonly inputSeries: readonly InputSeries[];
  readonly alerts?: ReadonlyArray<{ readonly at: Duration; readonly alertname: string; readonly expect: readonly ExpectedAlert[] }>;
  readonly samples?: ReadonlyArray<{
    readonly at: Duration;
    readonly expr: string;
    readonly expect: ReadonlyArray<{ readonly labels: string; readonly value: number }>;
  }>;
}

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly group: RuleGroupName;
  /**
   * A separate Prometheus rule group within `group` (rendered `civicpulse-recording-<group>-<shard>`).
   * Prometheus evaluates groups concurrently and the rules of one group in sequence, so the heavy
   * windows each get their own; a rule must sit in the shard of the rules it reads.
   */
  readonly shard?: string;
  readonly tests: readonly RuleTestCase[];
}

/** What a runbook says beyond the rule itself. */
export interface RunbookText {
  readonly meaning: string;
  readonly firstChecks: readonly string[];
}

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: Duration;
  readonly group: RuleGroupName;
  readonly labels: Readonly<{ severity: Severity | "none"; category: RuleGroupName; team: string; service: string }> &
    Readonly<Record<string, string>>;
  readonly annotations: Readonly<{ summary: string; description: string; runbook_url: string; dashboard_url?: string }> &
    Readonly<Record<string, string>>;
  readonly runbook: RunbookText;
  /** The file that defines the alert, for the runbook's "edit here" line; its group's file when absent. */
  readonly source?: string;
  readonly tests: readonly RuleTestCase[];
}

/** Everything an alert or recording rule builder may read. */
export interface RuleContext {
  readonly environment: string;
  readonly knobs: AlertKnobs;
  readonly meta: MetaKnobs;
  readonly evaluationInterval: Duration;
  readonly runbookBaseUrl: string;
  /** Grafana the dashboard links in annotations open. */
  readonly grafanaUrl: string;
  readonly team: string;
  /** The environment's SLOs (rules/slo). */
  readonly slos: SloSpec;
}
