import { DeployReport } from "./run";

const s = (n: number | undefined) => (n === undefined ? "–" : `${n.toFixed(1)} s`);

/** The Markdown report (.verify/deploy-report.md): what the README's table is copied from. */
export function renderDeployReport(r: DeployReport): string {
  const passed = r.checks.filter((c) => c.ok).length;
  const t = r.timings;
  const lines = [
    "# Deployed e2e environment (`npm run verify:deploy`)",
    "",
    `${passed} of ${r.checks.length} checks passed. Provider kreuzwerker/docker ${r.providerVersion} (built from the Go module proxy), ${r.terraform}. Figures taken on a shared 2-core machine under load.`,
    ...(r.error ? ["", `**Stopped:** ${r.error}`] : []),
    "",
    "## Timings",
    "",
    "| step | seconds | target |",
    "|---|---|---|",
    `| cold \`cdktf deploy\` (images exist) | ${s(t.coldDeploySeconds)} | ≤ 90 s |`,
    `| every container healthy after the deploy | ${s(t.allHealthySeconds)} | |`,
    `| second \`cdktf deploy\`, no change | ${s(t.secondDeploySeconds)} | 0 changes |`,
    `| \`cdktf diff\`, no change | ${s(t.noChangeDiffSeconds)} | |`,
    `| \`terraform plan\`, no change | ${s(t.noChangePlanSeconds)} | 0 changes ≤ 15 s |`,
    `| rule-change apply (\`cdktf deploy\`) | ${s(t.ruleChangeApplySeconds)} | |`,
    `| \`cdktf destroy\` | ${s(t.destroySeconds)} | |`,
    "",
    "## Containers",
    "",
    "| container | image | stands in for | health | time to healthy |",
    "|---|---|---|---|---|",
    ...r.containers.map((c) => `| ${c.container} | ${c.image} | ${c.mirrors} | ${c.status} | ${s(c.secondsToHealthy)} |`),
    "",
    "Hardening each service ran with (all reached healthy with it):",
    "",
    "| service | hardening |",
    "|---|---|",
    ...Object.entries(r.hardening).map(([k, v]) => `| ${k} | ${v} |`),
    "",
    "Not deployed: " + Object.entries(r.disabled).map(([k, v]) => `**${k}** (${v})`).join("; ") + ".",
    "",
    "## Scenarios",
    "",
    "| scenario | alert | receivers | detected | floor | resolved | result |",
    "|---|---|---|---|---|---|---|",
    ...r.scenarios.map(
      (x) =>
        `| ${x.name} | ${x.alert} | ${x.receivers.join(", ")} | ${s(x.detectionSeconds)} | ${x.floorSeconds ?? "–"} s | ${x.resolutionChecked ? s(x.resolutionSeconds) : "not checked"} | ${x.ok ? "pass" : `FAIL: ${x.failures.join("; ")}`} |`,
    ),
    "",
    "## Threshold change: Terraform's plan against `npm run diff`",
    "",
    "| resource | planned | predicted | forced by (plan) | forced by (diff) | agree |",
    "|---|---|---|---|---|---|",
    ...r.planVsDiff.map((p) => `| ${p.address} | ${p.planned ?? "–"} | ${p.predicted ?? "–"} | ${p.plannedForcedBy.join(", ")} | ${p.predictedForcedBy.join(", ")} | ${p.agree ? "yes" : "**no**"} |`),
    "",
    "## Across the rule change",
    "",
    ...(r.day2.ruleChange
      ? [
          `- scrape gap: ${s(r.day2.ruleChange.scrapeGapSeconds)} (scrape interval ${r.day2.ruleChange.scrapeIntervalSeconds} s; target ≤ 1 interval)`,
          `- samples of the 120 s before the change: ${r.day2.ruleChange.samplesBefore} before, ${r.day2.ruleChange.samplesAfter} after (target: 0 lost)`,
          `- pending alert: ${r.day2.ruleChange.pending}`,
        ]
      : ["- not reached"]),
    `- after \`cdktf destroy\`: volumes left ${r.volumesAfterDestroy.length ? r.volumesAfterDestroy.join(", ") : "none"}`,
    "",
    "## Checks",
    "",
    ...r.checks.map((c) => `- ${c.ok ? "pass" : "**FAIL**"} ${c.name}: ${c.detail.replace(/\n/g, " ")}`),
    "",
  ];
  return lines.join("\n");
}
