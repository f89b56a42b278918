import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { TerraformStack } from "cdktf";
import { RenderedFiles } from "../../constructs/common/rendered-files";
import { buildApp, synthesizeAll } from "../../stacks/app";
import { EnvironmentError, loadEnvironment } from "../../spec/load";
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
    return { kind: "accepted", problems: toolProblems(outdir, stacks) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The cheaper path for many generated specs: one environment (preset, override file, variables),
 * its two stacks built and synthesized as synthesizeAll does, then the same real-tool checks.
 */
export function synthOneAndCheck(name: string, options: { rootDir: string; env: NodeJS.ProcessEnv }): SynthOutcome {
  const work = mkdtempSync(path.join(tmpdir(), "civicpulse-check-"));
  try {
    let stacks: TerraformStack[];
    try {
      const built = buildApp([loadEnvironment(name, options)], work);
      built.app.synth();
      stacks = built.stacks;
    } catch (e) {
      return e instanceof EnvironmentError
        ? { kind: "rejected", message: e.message }
        : { kind: "crashed", message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
    for (const stack of stacks) {
      for (const [rel, content] of RenderedFiles.of(stack).entries()) {
        const file = path.join(work, "stacks", stack.node.id, "rendered", rel);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, content);
      }
    }
    return { kind: "accepted", problems: toolProblems(work, stacks.map((s) => s.node.id)) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** promtool check config and check rules, amtool check-config, on each monitoring stack's rendered files. */
function toolProblems(outdir: string, stacks: readonly string[]): string[] {
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
  return problems;
}
