import { EnvironmentInput } from "./schema";

/**
 * The three environments. Each states only where it differs from the report's defaults (which
 * live in the schemas): dev tolerates more noise, prod keeps data longer.
 */
export const PRESETS: Record<string, EnvironmentInput> = {
  dev: {
    name: "dev",
    prometheus: { retentionTime: "3d" },
    alerts: {
      // A developer's laptop has no steady traffic: a floor would fire all night.
      CivicPulseLowRequestRate: { enabled: false },
      CivicPulseHighLatency: { p95Seconds: 5 },
    },
  },
  staging: {
    name: "staging",
    prometheus: { retentionTime: "7d" },
    alerts: {
      CivicPulseLowRequestRate: { floorRequestsPerSecond: 0.01, weekOverWeekPercent: 0 },
    },
  },
  prod: {
    name: "prod",
    prometheus: { retentionTime: "30d", retentionSize: "50GB" },
  },
};
