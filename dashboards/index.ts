import type { EnvironmentSpec } from "../spec/environment";
import { applicationDashboard } from "./application";
import { cicdDashboard } from "./cicd";
import { RenderedDashboard } from "./common";
import { infrastructureDashboard } from "./infrastructure";

export type { RenderedDashboard } from "./common";


/** The three CivicPulse dashboards of an environment, in a fixed order. */
export function buildDashboards(spec: EnvironmentSpec): RenderedDashboard[] {
  return [applicationDashboard(spec), infrastructureDashboard(spec), cicdDashboard(spec)];
}
