import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { synthesizeAll } from "../../stacks/app";
import { EnvironmentError } from "../../stacks/environment/load";
import { runTool } from "./tools";

/**
 * What a hostile or generated input does to the real synth path (`synthesizeAll`, as `npm run synth`
 * runs it): rejected with a message, or accepted and then judged by the programs that consume the
 * output (promtool check config / check rules, amtool check-config, for every environment).
 */
export type SynthOutcome =
  | { readonly kind: "rejected"; readonly message: string }
  | { readonly kind: "accepted"; readonly problems: string[] }
  | { readonly kind: "crashed"; readonly message: string };

/** Whether a message reads as a stack trace rather than a sentence. */
export const looksLikeStackTrace = (message: string): boolean => /\n\s+at .+\(.*:\d+:\d+\)/.test(message);

export function synthAndCheck(options: { rootDir: string; env: NodeJS.ProcessEnv }): SynthOutcome {
  const work = mkdtempSync(path.join(tmpdir(), "civicpulse-check-"));
  const outdir = path.join(work, "cdktf.out");
  try {
    let stacks: string[];
    try {
      stacks = synthesizeAll({ ...options, outdir });
    } catch (e) {
      const leftovers = readdirSync(work);
      const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
      if (leftovers.length > 0) return { kind: "crashed", message: `left behind after a failure: ${leftovers.join(", ")}; ${message}` };
      return e instanceof EnvironmentError ? { kind: "rejected", message: e.message } : { kind: "crashed", message };
    }
    const problems: string[] = [];
    for (const stack of stacks.filter((s) => s.startsWith("monitoring-"))) {
      const rendered = path.join(outdir, "stacks", stack, "rendered");
      const prom = path.join(rendered, "prometheus");
      const checks: Array<[string, string[], string | undefined]> = [
        ["promtool", ["check", "config", "prometheus.yml"], prom],
        ["promtool", ["check", "rules", "recording_rules.yml", "alerting_rules.yml"], prom],
        ["amtool", ["check-config", path.join(rendered, "alertmanager", "alertmanager.yml")], undefined],
      ];
      for (const [name, args, cwd] of checks) {
        if (cwd && !existsSync(cwd)) {
          problems.push(`${stack}: ${cwd} missing`);
          continue;
        }
        const r = runTool(name, args, { cwd });
        if (r.status !== 0) problems.push(`${stack}: ${name} ${args.join(" ")}: ${(r.stdout + r.stderr).trim()}`);
      }
    }
    return { kind: "accepted", problems };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
