import { META_ALERTS } from "../../spec/alert-knobs";
import { catalog } from "../../spec/catalog";
import { Duration, formatDuration as w, minutes, ms } from "../../spec/duration";
import { JOBS } from "../../spec/jobs";
import { labelSet } from "../series";
import { AlertRule, RuleContext } from "../types";

/**
 * Alerts about the alerting pipeline: Watchdog, InstanceDown, and the escalation of critical
 * alerts that keep firing. Their names are what the Alertmanager routes and inhibitions match.
 */

const runbookUrl = (ctx: RuleContext, name: string) => `${ctx.runbookBaseUrl.replace(/\/+$/, "")}/${name}.md`;

function watchdog(ctx: RuleContext): AlertRule {
  const name = META_ALERTS.watchdog;
  const labels = { severity: "none" as const, category: "meta" as const, team: ctx.team, service: "monitoring" };
  const annotations = {
    summary: "Alerting pipeline heartbeat",
    description: "Always firing. When the heartbeat receiver stops getting it, Prometheus, the rules or Alertmanager are broken.",
    runbook_url: runbookUrl(ctx, name),
  };
  return {
    alert: name,
    expr: "vector(1)",
    for: ms(0),
    group: "meta",
    labels,
    annotations,
    runbook: {
      meaning: "Nothing is wrong while this fires. The dead-man's switch outside the stack alarms when the heartbeat stops arriving.",
      firstChecks: [
        "If the heartbeat stopped: is Prometheus up and evaluating rules (prometheus_rule_evaluation_failures_total)?",
        "Is Alertmanager up, and can it reach the heartbeat URL?",
      ],
    },
    tests: [
      {
        name: "Watchdog: always fires",
        interval: minutes(1),
        inputSeries: [],
        alerts: [{ at: minutes(5), alertname: name, expect: [{ labels: { ...labels, alertname: name }, annotations }] }],
      },
    ],
  };
}

function instanceDown(ctx: RuleContext): AlertRule {
  const k = ctx.meta.instanceDown;
  const name = META_ALERTS.instanceDown;
  const step = minutes(1);
  const node = { job: JOBS.nodeExporter, instance: "host-1:9100" };
  const labels = { severity: k.severity, category: "meta" as const, team: ctx.team, service: "{{ $labels.job }}" };
  const annotations = {
    summary: "{{ $labels.job }} target {{ $labels.instance }} is down",
    description: `Prometheus has not been able to scrape {{ $labels.instance }} (job {{ $labels.job }}) for ${w(k.for)}. Alerts that read this target's metrics cannot fire meanwhile.`,
    runbook_url: runbookUrl(ctx, name),
  };
  const fireAt = ms(k.for + 4 * Math.max(step, ctx.evaluationInterval));
  const upSeries = labelSet(catalog.up.name, node);
  const steps = Math.ceil(fireAt / step);
  return {
    alert: name,
    expr: `${catalog.up.name} == 0`,
    for: k.for,
    group: "meta",
    labels,
    annotations,
    runbook: {
      meaning: "A scrape target does not answer. For a host's node-exporter, it mutes that host's CPU, memory and disk alerts in Alertmanager.",
      firstChecks: [
        "Prometheus UI, Status > Targets: the scrape error says whether it is DNS, connection refused or a timeout.",
        "Is the container or host running? Did its address change (targets in the environment spec)?",
      ],
    },
    tests: [
      {
        name: `InstanceDown: a target down for ${w(k.for)} fires, and resolves when it answers again`,
        interval: step,
        inputSeries: [{ series: upSeries, values: `0x${steps} 1x${steps}` }],
        alerts: [
          ...(k.for > 2 * step ? [{ at: ms(k.for - step), alertname: name, expect: [] }] : []),
          {
            at: fireAt,
            alertname: name,
            expect: [
              {
                labels: { ...labels, ...node, alertname: name, service: JOBS.nodeExporter },
                annotations: {
                  ...annotations,
                  summary: `${JOBS.nodeExporter} target ${node.instance} is down`,
                  description: `Prometheus has not been able to scrape ${node.instance} (job ${JOBS.nodeExporter}) for ${w(k.for)}. Alerts that read this target's metrics cannot fire meanwhile.`,
                },
              },
            ],
          },
          { at: ms((2 * steps - 1) * step), alertname: name, expect: [] },
        ],
      },
      {
        name: "InstanceDown: quiet while the target answers",
        interval: step,
        inputSeries: [{ series: upSeries, values: `1x${steps}` }],
        alerts: [{ at: fireAt, alertname: name, expect: [] }],
      },
    ],
  };
}

/**
 * A critical alert still firing after `after` raises an emergency for its service. It reads the
 * ALERTS series, so it covers every critical alert, including ones added later, without a list.
 */
function escalation(ctx: RuleContext): AlertRule {
  const after: Duration = ctx.meta.escalation.after;
  const name = META_ALERTS.escalation;
  const labels = { severity: "emergency" as const, category: "meta" as const, team: ctx.team, service: "{{ $labels.service }}" };
  const annotations = {
    summary: "{{ $labels.escalated_alertname }} on {{ $labels.service }} unresolved for " + w(after),
    description: `The critical alert {{ $labels.escalated_alertname }} for service {{ $labels.service }} has been firing for more than ${w(after)}; the escalation contact is paged.`,
    runbook_url: runbookUrl(ctx, name),
  };
  // The test feeds the ALERTS series of a firing critical alert directly, so the escalation is
  // proven independently of any other rule's thresholds. Samples a tenth of the delay apart (at
  // most a minute) let "not before" be checked just short of it for any delay.
  const step = ms(Math.max(ctx.evaluationInterval, Math.min(60_000, Math.max(1000, Math.floor(after / 10 / 1000) * 1000))));
  const firingFrom = 2;
  const escalatesAt = ms(firingFrom * step + after);
  const total = Math.ceil((escalatesAt + 10 * step) / step);
  const critical = { alertname: "RedisDown", service: "redis" };
  const alertsSeries = (values: string) => ({
    series: labelSet("ALERTS", { ...critical, alertstate: "firing", severity: "critical", job: JOBS.redisExporter }),
    values,
  });
  // A warning that keeps firing never escalates.
  const warningSeries = {
    series: labelSet("ALERTS", { alertname: "HostLowMemory", service: "host", alertstate: "firing", severity: "warning" }),
    values: `1x${total}`,
  };
  const expected = {
    labels: { ...labels, alertname: name, service: critical.service, escalated_alertname: critical.alertname },
    annotations: {
      ...annotations,
      summary: `${critical.alertname} on ${critical.service} unresolved for ${w(after)}`,
      description: `The critical alert ${critical.alertname} for service ${critical.service} has been firing for more than ${w(after)}; the escalation contact is paged.`,
    },
  };
  return {
    alert: name,
    expr:
      'max by (service, escalated_alertname) (label_replace(ALERTS{alertstate="firing", severity="critical", service=~".+"}, ' +
      '"escalated_alertname", "$1", "alertname", "(.+)"))',
    for: after,
    group: "meta",
    labels,
    annotations,
    runbook: {
      meaning: `A critical alert has been firing for more than ${w(after)} without being resolved. The escalation contact is paged, and the service's critical and warning alerts are muted while the emergency lasts.`,
      firstChecks: [
        "Find the on-call engineer: was the page acknowledged? Is someone working on it?",
        "Open the runbook of the escalated alert (its name is in the escalated_alertname label).",
      ],
    },
    tests: [
      {
        name: `${name}: a critical alert firing for ${w(after)} escalates on time, not before`,
        interval: step,
        inputSeries: [alertsSeries(`_x${firingFrom} 1x${total}`), warningSeries],
        alerts: [
          { at: ms(escalatesAt - 3 * step), alertname: name, expect: [] },
          { at: ms(escalatesAt + 3 * step), alertname: name, expect: [expected] },
        ],
      },
      {
        name: `${name}: a critical alert that resolves before ${w(after)} does not escalate`,
        interval: step,
        inputSeries: [alertsSeries(`_x${firingFrom} 1x${Math.ceil(after / 2 / step)} _x${total}`)],
        alerts: [{ at: ms(escalatesAt + 3 * step), alertname: name, expect: [] }],
      },
    ],
  };
}

/** The meta alerts of an environment. */
export function metaAlerts(ctx: RuleContext): AlertRule[] {
  const out: AlertRule[] = [];
  if (ctx.meta.watchdog.enabled) out.push(watchdog(ctx));
  if (ctx.meta.instanceDown.enabled) out.push(instanceDown(ctx));
  if (ctx.meta.escalation.enabled) out.push(escalation(ctx));
  return out;
}
