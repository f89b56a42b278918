import { PanelRef } from "../panels";
import { SloName } from "./spec";

/**
 * Panel ids of the SLO rows on the application dashboard (uid civicpulse-application): each SLO's
 * remaining budget and burn rate per window. Burn-rate alerts link to the burn-rate panel.
 */
export const SLO_PANELS: Record<SloName, { budget: PanelRef; burnRate: PanelRef }> = {
  availability: { budget: { dashboard: "application", panelId: 20 }, burnRate: { dashboard: "application", panelId: 21 } },
  latency: { budget: { dashboard: "application", panelId: 22 }, burnRate: { dashboard: "application", panelId: 23 } },
  healthProbes: { budget: { dashboard: "application", panelId: 24 }, burnRate: { dashboard: "application", panelId: 25 } },
};
