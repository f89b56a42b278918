import { readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { PRESETS } from "./presets";
import { crossFieldWarnings } from "./checks";
import { inputLimitProblems, MAX_OVERRIDE_FILE_BYTES } from "./limits";
import { EnvironmentSpec, environmentSpecSchema } from "./environment";

/** The override file read when present, beside package.json; CIVICPULSE_OVERRIDES names another. */
export const DEFAULT_OVERRIDE_FILE = "monitoring.overrides.yaml";
export const OVERRIDE_FILE_VARIABLE = "CIVICPULSE_OVERRIDES";

/** Settings that environment variables may set: CIVICPULSE_<NAME> for all, CIVICPULSE_<ENV>_<NAME> for one. */
const VARIABLES: Record<string, (value: string, name: string) => Record<string, unknown>> = {
  APP_TARGETS: (v, name) => ({ targets: { app: list(v, name) } }),
  APP_OTEL_TARGETS: (v, name) => ({ targets: { appOtel: list(v, name) } }),
  APP_BASE_URL: (v) => ({ targets: { appBaseUrl: v } }),
  REDIS_EXPORTER_TARGETS: (v, name) => ({ targets: { redisExporter: list(v, name) } }),
  POSTGRES_EXPORTER_TARGETS: (v, name) => ({ targets: { postgresExporter: list(v, name) } }),
  RUNBOOK_BASE_URL: (v) => ({ runbookBaseUrl: v }),
  TEAM: (v) => ({ team: v }),
};

/** A set but empty list would silently stop scraping (and alerting on) the whole job: an error. */
function list(v: string, name: string): string[] {
  const items = v.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (items.length === 0) {
    throw new EnvironmentError(`${name}=${JSON.stringify(v)}: no targets in it (a comma-separated list of host:port; unset the variable to keep the default)`);
  }
  return items;
}

export class EnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EnvironmentError";
  }
}

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === "object" && v !== null && !Array.isArray(v);

/** Objects merge field by field; anything else (arrays included) replaces. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlain(base) || !isPlain(over)) return over === undefined ? base : over;
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

export interface LoadOptions {
  /** Folder the default override file is looked up in. */
  readonly rootDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Receives settings that look inconsistent but may be right (main.ts prints them); ignored when absent. */
  readonly warn?: (message: string) => void;
}

const known = (name: string): boolean => Object.prototype.hasOwnProperty.call(PRESETS, name);

/** Reads the override file (if any) once; its top-level keys are environment names. */
export function readOverrides(options: LoadOptions): { file?: string; byEnvironment: Record<string, unknown> } {
  const named = options.env[OVERRIDE_FILE_VARIABLE];
  const file = named ? path.resolve(options.rootDir, named) : path.join(options.rootDir, DEFAULT_OVERRIDE_FILE);
  // stat, not open: opening a FIFO blocks, and /dev/zero never ends.
  let stat;
  try {
    stat = statSync(file);
  } catch {
    if (named) throw new EnvironmentError(`${OVERRIDE_FILE_VARIABLE}=${named}: no such file`);
    return { byEnvironment: {} };
  }
  const where = named ? `${OVERRIDE_FILE_VARIABLE}=${named}` : file;
  if (!stat.isFile()) throw new EnvironmentError(`${where}: not a regular file (a YAML file is expected)`);
  if (stat.size > MAX_OVERRIDE_FILE_BYTES) {
    throw new EnvironmentError(`${where}: ${stat.size} bytes, more than the ${MAX_OVERRIDE_FILE_BYTES} an override file may have`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, "utf8"));
  } catch (e) {
    throw new EnvironmentError(`${file}: not valid YAML: ${(e as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return { file, byEnvironment: {} };
  if (!isPlain(parsed)) throw new EnvironmentError(`${file}: expected a mapping of environment names to overrides`);
  for (const key of Object.keys(parsed)) {
    if (!known(key)) {
      throw new EnvironmentError(`${file}: unknown environment ${JSON.stringify(key)} (known: ${Object.keys(PRESETS).join(", ")})`);
    }
  }
  return { file, byEnvironment: parsed };
}

function fromVariables(envName: string, env: NodeJS.ProcessEnv): { input: unknown; used: string[] } {
  let input: unknown = {};
  const used: string[] = [];
  for (const prefix of ["CIVICPULSE_", `CIVICPULSE_${envName.toUpperCase()}_`]) {
    for (const [name, toInput] of Object.entries(VARIABLES)) {
      const value = env[prefix + name];
      if (value !== undefined) {
        input = deepMerge(input, toInput(value, prefix + name));
        used.push(prefix + name);
      }
    }
  }
  return { input, used };
}

function valueAt(input: unknown, p: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const key of p) v = isPlain(v) || Array.isArray(v) ? (v as Plain)[key as string] : undefined;
  return v;
}

/** One line per problem: the field path, what is wrong, and the value given. */
export function describeIssues(error: z.ZodError, input: unknown): string[] {
  return error.issues.map((issue) => {
    const where = issue.path.length ? issue.path.join(".") : "(top level)";
    if (issue.code === "unrecognized_keys") {
      const keys = issue.keys.map((k) => (issue.path.length ? `${where}.${k}` : k));
      return `${keys.join(", ")}: unknown field`;
    }
    const value = valueAt(input, issue.path);
    const shown = value === undefined ? "missing" : `got ${JSON.stringify(value)}`;
    return `${where}: ${issue.message} (${shown})`;
  });
}

/** Builds and validates one environment: preset, then the override file, then variables. */
export function loadEnvironment(name: string, options: LoadOptions, overrides = readOverrides(options)): EnvironmentSpec {
  const preset = known(name) ? PRESETS[name] : undefined;
  if (!preset) throw new EnvironmentError(`unknown environment ${JSON.stringify(name)} (known: ${Object.keys(PRESETS).join(", ")})`);
  const variables = fromVariables(name, options.env);
  const override = Object.prototype.hasOwnProperty.call(overrides.byEnvironment, name) ? overrides.byEnvironment[name] : undefined;
  const sources = [overrides.file && override ? overrides.file : undefined, ...variables.used].filter(Boolean);
  const invalid = (lines: string[]) =>
    new EnvironmentError(
      `environment ${name} is invalid:\n` +
        lines.map((l) => `  - ${l}`).join("\n") +
        (sources.length ? `\n  (inputs beyond the built-in preset: ${sources.join(", ")})` : ""),
    );
  // Checked before merging: a `__proto__` key or a 50 MB string must not get as far as the schema.
  const limits = [...inputLimitProblems(override ?? {}), ...inputLimitProblems(variables.input)];
  if (limits.length) throw invalid(limits);
  const input = deepMerge(deepMerge(preset, override ?? {}), variables.input);
  const result = environmentSpecSchema.safeParse(input);
  if (!result.success) throw invalid(describeIssues(result.error, input));
  if (result.data.name !== name) {
    throw invalid([`name: the environment under the key ${name} must be named ${name} (got ${JSON.stringify(result.data.name)})`]);
  }
  for (const w of crossFieldWarnings(result.data)) options.warn?.(`environment ${name}: ${w}`);
  return result.data;
}

export function loadAllEnvironments(options: LoadOptions): EnvironmentSpec[] {
  const overrides = readOverrides(options);
  return Object.keys(PRESETS).map((name) => loadEnvironment(name, options, overrides));
}
