import fc from "fast-check";
import type { z } from "zod";
import { defOf, isRequired } from "./schema-walk";

/**
 * fast-check arbitraries read off a zod 4 schema's own constraints: number bounds and integer-ness,
 * string patterns, formats and lengths, enums, literals, arrays, records, unions, and the
 * duration fields (a string or a number of seconds). Mostly values the constraints allow, with a
 * share of values just outside or far outside them, so the property sees both sides of each bound.
 */

interface Check {
  readonly check?: string;
  readonly format?: string;
  readonly value?: number;
  readonly inclusive?: boolean;
  readonly pattern?: RegExp;
  readonly minimum?: number;
  readonly maximum?: number;
}
const checksOf = (s: z.ZodType): Check[] =>
  ((defOf(s) as unknown as { checks?: Array<{ _zod: { def: Check } }> }).checks ?? []).map((c) => c._zod.def);

const WRAPPERS = new Set(["optional", "default", "prefault", "nonoptional", "readonly", "catch"]);

/** A duration field: a pipe from string|number into a transform. */
function isDuration(s: z.ZodType): boolean {
  const d = defOf(s);
  if (d.type !== "pipe") return false;
  const input = defOf(d.in!);
  return input.type === "union" && input.options!.map((o) => defOf(o).type).sort().join() === "number,string";
}

const UNITS = ["ms", "s", "m", "h", "d", "w", "y"] as const;
const durationArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.integer({ min: 1, max: 120 }), fc.constantFrom(...UNITS.slice(1, 5))).map(([n, u]) => `${n}${u}`) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 7200 }) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 999_999_999 }), fc.constantFrom(...UNITS)).map(([n, u]) => `${n}${u}`) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, 0.0001, 1e300, "0s", "1h30m", "-5m", "5 m", "") },
);

function numberArb(s: z.ZodType): fc.Arbitrary<unknown> {
  const checks = checksOf(s);
  const int = checks.some((c) => c.format === "safeint");
  const lower = checks.find((c) => c.check === "greater_than");
  const upper = checks.find((c) => c.check === "less_than");
  const min = lower?.value ?? (int ? -1000 : -1e6);
  const max = upper?.value ?? (int ? 100_000 : 1e6);
  const inside = int
    ? fc.integer({ min: Math.ceil(min + (lower?.inclusive === false ? 1 : 0)), max: Math.floor(max - (upper?.inclusive === false ? 1 : 0)) })
    : fc.double({ min, max, noNaN: true, noDefaultInfinity: true, minExcluded: lower?.inclusive === false, maxExcluded: upper?.inclusive === false });
  const outside = fc.constantFrom(min - 1, max + 1, 1e300, -1e300, 0.5, 1e9);
  return fc.oneof({ weight: 8, arbitrary: inside }, { weight: 1, arbitrary: outside });
}

const HOSTILE_TEXT = fc.constantFrom("{{ .X", '${file("/etc/hostname")}', "%{if true}x%{endif}", 'a"b', "a\nb", "", " ", "x".repeat(300), "__proto__");

/** fc.stringMatching where fast-check supports the pattern's syntax, any short string otherwise. */
function matching(pattern: RegExp): fc.Arbitrary<string> {
  try {
    return fc.stringMatching(pattern).filter((v) => v.length <= 200);
  } catch {
    return fc.string({ maxLength: 40 });
  }
}

function stringArb(s: z.ZodType): fc.Arbitrary<unknown> {
  const d = defOf(s) as unknown as Check & { format?: string };
  const checks = [d, ...checksOf(s)];
  const pattern = checks.find((c) => c.format === "regex" || (c.pattern && c.format !== "url"))?.pattern;
  const minLength = checks.find((c) => c.check === "min_length")?.minimum ?? 0;
  const maxLength = Math.min(checks.find((c) => c.check === "max_length")?.maximum ?? 40, 40);
  let inside: fc.Arbitrary<string>;
  if (d.format === "url") {
    inside = fc.oneof(
      fc.webUrl({ validSchemes: ["http", "https"] }),
      fc.constantFrom("http://127.0.0.1:3000", "https://grafana.example.com/", "http://civicpulse-web:8000"),
    );
  } else if (pattern) {
    inside = matching(pattern);
  } else {
    inside = fc.string({ minLength: Math.max(minLength, 1), maxLength: Math.max(maxLength, Math.max(minLength, 1)) });
  }
  return fc.oneof({ weight: 8, arbitrary: inside }, { weight: 1, arbitrary: HOSTILE_TEXT });
}

/** An arbitrary for a whole value of the schema (objects get their required keys and some optional ones). */
export function arbitraryOf(schema: z.ZodType): fc.Arbitrary<unknown> {
  const d = defOf(schema);
  if (isDuration(schema)) return durationArb;
  if (WRAPPERS.has(d.type)) return arbitraryOf(d.innerType!);
  switch (d.type) {
    case "nullable":
      return fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 4, arbitrary: arbitraryOf(d.innerType!) });
    case "pipe":
      return arbitraryOf(d.in!);
    case "number":
      return numberArb(schema);
    case "string":
      return stringArb(schema);
    case "boolean":
      return fc.boolean();
    case "literal":
      return fc.constantFrom(...(d.values as unknown[]));
    case "enum":
      return fc.constantFrom(...Object.values(d.entries!));
    case "array":
      return fc.array(arbitraryOf(d.element!), { maxLength: 3 });
    case "record":
      return fc.dictionary(arbitraryOf(d.keyType!) as fc.Arbitrary<string>, arbitraryOf(d.valueType!), { maxKeys: 2 });
    case "union":
      return fc.oneof(...d.options!.map(arbitraryOf));
    case "object": {
      const shape = d.shape!;
      const required = Object.keys(shape).filter((k) => isRequired(shape[k]));
      return fc.record(Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, arbitraryOf(v)])), { requiredKeys: required });
    }
    default:
      return fc.constant(undefined);
  }
}

/** One field an override may set: its path and an arbitrary for its value. */
export interface Leaf {
  readonly path: readonly string[];
  readonly arbitrary: fc.Arbitrary<unknown>;
}

/**
 * The fields an override sets one at a time: every scalar, list and record of the schema; a union
 * of objects (a backend, a Grafana target, a storage kind) is one field, generated whole.
 */
export function leavesOf(schema: z.ZodType, at: readonly string[] = []): Leaf[] {
  const d = defOf(schema);
  if (isDuration(schema)) return [{ path: at, arbitrary: durationArb }];
  if (WRAPPERS.has(d.type)) return leavesOf(d.innerType!, at);
  if (d.type === "object") return Object.entries(d.shape!).flatMap(([k, v]) => leavesOf(v, [...at, k]));
  return [{ path: at, arbitrary: arbitraryOf(schema) }];
}

/** { a: { b: value } } for path ["a", "b"]. */
export function nest(path: readonly string[], value: unknown): unknown {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
}
