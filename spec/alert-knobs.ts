import { z } from "zod";
import { durationSchema, positiveDurationSchema } from "./duration";

/**
 * The typed knobs of every alert, with the report's numbers as defaults. An environment overrides
 * one field of one alert (say `alerts.CivicPulseHighLatency.p95Seconds: 1.5`) without copying the
 * rule. Percentages are percent (0-100) because that is how the report and on-call people say them.
 */

export const SEVERITIES = ["warning", "critical", "emergency"] as const;
export type Severity = (typeof SEVERITIES)[number];
export const severitySchema = z.enum(SEVERITIES);

const percent = (dflt: number) => z.number().min(0).max(100).default(dflt);
// Upper bounds keep every threshold a number PromQL prints plainly (no 1e+300) and every generated
// promtool case small; they are far above any sensible setting.
const MAX_RATE = 1_000_000;
const positive = (dflt: number, max = MAX_RATE) => z.number().positive().max(max).default(dflt);
const nonNegative = (dflt: number, max = MAX_RATE) => z.number().min(0).max(max).default(dflt);
const duration = (dflt: string) => durationSchema.prefault(dflt);
const window = (dflt: string) => positiveDurationSchema.prefault(dflt);

/** Fields every alert has, plus the alert's own (an alert file's `newAlert` builds its knobs with this). */
export function alertKnobs<S extends z.ZodRawShape>(severity: (typeof SEVERITIES)[number], forDefault: string, shape: S) {
  return z
    .strictObject({
      enabled: z.boolean().default(true),
      severity: severitySchema.default(severity),
      for: duration(forDefault),
      ...shape,
    })
    // Generic shapes defeat zod's input inference; every field of an alert has a default.
    .prefault({} as never);
}

const builtInAlertKnobs = {
  CivicPulseHighErrorRate: alertKnobs("critical", "5m", {
    errorRatePercent: percent(5),
    window: window("5m"),
  }),
  CivicPulseHighLatency: alertKnobs("warning", "10m", {
    p95Seconds: positive(2, 3600),
    window: window("5m"),
  }),
  CivicPulseLowRequestRate: alertKnobs("warning", "15m", {
    /** Requests per second below which traffic counts as too low; 0 disables the floor. */
    floorRequestsPerSecond: nonNegative(0.05),
    /** Fire when traffic is below this percent of the same time a week earlier; 0 disables. */
    weekOverWeekPercent: percent(50),
    window: window("1h"),
  }),
  CivicPulseHealthCheckFailing: alertKnobs("critical", "2m", {}),
  HostHighCpuUsage: alertKnobs("warning", "10m", {
    cpuPercent: percent(80),
    window: window("5m"),
  }),
  HostLowMemory: alertKnobs("warning", "5m", {
    availablePercent: percent(20),
  }),
  HostDiskSpaceLow: alertKnobs("critical", "5m", {
    freePercent: percent(10),
    /** Filesystem types that are not real disks and never alert. */
    ignoredFsTypes: z
      .array(z.string().regex(/^[a-z0-9_.]+$/, "a filesystem type name such as tmpfs"))
      .default(["tmpfs", "overlay", "squashfs", "ramfs", "devtmpfs", "nsfs", "fuse.lxcfs"]),
  }),
  DatabaseConnectionFailures: alertKnobs("critical", "2m", {
    connectionErrorsPerMinute: positive(1),
    window: window("5m"),
  }),
  RedisDown: alertKnobs("critical", "1m", {}),
  AuthenticationFailureSpike: alertKnobs("critical", "1m", {
    failuresPerMinute: positive(10),
    window: window("2m"),
  }),
  AuditEventAnomaly: alertKnobs("warning", "10m", {
    /** How many standard deviations from the baseline count as an anomaly. */
    zScore: positive(3, 100),
    baseline: window("1d"),
    window: window("5m"),
    /** Ignore deviations smaller than this many events per minute, so a quiet system stays quiet. */
    minDeviationPerMinute: nonNegative(1),
  }),
  SecurityMiddlewareViolations: alertKnobs("warning", "1m", {
    /** Violations in the window above which the alert fires (0: any violation). */
    maxViolations: z.number().int().min(0).max(MAX_RATE).default(0),
    window: window("5m"),
  }),
  CIBuildFailureRateHigh: alertKnobs("warning", "0s", {
    failurePercent: percent(20),
    window: window("1h"),
    /** Fewer finished builds than this in the window never alert (one failure of one build is not a rate). */
    minBuilds: z.number().int().min(1).max(1000).default(3),
  }),
  CITestCoverageLow: alertKnobs("warning", "0s", {
    coveragePercent: percent(80),
    consecutiveBuilds: z.number().int().min(1).max(20).default(2),
  }),
  DeploymentFailed: alertKnobs("critical", "0s", {}),
};

/**
 * The report's alerts are typed here; an alert that brings its own knobs (rules/alerts/module.ts,
 * `newAlert`) is set under its name too and validated by its own schema when the rules are built,
 * which also rejects a name that is no alert.
 */
export const alertKnobsSchema = z
  .object(builtInAlertKnobs)
  .catchall(z.record(z.string(), z.unknown()))
  .prefault({});

export type AlertKnobs = z.output<typeof alertKnobsSchema>;
/** The report's alerts (built in, knobs typed in the spec). */
export type AlertName = keyof typeof builtInAlertKnobs;
export const ALERT_NAMES = Object.keys(builtInAlertKnobs) as AlertName[];

/**
 * Alerts about the alerting pipeline itself: the always-firing Watchdog (a dead-man's switch
 * outside notices when it stops), targets that stop answering, and the escalation of critical
 * alerts nobody resolved.
 */
export const metaKnobsSchema = z
  .strictObject({
    watchdog: z.strictObject({ enabled: z.boolean().default(true) }).prefault({}),
    instanceDown: z
      .strictObject({
        enabled: z.boolean().default(true),
        severity: severitySchema.default("warning"),
        for: duration("5m"),
      })
      .prefault({}),
    escalation: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** A critical alert still firing this long raises an emergency for its service. */
        after: window("30m"),
      })
      .prefault({}),
  })
  .prefault({});

export type MetaKnobs = z.output<typeof metaKnobsSchema>;

/** Alert names of the meta rules (rules/alerts/meta.ts); Alertmanager's routing refers to them. */
export const META_ALERTS = {
  watchdog: "Watchdog",
  instanceDown: "InstanceDown",
  escalation: "CriticalAlertUnresolved",
} as const;

/** The rule groups; every alert's `category` label is one of them. */
export type RuleGroupName = "application" | "infrastructure" | "security" | "cicd" | "meta" | "slo";
