import { catalog } from "../../spec/catalog";
import { formatDuration as w, ms } from "../../spec/duration";
import { ref } from "../panels";
import { recorded } from "../recording";
import { labelSet } from "../series";
import { fixtureStep, gauge } from "./define";
import { NODE, pct } from "./fixtures";
import { builtInAlert } from "./module";

const panel = ref("infrastructure", "hostMemory");

export const alert = builtInAlert("HostLowMemory", {
  category: "infrastructure",
  panel,
  firesWhen: (k) => `available memory < \`availablePercent\` ${k.availablePercent} %, for ${w(k.for)}`,
  build: (ctx, k, define) => {
    const threshold = k.availablePercent / 100;
    const total = 16e9;
    const above = threshold / 2;
    const below = Math.min(1, threshold * 1.1);
    return define({
      service: "host",
      expr: `${recorded.memoryAvailable()} < ${threshold}`,
      summary: `Less than ${k.availablePercent}% memory available on {{ $labels.instance }}`,
      description: `{{ $labels.instance }} has {{ $value | humanizePercentage }} of its memory available (threshold ${k.availablePercent}%).`,
      runbook: {
        meaning: "The host is close to swapping or to the kernel's out-of-memory killer.",
        firstChecks: [
          "Infrastructure dashboard: container memory (cAdvisor); which one grew?",
          "Check container memory limits: a container without one can take the host down.",
          "Look for a memory leak: memory rising steadily since the last deployment.",
        ],
      },
      fixture: {
        step: fixtureStep(ctx, ms(60_000)),
        lag: ms(0),
        series: (phases) => [
          { series: labelSet(catalog.nodeMemoryAvailable.name, NODE), values: gauge(phases, { above: total * above, below: total * below, normal: total * 0.6 }) },
          { series: labelSet(catalog.nodeMemoryTotal.name, NODE), values: gauge(phases, { above: total, below: total, normal: total }) },
        ],
        expected: {
          labels: { ...NODE },
          annotations: {
            summary: `Less than ${k.availablePercent}% memory available on ${NODE.instance}`,
            description: `${NODE.instance} has ${pct(above)} of its memory available (threshold ${k.availablePercent}%).`,
          },
        },
        hasBelow: threshold < 1,
      },
    });
  },
});
