import type { z } from "zod";
import { DEFAULT_RECEIVERS, RECEIVER_TYPES, receiverSchema, ReceiverType } from "../../spec/alertmanager-receivers";

/**
 * The README's receiver reference, generated from the zod schema itself (types, fields, defaults,
 * descriptions), so the documentation cannot drift from what synth accepts (a test compares them).
 */

type Def = { type: string; innerType?: z.ZodType; defaultValue?: unknown };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

function describeField(schema: z.ZodType): { required: string; description: string } {
  const def = defOf(schema);
  const description = schema.description ?? "";
  if (def.type === "default") return { required: `default \`${JSON.stringify(def.defaultValue)}\``, description };
  if (def.type === "optional") return { required: "optional", description };
  return { required: "required", description };
}

export function receiverSchemaDoc(): string {
  const rows: string[] = ["| type | field | | what |", "|---|---|---|---|"];
  for (const option of receiverSchema.options) {
    const shape = option.shape as Record<string, z.ZodType>;
    const type = (defOf(shape.type) as unknown as { values: string[] }).values[0] as ReceiverType;
    const info = RECEIVER_TYPES[type];
    rows.push(`| \`${type}\` | | | Alertmanager \`${info.integration}\`; secret: ${info.secret} |`);
    for (const [field, schema] of Object.entries(shape)) {
      if (field === "type") continue;
      const { required, description } = describeField(schema);
      rows.push(`| | \`${field}\` | ${required} | ${description} |`);
    }
  }
  const defaults = Object.entries(DEFAULT_RECEIVERS)
    .map(([name, r]) => `\`${name}\` (${r.type}${r.match ? `: ${r.match.severities.join(", ")}` : ""})`)
    .join(", ");
  return `${rows.join("\n")}\n\nDefaults: ${defaults}.\n`;
}

export const RECEIVERS_DOC_START = "<!-- receivers:start (generated from spec/alertmanager-receivers.ts by npm run docs) -->";
export const RECEIVERS_DOC_END = "<!-- receivers:end -->";

/** The README with its receiver section replaced by the generated one. */
export function withReceiverDoc(readme: string): string {
  const start = readme.indexOf(RECEIVERS_DOC_START);
  const end = readme.indexOf(RECEIVERS_DOC_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${RECEIVERS_DOC_START} … ${RECEIVERS_DOC_END} section`);
  return `${readme.slice(0, start)}${RECEIVERS_DOC_START}\n${receiverSchemaDoc()}${readme.slice(end)}`;
}
