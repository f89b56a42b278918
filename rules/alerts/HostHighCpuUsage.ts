import { catalog } from "../../spec/catalog";
import { formatDuration as w, toSeconds } from "../../spec/duration";
import { ref } from "../panels";
import { recorded } from "../recording";
import { labelSet } from "../series";
import { counter, fixtureStep } from "./define";
import { NODE, pct } from "./fixtures";
import { builtInAlert } from "./module";

const panel = ref("infrastructure", "hostCpu");

export const alert = builtInAlert("HostHighCpuUsage", {
  category: "infrastructure",
  panel,
  firesWhen: (k) => `CPU > \`cpuPercent\` ${k.cpuPercent} % over ${w(k.window)}, for ${w(k.for)}`,
  build: (ctx, k, define) => {
    const threshold = k.cpuPercent / 100;
    const above = (1 + threshold) / 2;
    const below = threshold * 0.9;
    const step = fixtureStep(ctx, k.window);
    const s = toSeconds(step);
    const cpu = (mode: string) => labelSet(catalog.nodeCpuSeconds.name, { ...NODE, cpu: "0", mode });
    return define({
      service: "host",
      expr: `${recorded.cpuUtilisation(k.window)} > ${threshold}`,
      summary: `CPU above ${k.cpuPercent}% on {{ $labels.instance }}`,
      description: `CPU utilisation of {{ $labels.instance }} is {{ $value | humanizePercentage }} averaged over ${w(k.window)} (threshold ${k.cpuPercent}%).`,
      runbook: {
        meaning: "The host is busy enough that requests queue for CPU; latency follows.",
        firstChecks: [
          "Infrastructure dashboard: which containers use the CPU (cAdvisor panel)?",
          "Is it load (request rate up) or a runaway process (request rate flat)?",
          "Look for a batch job, migration or backup running at the same time.",
        ],
      },
      fixture: {
        step,
        lag: k.window,
        series: (phases) => [
          { series: cpu("idle"), values: counter(phases, { above: (1 - above) * s, below: (1 - below) * s, normal: 0.9 * s }) },
          { series: cpu("user"), values: counter(phases, { above: above * s, below: below * s, normal: 0.1 * s }) },
        ],
        expected: {
          labels: { instance: NODE.instance },
          annotations: {
            summary: `CPU above ${k.cpuPercent}% on ${NODE.instance}`,
            description: `CPU utilisation of ${NODE.instance} is ${pct(above)} averaged over ${w(k.window)} (threshold ${k.cpuPercent}%).`,
          },
        },
        hasBelow: threshold > 0,
      },
    });
  },
});
