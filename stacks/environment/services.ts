import { z } from "zod";

/**
 * Container settings of every service in the monitoring stack (images, ports, limits, volumes).
 * Filled in by the containers work; each service's knobs live beside its construct.
 */
export const servicesSpecSchema = z.strictObject({}).prefault({});
export type ServicesSpec = z.output<typeof servicesSpecSchema>;
