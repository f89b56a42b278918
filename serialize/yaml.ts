import { stringify } from "yaml";

/**
 * Renders a config object as YAML the same way everywhere: no line folding (long PromQL stays on
 * one line), no anchors/aliases (a reused object is written out in full), plain scalars where safe.
 * Key order is the object's insertion order, which our builders fix, so output is deterministic.
 */
export function toYaml(value: unknown, header?: string): string {
  const body = stringify(value, { lineWidth: 0, aliasDuplicateObjects: false, indentSeq: true });
  return header ? `${header.trimEnd().split("\n").map((l) => `# ${l}`.trimEnd()).join("\n")}\n${body}` : body;
}
