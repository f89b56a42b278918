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

/** The override-file key that declares a new environment from a preset: `qa: { basedOn: staging, ... }`. */
export const BASED_ON = "basedOn";
/** Environment names become stack ids, container names and Terraform state keys. */
const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,30}$/;

export interface Overrides {
  /** The override file read, when there is one. */
  readonly file?: string;
  /** Each environment's overrides, `basedOn` taken out. */
  readonly byEnvironment: Record<string, unknown>;
  /** The environments the file declares, with the preset each is based on, in file order. */
  readonly declared: Record<string, string>;
}

/** Checks one new environment's key and basedOn; returns the preset it is based on. */
function declaredBase(file: string, key: string, value: unknown): string {
  const presets = Object.keys(PRESETS).join(", ");
  const base = isPlain(value) ? value[BASED_ON] : undefined;
  if (base === undefined) {
    throw new EnvironmentError(
      `${file}: unknown environment ${JSON.stringify(key)} (presets: ${presets}; to declare a new environment, give it ${BASED_ON}: <one of them>)`,
    );
  }
  if (!ENVIRONMENT_NAME.test(key)) {
    throw new EnvironmentError(`${file}: environment name ${JSON.stringify(key)}: lowercase letters, digits and dashes, starting with a letter, at most 31 characters`);
  }
  if (typeof base !== "string" || !known(base)) {
    throw new EnvironmentError(`${file}: ${key}.${BASED_ON}: one of the presets ${presets} (got ${JSON.stringify(base)})`);
  }
  return base;
}

/** Reads the override file (if any) once; its top-level keys are environment names. */
export function readOverrides(options: LoadOptions): Overrides {
  const named = options.env[OVERRIDE_FILE_VARIABLE];
  const file = named ? path.resolve(options.rootDir, named) : path.join(options.rootDir, DEFAULT_OVERRIDE_FILE);
  // stat, not open: opening a FIFO blocks, and /dev/zero never ends.
  let stat;
  try {
    stat = statSync(file);
  } catch {
    if (named) throw new EnvironmentError(`${OVERRIDE_FILE_VARIABLE}=${named}: no such file`);
    return { byEnvironment: {}, declared: {} };
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
  if (parsed === null || parsed === undefined) return { file, byEnvironment: {}, declared: {} };
  if (!isPlain(parsed)) throw new EnvironmentError(`${file}: expected a mapping of environment names to overrides`);
  const byEnvironment: Record<string, unknown> = {};
  const declared: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (known(key)) {
      if (isPlain(value) && BASED_ON in value) {
        throw new EnvironmentError(`${file}: ${key}.${BASED_ON}: ${key} is a preset; ${BASED_ON} declares a new environment under a new name`);
      }
      byEnvironment[key] = value;
      continue;
    }
    declared[key] = declaredBase(file, key, value);
    const { [BASED_ON]: _base, ...rest } = value as Plain;
    byEnvironment[key] = rest;
  }
  return { file, byEnvironment, declared };
}

function fromVariables(envName: string, env: NodeJS.ProcessEnv): { input: unknown; used: string[] } {
  let input: unknown = {};
  const used: string[] = [];
  for (const prefix of ["CIVICPULSE_", `CIVICPULSE_${envName.toUpperCase().replace(/-/g, "_")}_`]) {
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
  const base = known(name) ? name : Object.prototype.hasOwnProperty.call(overrides.declared, name) ? overrides.declared[name] : undefined;
  if (base === undefined) throw new EnvironmentError(`unknown environment ${JSON.stringify(name)} (known: ${environmentNames(overrides).join(", ")})`);
  // A declared environment is its preset under its own name (and then its overrides).
  const preset = base === name ? PRESETS[name] : deepMerge(PRESETS[base], { name });
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

/**
 * The environments synth writes, in deploy order: the presets' order, each declared environment
 * right after the preset it is based on (several in the override file's order). Synth, check, the
 * workflows (`npm run environments`) and the deploy order all read this one list.
 */
export function environmentNames(overrides: Pick<Overrides, "declared">): string[] {
  return Object.keys(PRESETS).flatMap((preset) => [preset, ...Object.keys(overrides.declared).filter((n) => overrides.declared[n] === preset)]);
}

/** Every environment synth writes, with the override file they were read with (main.ts names it). */
export function loadConfiguration(options: LoadOptions): { overrides: Overrides; specs: EnvironmentSpec[] } {
  const overrides = readOverrides(options);
  return { overrides, specs: environmentNames(overrides).map((name) => loadEnvironment(name, options, overrides)) };
}

export function loadAllEnvironments(options: LoadOptions): EnvironmentSpec[] {
  return loadConfiguration(options).specs;
}
