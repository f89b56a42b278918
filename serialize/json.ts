/**
 * Deterministic JSON: the same value always gives the same bytes (sorted keys at every level,
 * undefined fields left out), so snapshots and Terraform plans change only when content does.
 */

/** JSON with object keys sorted at every level, so the same model always gives the same bytes. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

/** Sorted keys on one line, as Terraform's jsonencode() writes it. */
export function compactStableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}
