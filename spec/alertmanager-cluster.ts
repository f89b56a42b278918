import { z } from "zod";
import { positiveDurationSchema } from "./duration";

/** services.alertmanager.cluster: how many peers gossip together (constructs/alertmanager/ha.ts). */
export const alertmanagerClusterSpecSchema = z
  .strictObject({
    /** Peers of the cluster; 1 = a single Alertmanager without gossip. */
    peers: z.number().int().min(1).max(7).default(1),
    /**
     * How long peer k waits (k x this) for peers before it to send a notification. Alertmanager's
     * default 15s: long enough for the notification log to gossip on a loaded host; the price is
     * that a notification is up to 15 s later when the first peer is down.
     */
    peerTimeout: positiveDurationSchema.prefault("15s"),
  })
  .prefault({});

export type AlertmanagerClusterSpec = z.output<typeof alertmanagerClusterSpecSchema>;
