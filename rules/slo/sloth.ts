import { catalog, select } from "../../spec/catalog";
import { JOBS } from "../../spec/jobs";
import { toYaml } from "../../serialize/yaml";
import { leMatcher, ResolvedSlo, ResolvedSlos } from "./slos";

/**
 * The same SLOs as a Sloth (github.com/slok/sloth, prometheus/v1 spec) input, for the side-by-side
 * comparison: `sloth generate` turns it into Sloth's own recording and alerting rules. Sloth's
 * default policy is the workbook's (the same four window pairs and factors) over a 30-day period.
 */

const app = { job: JOBS.app };
const SERVICE = "civicpulse";

export const slothSloName = (slo: Pick<ResolvedSlo, "name">) => slo.name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
export const slothAlertName = (slo: Pick<ResolvedSlo, "title">) => `Sloth${slo.title}`;

function sli(slo: ResolvedSlo): Record<string, unknown> {
  const win = "[{{.window}}]";
  if (slo.kind === "requests") {
    return {
      events: {
        error_query: `sum by (job) (rate(${select(catalog.requestsTotal, { ...app, status: { re: "5.." } })}${win}))`,
        total_query: `sum by (job) (rate(${select(catalog.requestsTotal, app)}${win}))`,
      },
    };
  }
  if (slo.kind === "latency") {
    const inf = `sum by (job) (rate(${select(catalog.requestDuration, { ...app, le: "+Inf" }, "bucket")}${win}))`;
    const fast = `sum by (job) (rate(${select(catalog.requestDuration, { ...app, le: leMatcher(slo.thresholdSeconds!) }, "bucket")}${win}))`;
    return { events: { error_query: `(${inf} - ${fast})`, total_query: inf } };
  }
  const probes = select(catalog.probeSuccess, { job: { re: `${JOBS.blackboxHealth}|${JOBS.blackboxHealthDetailed}` } });
  return { raw: { error_ratio_query: `1 - avg_over_time(${probes}${win})` } };
}

/** Sloth's input for the environment's SLOs (only those with Sloth's default 30-day window). */
export function slothSpec(r: ResolvedSlos): string {
  return toYaml(
    {
      version: "prometheus/v1",
      service: SERVICE,
      labels: {},
      slos: r.slos.map((slo) => ({
        name: slothSloName(slo),
        objective: slo.objectivePercent,
        description: slo.promise,
        sli: sli(slo),
        alerting: {
          name: slothAlertName(slo),
          page_alert: { labels: { severity: "critical" } },
          ticket_alert: { labels: { severity: "warning" } },
        },
      })),
    },
    "Sloth input generated from the environment's SLOs (rules/slo/sloth.ts), for the comparison only.",
  );
}

/** The labels and annotations Sloth 0.16 puts on its alerts (read from its generated rules). */
export function slothAlertShape(slo: ResolvedSlo, severity: "page" | "ticket"): { labels: Record<string, string>; annotations: Record<string, string> } {
  const name = slothSloName(slo);
  return {
    labels: {
      severity: severity === "page" ? "critical" : "warning",
      sloth_severity: severity,
      sloth_id: `${SERVICE}-${name}`,
      sloth_service: SERVICE,
      sloth_slo: name,
    },
    annotations: {
      summary: `${SERVICE} ${name} SLO error budget burn rate is over expected.`,
      title: `(${severity}) ${SERVICE} ${name} SLO error budget burn rate is too fast.`,
    },
  };
}
