import { ALERT_NAMES } from "../spec/alert-knobs";
import { PanelRef } from "./panels";
import { ALERT_FILES } from "./alerts/registry";
import { AlertModule } from "./alerts/module";
import { AlertRule, RuleContext } from "./types";

/**
 * The catalog of alerts: every alert file's module (rules/alerts/registry.ts, generated), in a
 * stable order: the report's alerts in the spec's order (which keeps their rule files as they
 * were), then every other alert by name. Counts, panel links, the README's alert table and the
 * runbooks come from here, never from a list kept by hand.
 */
export const ALERTS: readonly AlertModule[] = checked(Object.entries(ALERT_FILES));

function checked(files: ReadonlyArray<[string, AlertModule]>): AlertModule[] {
  for (const [file, m] of files) {
    if (m.name !== file) throw new Error(`rules/alerts/${file}.ts defines alert ${m.name}: name the file after its alert`);
  }
  const rank = (m: AlertModule) => {
    const i = (ALERT_NAMES as readonly string[]).indexOf(m.name);
    return i < 0 ? ALERT_NAMES.length : i;
  };
  return files.map(([, m]) => m).sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

export const ALERT_PANELS: Readonly<Record<string, PanelRef>> = Object.fromEntries(ALERTS.map((m) => [m.name, m.panel]));

/**
 * The enabled alerts of an environment. A name under `alerts.` in the spec that is no alert file
 * stops here (the spec itself lets them through so an alert file can bring its own knobs).
 */
export function catalogAlerts(ctx: RuleContext): AlertRule[] {
  const known = new Set(ALERTS.map((m) => m.name));
  for (const name of Object.keys(ctx.knobs)) {
    if (!known.has(name)) {
      throw new Error(`alerts.${name}: no such alert (an alert is a file rules/alerts/<AlertName>.ts; known: ${[...known].sort().join(", ")})`);
    }
  }
  return ALERTS.filter((m) => m.knobs(ctx).enabled).map((m) => m.build(ctx));
}
