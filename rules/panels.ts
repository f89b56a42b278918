/**
 * Stable dashboard uids and the ids of the panels that show each alert's signal. Alerts link to
 * them (`dashboard_url`, each alert file names its panel; rules/alert-catalog.ts collects them),
 * dashboards place their panels under these ids, and a test proves every link names a panel that
 * exists. Other panels use ids from 100 up.
 */
export const DASHBOARD_UIDS = {
  application: "civicpulse-application",
  infrastructure: "civicpulse-infrastructure",
  cicd: "civicpulse-cicd",
} as const;
export type DashboardKey = keyof typeof DASHBOARD_UIDS;

export const PANEL_IDS = {
  application: {
    requestRateByStatus: 1,
    errorRatio: 2,
    latencyPercentiles: 3,
    databaseQueryLatency: 4,
    cacheHitRatio: 5,
    authenticationEvents: 6,
    auditEvents: 7,
    securityEvents: 8,
  },
  infrastructure: {
    hostCpu: 1,
    hostMemory: 2,
    hostDisk: 3,
    containerCpu: 4,
    containerMemory: 5,
    redis: 6,
    postgres: 7,
    probeSuccess: 8,
    probeLatency: 9,
  },
  cicd: {
    buildSuccessRate: 1,
    buildDuration: 2,
    testDuration: 3,
    coverage: 4,
    deploymentFrequency: 5,
    deploymentFailures: 6,
  },
} as const;

export interface PanelRef {
  readonly dashboard: DashboardKey;
  readonly panelId: number;
}

/** A panel by dashboard and name; an alert file names the panel its `dashboard_url` opens with this. */
export const ref = <D extends DashboardKey>(dashboard: D, panel: keyof (typeof PANEL_IDS)[D]): PanelRef => ({
  dashboard,
  panelId: PANEL_IDS[dashboard][panel] as number,
});

/** The Grafana URL that opens a panel on its own. */
export function panelUrl(grafanaUrl: string, panel: PanelRef): string {
  return `${grafanaUrl.replace(/\/+$/, "")}/d/${DASHBOARD_UIDS[panel.dashboard]}?viewPanel=${panel.panelId}`;
}
