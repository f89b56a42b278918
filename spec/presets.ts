import { EnvironmentInput } from "./environment";

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
    // Looser SLOs: a laptop's errors and slow requests are the developer's own.
    slos: { availability: { objectivePercent: 99 }, latency: { objectivePercent: 95 }, healthProbes: { objectivePercent: 99 } },
  },
  staging: {
    name: "staging",
    prometheus: { retentionTime: "7d" },
    services: {
      app: { traceSampleRatio: 0.5 },
    },
    alerts: {
      CivicPulseLowRequestRate: { floorRequestsPerSecond: 0.01, weekOverWeekPercent: 0 },
    },
    slos: { availability: { objectivePercent: 99.5 }, latency: { objectivePercent: 98 }, healthProbes: { objectivePercent: 99.5 } },
  },
  prod: {
    name: "prod",
    // A Prometheus pair and three gossiping Alertmanagers; history goes to a 3-node Thanos Receive
    // hashring (README "High availability and scale").
    prometheus: { retentionTime: "30d", retentionSize: "50GB", replicas: 2 },
    store: { kind: "thanos-receive" },
    services: {
      alertmanager: { cluster: { peers: 3 } },
      // Keep one root trace in ten; children follow their parent's decision.
      app: { traceSampleRatio: 0.1 },
      // Chaos proxies have no business in production; enable per override when rehearsing.
      toxiproxy: { enabled: false },
    },
  },
};
