import { JOBS } from "../../spec/jobs";

/** Shared by the alert files' promtool fixtures. */

/** The app instance the application and security fixtures scrape. */
export const APP = { job: JOBS.app, instance: "web-1:8000" };
/** The node-exporter instance of the host fixtures. */
export const NODE = { job: JOBS.nodeExporter, instance: "host-1:9100" };
/** Go's %.4g, as humanizePercentage prints: 10 -> "10", 7.5 -> "7.5". */
export const pct = (ratio: number) => `${Number((ratio * 100).toPrecision(4))}%`;
