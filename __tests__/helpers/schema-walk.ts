import type { z } from "zod";

/**
 * Walks a zod 4 schema through its definitions (`_zod.def`), so tests can reach every field the
 * schema has today and every field added later without a hand-kept list.
 */

// zod's internal definition objects; only the parts read here.
interface Def {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly shape?: Record<string, z.ZodType>;
  readonly options?: z.ZodType[];
  readonly element?: z.ZodType;
  readonly keyType?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly values?: unknown[];
  readonly entries?: Record<string, unknown>;
  readonly defaultValue?: unknown;
}
export const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

const WRAPPERS = new Set(["optional", "default", "prefault", "nullable", "readonly", "catch", "nonoptional"]);

/** Whether an object key must be given (no default, not optional). */
export function isRequired(s: z.ZodType): boolean {
  const d = defOf(s);
  if (d.type === "optional" || d.type === "default" || d.type === "prefault") return false;
  if (WRAPPERS.has(d.type)) return isRequired(d.innerType!);
  if (d.type === "pipe") return isRequired(d.in!);
  return true;
}

/** A value for a required field next to the one under test: its literal, first enum value, or a plain stand-in. */
export function sample(s: z.ZodType): unknown {
  const d = defOf(s);
  if (d.type === "default" || d.type === "prefault") return d.defaultValue;
  if (WRAPPERS.has(d.type)) return d.type === "optional" ? undefined : sample(d.innerType!);
  switch (d.type) {
    case "pipe":
      return sample(d.in!);
    case "literal":
      return d.values![0];
    case "enum":
      return Object.values(d.entries!)[0];
    case "boolean":
      return false;
    case "number":
      return 1;
    case "string":
      return "a";
    case "array":
      return [];
    case "record":
      return {};
    case "union":
      return sample(d.options![0]);
    case "object":
      return requiredSamples(d.shape!);
    default:
      return undefined;
  }
}

function requiredSamples(shape: Record<string, z.ZodType>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(shape).filter(([, v]) => isRequired(v)).map(([k, v]) => [k, sample(v)]));
}

/** A string field: its path (`a.b[0]`, `a.<key>` for a record key) and how to build an input holding a value there. */
export interface StringField {
  readonly path: string;
  make(value: string): unknown;
}

/** Every place of the schema that takes a string, with the sibling fields it needs filled in. */
export function stringFields(schema: z.ZodType, at = ""): StringField[] {
  const d = defOf(schema);
  const join = (k: string) => (at ? `${at}.${k}` : k);
  if (WRAPPERS.has(d.type)) return stringFields(d.innerType!, at);
  switch (d.type) {
    case "string":
      return [{ path: at, make: (v) => v }];
    case "pipe":
      return stringFields(d.in!, at);
    case "union":
      return d.options!.flatMap((o) => stringFields(o, at));
    case "array":
      return stringFields(d.element!, `${at}[0]`).map((f) => ({ path: f.path, make: (v) => [f.make(v)] }));
    case "record":
      return [
        { path: join("<key>"), make: (v: string) => ({ [v]: sample(d.valueType!) }) },
        ...stringFields(d.valueType!, join("x")).map((f) => ({ path: f.path, make: (v: string) => ({ x: f.make(v) }) })),
      ];
    case "object": {
      const shape = d.shape!;
      return Object.entries(shape).flatMap(([k, sub]) =>
        stringFields(sub, join(k)).map((f) => ({ path: f.path, make: (v: string) => ({ ...requiredSamples(shape), [k]: f.make(v) }) })),
      );
    }
    default:
      return [];
  }
}
