import { z } from "zod";
import { catalog } from "./catalog";
import { Duration, formatDuration, positiveDurationSchema } from "./duration";

/**
 * The typed SLOs of an environment (`slos.*` in the spec). Three SLOs, each with an objective in
 * percent and the window it is measured over, plus the multiwindow multi-burn-rate alert policy of
 * the Google SRE workbook (chapter 5, "Alerting on SLOs"): page on fast burns, ticket on slow ones.
 * Durations are values, so the e2e environment scales every window with the rest of its clock.
 */

/** 0 < objective < 100: 100 % leaves no error budget (every burn rate divides by zero), 0 % no SLO. */
const objective = (dflt: number) =>
  z
    .number()
    .gt(0, "an objective above 0 percent")
    .lt(100, "an objective below 100 percent (100 leaves no error budget to burn)")
    .default(dflt);

const sloWindow = positiveDurationSchema.prefault("30d");

const LATENCY_BUCKETS: readonly number[] = catalog.requestDuration.buckets;

export const latencyBucketMessage = (value: number) =>
  `${value} s is not a bucket boundary of ${catalog.requestDuration.name} (buckets: ${LATENCY_BUCKETS.join(", ")}); ` +
  "the share of requests under it cannot be counted exactly";

/** One multiwindow condition: the burn rate exceeds `factor` over both the long and the short window. */
const burnWindowSchema = z
  .strictObject({
    factor: z.number().positive(),
    long: positiveDurationSchema,
    short: positiveDurationSchema,
  })
  .refine((w) => w.short < w.long, { message: "short must be shorter than long", path: ["short"] });

export type BurnWindow = z.output<typeof burnWindowSchema>;

const burnWindows = (dflt: Array<{ factor: number; long: string; short: string }>) =>
  z.array(burnWindowSchema).min(1, "at least one window pair").prefault(dflt as never);

export const burnPolicySchema = z
  .strictObject({
    /** Page (severity critical): 2 % of a 30-day budget in 1 h, or 5 % in 6 h. */
    page: burnWindows([
      { factor: 14.4, long: "1h", short: "5m" },
      { factor: 6, long: "6h", short: "30m" },
    ]),
    /** Ticket (severity warning): 10 % of the budget in 1 d, or 10 % in 3 d. */
    ticket: burnWindows([
      { factor: 3, long: "1d", short: "2h" },
      { factor: 1, long: "3d", short: "6h" },
    ]),
  })
  .prefault({});

const sloBase = (objectiveDefault: number) => ({
  enabled: z.boolean().default(true),
  objectivePercent: objective(objectiveDefault),
  window: sloWindow,
});

export const sloSpecSchema = z
  .strictObject({
    /** Share of requests to the app that are not answered with a 5xx status. */
    availability: z.strictObject(sloBase(99.9)).prefault({}),
    /**
     * Share of requests answered within `thresholdSeconds`, which must be a bucket boundary of the
     * request-duration histogram. Unset, it follows `alerts.CivicPulseHighLatency.p95Seconds`.
     */
    latency: z
      .strictObject({
        ...sloBase(99),
        thresholdSeconds: z
          .number()
          .positive()
          .refine((v) => LATENCY_BUCKETS.includes(v), { error: (issue) => latencyBucketMessage(issue.input as number) })
          .optional(),
      })
      .prefault({}),
    /** Share of blackbox probes of the health endpoints that succeed. */
    healthProbes: z.strictObject(sloBase(99.9)).prefault({}),
    burnRates: burnPolicySchema,
  })
  .superRefine((s, ctx) => {
    const longest = Math.max(...[...s.burnRates.page, ...s.burnRates.ticket].map((w) => w.long));
    for (const name of ["availability", "latency", "healthProbes"] as const) {
      if (s[name].window < longest) {
        ctx.addIssue({
          code: "custom",
          path: [name, "window"],
          message: `the SLO window must be at least the longest burn-rate window (${formatDuration(longest as Duration)})`,
        });
      }
    }
  })
  .prefault({});

export type SloSpec = z.output<typeof sloSpecSchema>;
export type SloName = "availability" | "latency" | "healthProbes";
export const SLO_NAMES: readonly SloName[] = ["availability", "latency", "healthProbes"];
