import { z } from "zod";
import { AlertKnobs, alertKnobsSchema, AlertName } from "../../spec/alert-knobs";
import { PanelRef } from "../panels";
import { AlertRule, RuleContext } from "../types";
import { AlertDefinition, CommonKnobs, defineAlert } from "./define";

/**
 * One alert, as one file `rules/alerts/<AlertName>.ts` exports it (`export const alert = …`):
 * its definition, promtool fixture and runbook text (through `define`), the panel it links to and
 * the README's "fires when" line. The registry (rules/alerts/registry.ts), the alert table in the
 * README, the runbooks, the panel links and the dashboard pictures are generated from these.
 */

export type AlertCategory = "application" | "infrastructure" | "security" | "cicd";

/** `defineAlert` with the module's name, group, knobs, panel and file filled in. */
export type Define = (def: Omit<AlertDefinition, "name" | "group" | "knobs" | "panel" | "source">) => AlertRule;

export interface AlertModule {
  readonly name: string;
  readonly category: AlertCategory;
  readonly panel: PanelRef;
  /** Where its knobs live: the environment spec's schema (built in), or its own file. */
  readonly knobsIn: "spec" | "file";
  /** The knobs of an environment, validated. */
  readonly knobs: (ctx: RuleContext) => CommonKnobs;
  /** The knobs' defaults. */
  readonly defaults: () => CommonKnobs;
  /** When it fires, with the default knobs (the README's alert table). */
  readonly firesWhen: () => string;
  readonly build: (ctx: RuleContext) => AlertRule;
}

interface AlertParts<K extends CommonKnobs> {
  readonly category: AlertCategory;
  readonly panel: PanelRef;
  readonly firesWhen: (k: K) => string;
  readonly build: (ctx: RuleContext, k: K, define: Define) => AlertRule;
}

const sourceOf = (name: string) => `rules/alerts/${name}.ts`;

function module<K extends CommonKnobs>(
  name: string,
  knobsIn: AlertModule["knobsIn"],
  knobsOf: (ctx: RuleContext) => K,
  defaults: () => K,
  parts: AlertParts<K>,
): AlertModule {
  return {
    name,
    category: parts.category,
    panel: parts.panel,
    knobsIn,
    knobs: knobsOf,
    defaults,
    firesWhen: () => parts.firesWhen(defaults()),
    build: (ctx) => {
      const k = knobsOf(ctx);
      const define: Define = (def) =>
        defineAlert(ctx, { ...def, name, group: parts.category, knobs: k, panel: parts.panel, source: sourceOf(name) });
      return parts.build(ctx, k, define);
    },
  };
}

/** One of the report's alerts, whose typed knobs are part of the environment spec (`alerts.<name>`). */
export function builtInAlert<N extends AlertName>(name: N, parts: AlertParts<AlertKnobs[N]>): AlertModule {
  const schema = alertKnobsSchema.unwrap().shape[name] as unknown as z.ZodType<AlertKnobs[N]>;
  return module(name, "spec", (ctx) => ctx.knobs[name], () => schema.parse(undefined), parts);
}

/**
 * An alert that brings its own knobs (build them with `alertKnobs` from spec/alert-knobs): an override
 * file sets them under `alerts.<name>` like a built-in alert's, and they are validated here, when
 * the rules are built, with the same kind of message.
 */
export function newAlert<S extends z.ZodType<CommonKnobs>>(name: string, knobs: S, parts: AlertParts<z.output<S>>): AlertModule {
  const parse = (input: unknown): z.output<S> => {
    const r = knobs.safeParse(input ?? {});
    if (r.success) return r.data;
    throw new Error(
      r.error.issues
        .map((i) => {
          const where = ["alerts", name, ...i.path.map(String)].join(".");
          return i.code === "unrecognized_keys" ? i.keys.map((k) => `${where}.${k}: unknown field`).join("; ") : `${where}: ${i.message}`;
        })
        .join("; "),
    );
  };
  return module(name, "file", (ctx) => parse((ctx.knobs as Record<string, unknown>)[name]), () => parse({}), parts);
}
