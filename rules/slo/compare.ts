import { Duration, formatDuration, ms } from "../../spec/duration";
import { AlertRule, RuleContext, RuleTestCase } from "../types";
import { alertName, BurnSpeed, resolvedSlos } from "./rules";
import { firingAt, simulate } from "./simulate";
import { recordedNamesFor, ResolvedSlo } from "./slos";
import { slothAlertName, slothAlertShape } from "./sloth";
import { detectionSeconds, Plan, sloAlertPlans } from "./tests";

/**
 * Our burn-rate alerts and Sloth's side by side on the same input series: for every case of our
 * alerts (rules/slo/tests.ts), when Sloth's alert for the same SLO and severity fires according to
 * the model, and a promtool case that holds Sloth's generated rules to that moment. Sloth reads
 * every window from the raw counters (its own SLI recordings), so the model treats every window as
 * exact; ours derives 2h, 1d and 3d from a 30m base, which is where the two may differ.
 */

export interface Comparison {
  readonly alert: string;
  readonly slothAlert: string;
  readonly slo: ResolvedSlo;
  readonly speed: BurnSpeed;
  readonly plan: Plan;
  /** Seconds into the burn at which each fires (undefined: stays quiet). */
  readonly ours?: number;
  readonly sloth?: number;
  readonly slothFireAt?: number;
  readonly slothCase: RuleTestCase;
}

export function comparisons(ctx: RuleContext, ourAlerts: readonly AlertRule[]): Comparison[] {
  const r = resolvedSlos(ctx);
  const names = recordedNamesFor(ctx);
  const out: Comparison[] = [];
  for (const slo of r.slos) {
    for (const [speed, windows] of [
      ["fast", r.page],
      ["slow", r.ticket],
    ] as const) {
      const alert = alertName(slo, speed);
      if (!ourAlerts.some((a) => a.alert === alert)) continue;
      for (const { plan, seriesOf, input } of sloAlertPlans(r, slo, windows, names)) {
        const n = plan.baseline + plan.burnSteps + plan.after;
        // Sloth reads every window from raw counters: exact, in the model's terms.
        const sim = simulate(r, slo, input, (d: Duration) => ({ exact: true, base: d }));
        const own = slo.level === "job" ? { job: "civicpulse-app" } : probeLabels(seriesOf()[0]?.series ?? "");
        const slothAlert = slothAlertName(slo);
        // Sloth names page and ticket alike: promtool sees both under one name, so expect whichever fires.
        const firingSloth = (i: number) =>
          (["page", "ticket"] as const)
            .filter((sev) => firingAt(sim, sev === "page" ? r.page : r.ticket, i))
            .map((sev) => {
              const shape = slothAlertShape(slo, sev);
              return { labels: { ...shape.labels, ...own, alertname: slothAlert }, annotations: shape.annotations };
            });
        const mine = speed === "fast" ? r.page : r.ticket;
        let fireAt: number | undefined;
        for (let i = plan.baseline; i < n; i++) if (firingAt(sim, mine, i)) { fireAt = i; break; }
        const at = (i: number) => ms(i * plan.stepSeconds * 1000);
        const checkAt = fireAt === undefined ? [n - 1] : [fireAt - 1, fireAt];
        const checks = checkAt.map((i) => ({ at: at(i), alertname: slothAlert, expect: firingSloth(i) }));
        out.push({
          alert,
          slothAlert,
          slo,
          speed,
          plan,
          ours: detectionSeconds(plan),
          sloth: fireAt === undefined ? undefined : (fireAt - (plan.baseline - 1)) * plan.stepSeconds,
          slothFireAt: fireAt,
          slothCase: {
            name: `${slothAlert} (${speed === "fast" ? "page" : "ticket"}) on the input of "${alert}: burn ${plan.name}"`,
            interval: ms(plan.stepSeconds * 1000),
            evaluationInterval: ms(plan.stepSeconds * 1000),
            inputSeries: seriesOf(),
            alerts: checks,
          },
        });
      }
    }
  }
  return out;
}

function probeLabels(series: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of series.matchAll(/(\w+)="([^"]*)"/g)) out[m[1]] = m[2];
  return out;
}

export const describeSeconds = (s: number | undefined) => (s === undefined ? "quiet" : formatDuration(ms(s * 1000)));
