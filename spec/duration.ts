import { z } from "zod";

/**
 * A duration is a whole number of milliseconds. Specs accept either a Prometheus duration string
 * ("5m", "1h30m", "250ms") or a number of seconds; everything downstream works on the number, so an
 * environment can scale every window and `for` clause without editing PromQL text.
 */
export type Duration = number & { readonly __duration: unique symbol };

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};
// Largest unit first, as Prometheus prints them.
const UNITS_DESCENDING = ["y", "w", "d", "h", "m", "s", "ms"] as const;
const DURATION_PATTERN = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

export function ms(value: number): Duration {
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`duration must be a non-negative whole number of milliseconds, got ${value}`);
  }
  return value as Duration;
}

export const seconds = (n: number): Duration => ms(Math.round(n * 1000));
export const minutes = (n: number): Duration => ms(Math.round(n * 60_000));
export const hours = (n: number): Duration => ms(Math.round(n * 3_600_000));
export const weeks = (n: number): Duration => ms(Math.round(n * 604_800_000));

/** Parses a Prometheus duration string; returns undefined when it is not one. */
export function parseDuration(text: string): Duration | undefined {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match || text.trim() === "") return undefined;
  let total = 0;
  UNITS_DESCENDING.forEach((unit, i) => {
    const part = match[i + 1];
    if (part !== undefined) total += Number(part) * UNIT_MS[unit];
  });
  // So many digits that the sum is Infinity: not a duration (ms() would throw).
  if (!Number.isFinite(total)) return undefined;
  return ms(total);
}

/** Formats a duration the way Prometheus writes it ("1h30m", "90s" becomes "1m30s", "0s"). */
export function formatDuration(d: Duration): string {
  if (d === 0) return "0s";
  let rest: number = d;
  let out = "";
  for (const unit of UNITS_DESCENDING) {
    const size = UNIT_MS[unit];
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}

export function scaleDuration(d: Duration, factor: number, floor: Duration = ms(1000)): Duration {
  return ms(Math.max(floor, Math.round((d * factor) / 1000) * 1000));
}

export const toSeconds = (d: Duration): number => d / 1000;

/**
 * The longest duration any field takes: far beyond any sensible window or retention, and well
 * inside what Prometheus, Alertmanager and Go's time.Duration can hold (about 292 years), so a
 * value such as "300000000y" or 1e300 is an error here instead of "duration out of range" there.
 */
export const MAX_DURATION: Duration = ms(100 * UNIT_MS.y);

/**
 * Zod schema for a duration field. A string must be a Prometheus duration; a number is seconds.
 * Negative or fractional-millisecond values are rejected with the value in the message.
 */
export const durationSchema = z
  .union([z.string(), z.number()])
  .transform((value, ctx): Duration => {
    if (typeof value === "number") {
      if (!Number.isFinite(value) || value < 0) {
        ctx.addIssue({ code: "custom", message: `duration must be >= 0 seconds, got ${value}` });
        return z.NEVER;
      }
      if (value * 1000 > MAX_DURATION) {
        ctx.addIssue({ code: "custom", message: `duration must be at most ${formatDuration(MAX_DURATION)} (${MAX_DURATION / 1000} seconds)` });
        return z.NEVER;
      }
      return seconds(value);
    }
    if (value.length > 64) {
      ctx.addIssue({ code: "custom", message: `not a duration: longer than 64 characters` });
      return z.NEVER;
    }
    const parsed = parseDuration(value);
    if (parsed === undefined) {
      ctx.addIssue({
        code: "custom",
        message: `not a duration: ${JSON.stringify(value)} (use a Prometheus duration such as "30s", "5m", "1h30m", or a number of seconds >= 0)`,
      });
      return z.NEVER;
    }
    if (parsed > MAX_DURATION) {
      ctx.addIssue({ code: "custom", message: `duration must be at most ${formatDuration(MAX_DURATION)}` });
      return z.NEVER;
    }
    return parsed;
  });

/** A duration that must be longer than zero (rate windows, intervals). */
export const positiveDurationSchema = durationSchema.refine((d) => d > 0, {
  message: "duration must be longer than 0",
});
