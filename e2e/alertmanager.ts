import { existsSync } from "node:fs";
import * as path from "node:path";
import { tool, TOOLS_BIN } from "./tools";

/**
 * How to start Debian's Alertmanager from the unpacked tool folder. Its build reads the default
 * notification templates from /usr/share/prometheus/alertmanager; when the system has no such
 * folder, the binary runs in a private mount namespace with the unpacked package's /usr/share
 * overlaid read-only on /usr/share (nothing on the host changes). `unshare` and `sh` both exec, so
 * the spawned PID is Alertmanager's own and stopping it by PID stops Alertmanager.
 */
export function alertmanagerLaunch(args: readonly string[]): { cmd: string; args: string[] } {
  const bin = tool("prometheus-alertmanager");
  if (existsSync("/usr/share/prometheus/alertmanager/default.tmpl")) return { cmd: bin, args: [...args] };
  const share = path.resolve(TOOLS_BIN, "..", "root", "usr", "share");
  return {
    cmd: "unshare",
    args: [
      "--mount",
      "--propagation",
      "private",
      "sh",
      "-c",
      `mount -t overlay overlay -o lowerdir=${share}:/usr/share /usr/share && exec "$0" "$@"`,
      bin,
      ...args,
    ],
  };
}
