import { catalog } from "../../spec/catalog";
import { formatDuration as w, ms } from "../../spec/duration";
import { ref } from "../panels";
import { recorded } from "../recording";
import { labelSet } from "../series";
import { fixtureStep, gauge } from "./define";
import { NODE, pct } from "./fixtures";
import { builtInAlert } from "./module";

const panel = ref("infrastructure", "hostDisk");

export const alert = builtInAlert("HostDiskSpaceLow", {
  category: "infrastructure",
  panel,
  firesWhen: (k) =>
    `< \`freePercent\` ${k.freePercent} % free on a writable filesystem not in \`ignoredFsTypes\` (${k.ignoredFsTypes.slice(0, 2).join(", ")}, …), for ${w(k.for)}`,
  build: (ctx, k, define) => {
    const threshold = k.freePercent / 100;
    const size = 100e9;
    const above = threshold / 2;
    const below = Math.min(1, threshold * 1.1);
    const disk = { ...NODE, device: "/dev/vda1", fstype: "ext4", mountpoint: "/" };
    const tmpfs = { ...NODE, device: "tmpfs", fstype: k.ignoredFsTypes[0] ?? "tmpfs", mountpoint: "/run" };
    const readonly = labelSet(catalog.nodeFilesystemReadonly.name, disk);
    return define({
      service: "host",
      // Read-only filesystems (snapshots, images) are full by design and never alert.
      expr: `${recorded.filesystemAvailable()} < ${threshold} and on (instance, device, mountpoint) ${catalog.nodeFilesystemReadonly.name} == 0`,
      summary: `Less than ${k.freePercent}% disk space free on {{ $labels.instance }} {{ $labels.mountpoint }}`,
      description: `{{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has {{ $value | humanizePercentage }} free (threshold ${k.freePercent}%).`,
      runbook: {
        meaning: "A real filesystem is nearly full; when it fills, databases stop writing and containers fail to start.",
        firstChecks: [
          "Find what grew: Prometheus TSDB, Loki chunks, Docker images and logs, PostgreSQL WAL.",
          "`docker system df` on the host; prune unused images and stopped containers.",
          "Check retention settings (Prometheus retentionTime/retentionSize, Loki retention_period).",
        ],
      },
      fixture: {
        step: fixtureStep(ctx, ms(60_000)),
        lag: ms(0),
        series: (phases) => [
          { series: labelSet(catalog.nodeFilesystemAvail.name, disk), values: gauge(phases, { above: size * above, below: size * below, normal: size * 0.5 }) },
          { series: labelSet(catalog.nodeFilesystemSize.name, disk), values: gauge(phases, { above: size, below: size, normal: size }) },
          { series: readonly, values: gauge(phases, { above: 0, below: 0, normal: 0 }) },
          // A nearly full tmpfs is ignored in every phase.
          { series: labelSet(catalog.nodeFilesystemAvail.name, tmpfs), values: gauge(phases, { above: 1e6, below: 1e6, normal: 1e6 }) },
          { series: labelSet(catalog.nodeFilesystemSize.name, tmpfs), values: gauge(phases, { above: 1e9, below: 1e9, normal: 1e9 }) },
          { series: labelSet(catalog.nodeFilesystemReadonly.name, tmpfs), values: gauge(phases, { above: 0, below: 0, normal: 0 }) },
        ],
        expected: {
          labels: disk,
          annotations: {
            summary: `Less than ${k.freePercent}% disk space free on ${NODE.instance} /`,
            description: `/ (/dev/vda1) on ${NODE.instance} has ${pct(above)} free (threshold ${k.freePercent}%).`,
          },
        },
        hasBelow: threshold < 1,
      },
    });
  },
});
