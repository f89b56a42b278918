import { Duration, formatDuration } from "../spec/duration";

/**
 * Helpers for promtool's input notation. `ramp(0, 5, 10)` is "0+5x10": eleven samples one test
 * interval apart, rising by 5. Segments are joined with spaces; each returns where it ended so the
 * next can continue a counter without a reset.
 */
export interface Segment {
  readonly text: string;
  readonly end: number;
}

export function ramp(start: number, perStep: number, steps: number): Segment {
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`ramp steps must be a whole number >= 0, got ${steps}`);
  const sign = perStep < 0 ? "-" : "+";
  return { text: `${num(start)}${sign}${num(Math.abs(perStep))}x${steps}`, end: start + perStep * steps };
}

export const flat = (value: number, steps: number): Segment => ramp(value, 0, steps);

/** `steps` missing samples (promtool's "_"). */
export function gap(steps: number): Segment {
  return { text: steps > 0 ? `_x${steps}` : "", end: Number.NaN };
}

export function join(...segments: Segment[]): string {
  return segments
    .map((s) => s.text)
    .filter((t) => t !== "")
    .join(" ");
}

/** Numbers in promtool input: no exponent notation, no trailing float noise. */
function num(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`series value must be finite, got ${n}`);
  return Number(n.toPrecision(12)).toString();
}

/** How many whole test steps cover `d` (rounding up). */
export function stepsFor(d: Duration, step: Duration): number {
  return Math.ceil(d / step);
}

/** A label set in PromQL/promtool notation, sorted for determinism. */
export function labelSet(name: string, labels: Record<string, string>): string {
  const body = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(", ");
  return `${name}{${body}}`;
}

export const fmt = formatDuration;
