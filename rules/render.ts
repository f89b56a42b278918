import { RuleGroupName } from "../spec/alert-knobs";
import { formatDuration } from "../spec/duration";
import { RuleSet } from "./index";
import { AlertRule, RecordingRule, RuleTestCase } from "./types";
import { toYaml } from "../serialize/yaml";

export const RECORDING_RULES_FILE = "recording_rules.yml";
export const ALERTING_RULES_FILE = "alerting_rules.yml";
export const RULE_TESTS_DIR = "tests";

const GROUP_ORDER: readonly RuleGroupName[] = ["application", "infrastructure", "security", "cicd", "meta", "slo"];

function byGroup<T extends { group: RuleGroupName }>(items: readonly T[]): Array<[RuleGroupName, T[]]> {
  return GROUP_ORDER.map((g): [RuleGroupName, T[]] => [g, items.filter((i) => i.group === g)]).filter(([, list]) => list.length > 0);
}

const sortedRecord = (r: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.keys(r).sort().map((k) => [k, r[k]]));

function alertToYaml(a: AlertRule) {
  return {
    alert: a.alert,
    expr: a.expr,
    ...(a.for > 0 ? { for: formatDuration(a.for) } : {}),
    labels: sortedRecord(a.labels),
    annotations: sortedRecord(a.annotations),
  };
}

const recordingToYaml = (r: RecordingRule) => ({ record: r.record, expr: r.expr });

/**
 * Recording rule groups by name, in GROUP_ORDER; within a group its shards first (in the order
 * rules name them), then the unsharded group, so a rule there that reads a shard's series sees the
 * same step's value in promtool's sequential evaluation.
 */
function recordingGroups(rules: readonly RecordingRule[]): Array<[string, RecordingRule[]]> {
  const out = new Map<string, RecordingRule[]>();
  for (const [g, list] of byGroup(rules)) {
    for (const r of [...list.filter((x) => x.shard), ...list.filter((x) => !x.shard)]) {
      const name = `civicpulse-recording-${g}${r.shard ? `-${r.shard}` : ""}`;
      const members = out.get(name);
      if (members) members.push(r);
      else out.set(name, [r]);
    }
  }
  return [...out.entries()];
}

const HEADER = (env: string, what: string) =>
  `${what} for CivicPulse (${env}). Generated from the environment spec: change the spec, not this file.`;

export function renderRecordingRules(env: string, rules: RuleSet): string {
  return toYaml(
    { groups: recordingGroups(rules.recording).map(([name, list]) => ({ name, rules: list.map(recordingToYaml) })) },
    HEADER(env, "Recording rules"),
  );
}

export function renderAlertingRules(env: string, rules: RuleSet): string {
  return toYaml(
    { groups: byGroup(rules.alerts).map(([g, list]) => ({ name: `civicpulse-${g}`, rules: list.map(alertToYaml) })) },
    HEADER(env, "Alerting rules"),
  );
}

function testCaseToYaml(c: RuleTestCase) {
  return {
    name: c.name,
    interval: formatDuration(c.interval),
    input_series: c.inputSeries.map((s) => ({ series: s.series, values: s.values })),
    ...(c.alerts
      ? {
          alert_rule_test: c.alerts.map((a) => ({
            eval_time: formatDuration(a.at),
            alertname: a.alertname,
            exp_alerts: a.expect.map((e) => ({
              exp_labels: sortedRecord(e.labels),
              ...(e.annotations ? { exp_annotations: sortedRecord(e.annotations) } : {}),
            })),
          })),
        }
      : {}),
    ...(c.samples
      ? {
          promql_expr_test: c.samples.map((s) => ({
            expr: s.expr,
            eval_time: formatDuration(s.at),
            exp_samples: s.expect.map((e) => ({ labels: e.labels, value: e.value })),
          })),
        }
      : {}),
  };
}

/**
 * Promtool test files, one per alert plus one for the recording rules, keyed by path relative to
 * the rules folder. A case that needs a coarser evaluation interval (a week of history) gets it in
 * its own file, since promtool sets the interval per file.
 */
export function renderRuleTests(env: string, rules: RuleSet, evaluationInterval: number): Map<string, string> {
  const files = new Map<string, string>();
  // Recording groups first, so an alert reads the value recorded in the same step (Prometheus
  // runs groups concurrently; with a coarse test interval the order matters). The same in every file.
  const groupEvalOrder = [...recordingGroups(rules.recording).map(([name]) => name), ...byGroup(rules.alerts).map(([g]) => `civicpulse-${g}`)];
  const write = (name: string, cases: readonly RuleTestCase[]) => {
    const groups = new Map<number, RuleTestCase[]>();
    for (const c of cases) {
      const every = c.evaluationInterval ?? evaluationInterval;
      groups.set(every, [...(groups.get(every) ?? []), c]);
    }
    for (const [every, list] of [...groups.entries()].sort(([a], [b]) => a - b)) {
      const suffix = every === evaluationInterval ? "" : `.eval-${formatDuration(every as never)}`;
      files.set(
        `${RULE_TESTS_DIR}/${name}${suffix}.test.yml`,
        toYaml(
          {
            rule_files: [`../${RECORDING_RULES_FILE}`, `../${ALERTING_RULES_FILE}`],
            evaluation_interval: formatDuration(every as never),
            // Rates and ratios computed from sample data differ from the worked-out value in the
            // last bits (0.9999999999999999 for 1); compare with promtool's tolerance.
            fuzzy_compare: true,
            group_eval_order: groupEvalOrder,
            tests: list.map(testCaseToYaml),
          },
          HEADER(env, `Promtool rule tests (${name})`),
        ),
      );
    }
  };
  write("recording_rules", rules.recordingTests);
  for (const a of rules.alerts) write(a.alert, a.tests);
  return files;
}
