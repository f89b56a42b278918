import { catalog } from "../../spec/catalog";
import { formatDuration as w, hours, ms, toSeconds } from "../../spec/duration";
import { JOBS } from "../../spec/jobs";
import { recorded } from "../recording";
import { labelSet } from "../series";
import { AlertRule, RuleContext } from "../types";
import { counter, defineAlert, fixtureStep } from "./define";

const APP = { job: JOBS.app, instance: "web-1:8000" };

function authenticationFailureSpike(ctx: RuleContext): AlertRule {
  const k = ctx.knobs.AuthenticationFailureSpike;
  const step = fixtureStep(ctx, k.window);
  const perStep = (perMinute: number) => (perMinute * toSeconds(step)) / 60;
  const event = (result: string) => labelSet(catalog.authenticationEvents.name, { ...APP, event: "login", result });
  const above = k.failuresPerMinute * 2;
  return defineAlert(ctx, {
    name: "AuthenticationFailureSpike",
    group: "security",
    service: "civicpulse",
    expr: `${recorded.authFailureRate(k.window)} * 60 > ${k.failuresPerMinute}`,
    summary: "Spike of failed logins on {{ $labels.job }}",
    description: `{{ $labels.job }} sees {{ $value | printf "%.1f" }} failed authentications per minute over ${w(k.window)} (threshold ${k.failuresPerMinute}/min).`,
    runbook: {
      meaning: "Many logins fail at once: credential stuffing or brute force, or a broken login flow after a deployment.",
      firstChecks: [
        "Application dashboard, authentication panel: failures only, or successes dropping too (broken flow)?",
        "Loki: failed-login log lines by source IP and username; is it one source or many?",
        "Rate limiting and account lockout: are they on? Consider blocking the sources at the edge.",
      ],
    },
    fixture: {
      step,
      lag: k.window,
      series: (phases) => [
        { series: event("failure"), values: counter(phases, { above: perStep(above), below: perStep(k.failuresPerMinute * 0.8), normal: 0 }) },
        { series: event("success"), values: counter(phases, { above: perStep(30), below: perStep(30), normal: perStep(30) }) },
      ],
      expected: {
        labels: { job: JOBS.app },
        annotations: {
          summary: `Spike of failed logins on ${JOBS.app}`,
          description: `${JOBS.app} sees ${above.toFixed(1)} failed authentications per minute over ${w(k.window)} (threshold ${k.failuresPerMinute}/min).`,
        },
      },
    },
  });
}

function auditEventAnomaly(ctx: RuleContext): AlertRule {
  const k = ctx.knobs.AuditEventAnomaly;
  const rate = recorded.auditRate(k.window);
  const avg = recorded.auditBaselineAvg(k.window, k.baseline);
  const stddev = recorded.auditBaselineStddev(k.window, k.baseline);
  const step = fixtureStep(ctx, k.window);
  const s = toSeconds(step);
  const usualPerSecond = 1;
  const events = labelSet(catalog.auditEvents.name, { ...APP, event_type: "record_updated" });
  return defineAlert(ctx, {
    name: "AuditEventAnomaly",
    group: "security",
    service: "civicpulse",
    // A z-score against the series' own baseline. A flat baseline has stddev 0: any change then
    // divides by a non-zero stddev (the current value is part of the window), and no change is 0/0 = NaN.
    expr:
      `abs(${rate} - ${avg}) / ${stddev} > ${k.zScore} ` +
      `and abs(${rate} - ${avg}) * 60 > ${k.minDeviationPerMinute}`,
    summary: "Unusual audit event rate on {{ $labels.job }}",
    description: `The audit event rate of {{ $labels.job }} is more than ${k.zScore} standard deviations away from its ${w(k.baseline)} baseline and differs from it by more than ${k.minDeviationPerMinute} events/min.`,
    runbook: {
      meaning: "The app writes audit events at a rate far from its usual pattern: bulk changes, a script misbehaving, or an account being abused; a drop can mean auditing broke.",
      firstChecks: [
        "Application dashboard, audit panel: which event types moved?",
        "Loki: audit log lines by user for the period; is one account responsible?",
        "If the rate dropped to zero, check that the audit middleware is still installed after the last deployment.",
      ],
    },
    fixture: {
      step,
      lag: k.window,
      // A few hours of history make a baseline steady enough for the z-score; a whole day only
      // makes promtool slower.
      warmup: ms(Math.min(k.baseline, hours(6))),
      series: (phases) => [
        {
          series: events,
          values: counter(phases, {
            normal: usualPerSecond * s,
            above: usualPerSecond * 10 * s,
            // Still a deviation, but smaller than minDeviationPerMinute: the guard keeps it quiet.
            below: (usualPerSecond + (k.minDeviationPerMinute * 0.5) / 60) * s,
          }),
        },
      ],
      expected: {
        labels: { job: JOBS.app },
        annotations: {
          summary: `Unusual audit event rate on ${JOBS.app}`,
          description: `The audit event rate of ${JOBS.app} is more than ${k.zScore} standard deviations away from its ${w(k.baseline)} baseline and differs from it by more than ${k.minDeviationPerMinute} events/min.`,
        },
      },
      hasBelow: k.minDeviationPerMinute > 0,
    },
  });
}

function securityMiddlewareViolations(ctx: RuleContext): AlertRule {
  const k = ctx.knobs.SecurityMiddlewareViolations;
  const step = fixtureStep(ctx, k.window);
  const stepsPerWindow = k.window / step;
  const violations = labelSet(catalog.securityViolations.name, { ...APP, violation: "csrf" });
  const above = k.maxViolations + 10;
  return defineAlert(ctx, {
    name: "SecurityMiddlewareViolations",
    group: "security",
    service: "civicpulse",
    expr: `${recorded.securityViolationRate(k.window)} * ${k.window / 1000} > ${k.maxViolations}`,
    summary: "Security middleware rejecting requests ({{ $labels.violation }}) on {{ $labels.job }}",
    description: `{{ $value | printf "%.0f" }} requests were rejected for {{ $labels.violation }} by {{ $labels.job }} in the last ${w(k.window)} (threshold ${k.maxViolations}).`,
    runbook: {
      meaning: "The security middleware blocked requests (CSRF, forbidden host, rate limit, ...): an attack, a misconfigured client, or a broken front end.",
      firstChecks: [
        "Application dashboard, security events panel: which violation kind and since when?",
        "Loki: the rejected requests' paths, user agents and sources.",
        "A deployment that changed ALLOWED_HOSTS, CSRF settings or the front end's forms is a common cause.",
      ],
    },
    fixture: {
      step,
      lag: k.window,
      series: (phases) => [
        {
          series: violations,
          values: counter(phases, {
            above: above / stepsPerWindow,
            below: (k.maxViolations * 0.5) / stepsPerWindow,
            normal: 0,
          }),
        },
      ],
      expected: {
        labels: { job: JOBS.app, violation: "csrf" },
        annotations: {
          summary: `Security middleware rejecting requests (csrf) on ${JOBS.app}`,
          description: `${above} requests were rejected for csrf by ${JOBS.app} in the last ${w(k.window)} (threshold ${k.maxViolations}).`,
        },
      },
      hasBelow: k.maxViolations > 0,
    },
  });
}

export function securityAlerts(ctx: RuleContext): AlertRule[] {
  return [authenticationFailureSpike(ctx), auditEventAnomaly(ctx), securityMiddlewareViolations(ctx)];
}
