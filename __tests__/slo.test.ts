import { buildRuleSet } from "../rules";
import { ms } from "../spec/duration";
import { resolvedSlos } from "../rules/slo/rules";
import { CounterSeries, goG4 } from "../rules/slo/simulate";
import { burnWindowsOf, recordedNamesFor, sloRecorded } from "../rules/slo/slos";
import { detectionSeconds, sloAlertPlans } from "../rules/slo/tests";
import { environmentSpecSchema } from "../spec/environment";
import { describeIssues } from "../spec/load";
import { ruleContext } from "../stacks/monitoring-files";
import { builtIn, builtInEnvironments } from "./helpers/environments";

/** The SLO spec, the rules it generates, and the model behind the generated promtool cases. */

function issues(slos: unknown): string[] {
  const input = { name: "prod", slos };
  const r = environmentSpecSchema.safeParse(input);
  return r.success ? [] : describeIssues(r.error, input);
}

describe("SLO spec", () => {
  test("prod: 99.9 % availability and 99 % of requests under the latency alert's 2 s, over 30 days", () => {
    const r = resolvedSlos(ruleContext(builtIn("prod")));
    expect(r.slos.map((s) => [s.name, s.objectivePercent, s.window, s.thresholdSeconds])).toEqual([
      ["availability", 99.9, ms(30 * 86_400_000), undefined],
      ["latency", 99, ms(30 * 86_400_000), 2],
      ["healthProbes", 99.9, ms(30 * 86_400_000), undefined],
    ]);
    expect(r.slos.map((s) => s.budget)).toEqual([0.001, 0.01, 0.001]);
  });

  test("staging and dev are looser than prod, SLO by SLO", () => {
    const objective = (env: string) => resolvedSlos(ruleContext(builtIn(env))).slos.map((s) => s.objectivePercent);
    const [prod, staging, dev] = [objective("prod"), objective("staging"), objective("dev")];
    prod.forEach((p, i) => {
      expect(staging[i]).toBeLessThan(p);
      expect(dev[i]).toBeLessThan(staging[i]);
    });
    // dev's latency SLO follows its relaxed latency alert (5 s), a bucket of the histogram.
    expect(resolvedSlos(ruleContext(builtIn("dev"))).slos[1].thresholdSeconds).toBe(5);
  });

  test.each([
    [{ availability: { objectivePercent: 100 } }, "slos.availability.objectivePercent: an objective below 100 percent (100 leaves no error budget to burn) (got 100)"],
    [{ latency: { objectivePercent: 0 } }, "slos.latency.objectivePercent: an objective above 0 percent (got 0)"],
    [{ healthProbes: { objectivePercent: -5 } }, "slos.healthProbes.objectivePercent: an objective above 0 percent (got -5)"],
    [{ latency: { thresholdSeconds: 1.5 } }, "slos.latency.thresholdSeconds: 1.5 s is not a bucket boundary of civicpulse_request_duration_seconds"],
    [{ availability: { window: "1d" } }, "slos.availability.window: the SLO window must be at least the longest burn-rate window (3d)"],
    [{ burnRates: { page: [{ factor: 14.4, long: "5m", short: "1h" }] } }, "slos.burnRates.page.0.short: short must be shorter than long"],
    [{ availability: { objective: 99 } }, "slos.availability.objective: unknown field"],
  ])("rejects %j naming the field", (slos, message) => {
    expect(issues(slos).join("\n")).toContain(message);
  });

  test("a latency alert threshold that is not a bucket is rejected (the SLO follows it); an explicit bucket threshold wins", () => {
    const spec = environmentSpecSchema.parse({ name: "prod", alerts: { CivicPulseHighLatency: { p95Seconds: 1.5 } } });
    // The alert's own check (rules/alerts/CivicPulseHighLatency.ts) names its field first.
    expect(() => buildRuleSet(ruleContext(spec))).toThrow("alerts.CivicPulseHighLatency.p95Seconds: 1.5 is not a bucket bound");
    const explicit = environmentSpecSchema.parse({ name: "prod", alerts: { CivicPulseHighLatency: { p95Seconds: 1 } }, slos: { latency: { thresholdSeconds: 0.5 } } });
    expect(resolvedSlos(ruleContext(explicit)).slos[1].thresholdSeconds).toBe(0.5);
    expect(buildRuleSet(ruleContext(explicit)).recording.find((r) => r.record === "job:civicpulse_slo_latency:burn_rate1h")!.expr).toContain('le=~"0\\\\.5"');
  });

  test("a disabled SLO has no rules and no alerts", () => {
    const spec = environmentSpecSchema.parse({ name: "prod", slos: { latency: { enabled: false } } });
    const rules = buildRuleSet(ruleContext(spec));
    expect(rules.alerts.filter((a) => a.group === "slo").map((a) => a.alert)).toEqual([
      "CivicPulseAvailabilityFastBurn",
      "CivicPulseAvailabilitySlowBurn",
      "CivicPulseHealthProbesFastBurn",
      "CivicPulseHealthProbesSlowBurn",
    ]);
    expect(rules.recording.some((r) => r.record.includes("slo_latency"))).toBe(false);
  });
});

describe("SLO rules", () => {
  const ctx = ruleContext(builtIn("prod"));
  const rules = buildRuleSet(ctx);
  const r = resolvedSlos(ctx);

  test("per SLO: a burn rate per window the alerts read, the remaining budget, a page and a ticket alert", () => {
    const windows = burnWindowsOf(r);
    expect(windows.map((d) => d / 60_000)).toEqual([5, 30, 60, 120, 360, 1440, 4320]);
    for (const slo of r.slos) {
      for (const d of windows) expect(rules.recording.map((x) => x.record)).toContain(sloRecorded.burnRate(slo, d));
      expect(rules.recording.map((x) => x.record)).toContain(sloRecorded.budgetRemaining(slo));
    }
    const slo = rules.recording.filter((x) => x.group === "slo");
    // 8 per SLO, plus the one base series rules/recording.ts does not record (probes over 30m).
    expect(slo).toHaveLength(8 * r.slos.length + 1);
    const page = rules.alerts.find((a) => a.alert === "CivicPulseAvailabilityFastBurn")!;
    expect(page.expr).toBe(
      "(job:civicpulse_slo_availability:burn_rate1h > 14.4 and job:civicpulse_slo_availability:burn_rate5m > 14.4) or " +
        "(job:civicpulse_slo_availability:burn_rate6h > 6 and job:civicpulse_slo_availability:burn_rate30m > 6)",
    );
    expect(page.labels).toMatchObject({ severity: "critical", slo: "availability", category: "slo" });
    expect(page.annotations.error_budget_remaining).toContain("job:civicpulse_slo_availability:error_budget_remaining30d");
    const ticket = rules.alerts.find((a) => a.alert === "CivicPulseAvailabilitySlowBurn")!;
    expect(ticket.labels.severity).toBe("warning");
    expect(ticket.expr).toContain("job:civicpulse_slo_availability:burn_rate3d > 1 and job:civicpulse_slo_availability:burn_rate6h > 1");
  });

  test("windows recorded already are reused; only 2h, 1d, 3d and the SLO window are derived", () => {
    const exprOf = (name: string) => rules.recording.find((x) => x.record === name)!.expr;
    const avail = r.slos[0];
    expect(exprOf(sloRecorded.burnRate(avail, ms(3_600_000)))).toBe("(job:civicpulse_requests_errors:ratio_rate1h) / 0.001");
    expect(exprOf(sloRecorded.burnRate(avail, ms(86_400_000)))).toBe(
      "(avg_over_time(job:civicpulse_requests_errors:rate30m[1d]) / avg_over_time(job:civicpulse_requests:rate30m[1d])) / 0.001",
    );
    expect(exprOf(sloRecorded.budgetRemaining(avail))).toBe(
      "1 - (avg_over_time(job:civicpulse_requests_errors:rate30m[30d]) / avg_over_time(job:civicpulse_requests:rate30m[30d])) / 0.001",
    );
  });
});

describe("the model behind the promtool cases", () => {
  test("rate() as Prometheus extrapolates it, worked out by hand", () => {
    // Samples 60 s apart rising by 60: 1/s. A 5m window at t=600 s holds the samples at 360..600
    // (left-open), 4 intervals = 240 s of 240 increase, extrapolated to the whole 300 s: 1/s.
    const c = new CounterSeries([...Array(11).keys()].map((i) => 1000 + 60 * i), 60);
    expect(c.rateAt(10, 300)).toBeCloseTo(1, 12);
    // At t=60 s only two samples (0 and 60) are in (-240, 60]: 60 over 60 s, extrapolated by half
    // an interval at the start (the series starts inside the window): 60 * 90/60 / 300 = 0.3.
    expect(c.rateAt(1, 300)).toBeCloseTo(0.3, 12);
    expect(c.rateAt(0, 300)).toBeUndefined();
  });

  test("Go's %.4g as humanizePercentage prints it", () => {
    expect([goG4(99.5), goG4(-396.04), goG4(12.3456), goG4(100), goG4(-8.8e-14), goG4(123456)]).toEqual(["99.5", "-396", "12.35", "100", "-8.8e-14", "1.235e+05"]);
  });

  test.each(builtInEnvironments().map((s) => [s.name, s] as const))(
    "%s: every case just above a factor fires within 5%% (and a step) of the workbook's long window x factor / burn rate",
    (_name, spec) => {
      const ctx = ruleContext(spec);
      const r = resolvedSlos(ctx);
      const names = recordedNamesFor(ctx);
      let checked = 0;
      for (const slo of r.slos) {
        for (const windows of [r.page, r.ticket]) {
          for (const { plan } of sloAlertPlans(r, slo, windows, names)) {
            if (!plan.name.startsWith("just above")) continue;
            const seen = detectionSeconds(plan)!;
            expect({ plan: `${slo.name} ${plan.name}`, fired: seen !== undefined }).toEqual({ plan: `${slo.name} ${plan.name}`, fired: true });
            const tolerance = 0.05 * plan.workbookSeconds! + plan.stepSeconds;
            expect({ plan: `${slo.name} ${plan.name}`, off: Math.abs(seen - plan.workbookSeconds!) <= tolerance }).toEqual({ plan: `${slo.name} ${plan.name}`, off: true });
            checked++;
          }
        }
      }
      expect(checked).toBe(4 * r.slos.length);
    },
  );
});
