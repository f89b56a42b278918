import { PanelRef } from "../panels";
import { SloName } from "../../spec/slo";

/**
 * Panel ids of the SLO rows on the application dashboard (uid civicpulse-application): each SLO's
 * remaining budget and burn rate per window (ids from 150 up, like every panel that is not one of
 * rules/panels.ts' alert panels). Burn-rate alerts link to the burn-rate panel.
 */
export const SLO_PANELS: Record<SloName, { budget: PanelRef; burnRate: PanelRef }> = {
  availability: { budget: { dashboard: "application", panelId: 151 }, burnRate: { dashboard: "application", panelId: 152 } },
  latency: { budget: { dashboard: "application", panelId: 154 }, burnRate: { dashboard: "application", panelId: 155 } },
  healthProbes: { budget: { dashboard: "application", panelId: 157 }, burnRate: { dashboard: "application", panelId: 158 } },
};
