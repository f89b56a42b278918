import { z } from "zod";

/** Grafana-as-code settings of an environment (target Grafana, folder, datasources, dashboards). */
export const grafanaSpecSchema = z.strictObject({}).prefault({});
export type GrafanaSpec = z.output<typeof grafanaSpecSchema>;
