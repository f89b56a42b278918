import * as http from "node:http";
import { AddressInfo } from "node:net";
import { until } from "./supervisor";

/**
 * A webhook recorder standing in for the chat, pager, escalation and heartbeat integrations:
 * every Alertmanager notification is split into one record per alert, with the receiver that
 * sent it (from the payload), the integration path it arrived on, the alert's own status and the
 * time it arrived.
 */

export interface Delivery {
  /** Milliseconds since the epoch when the notification arrived. */
  readonly at: number;
  /** URL path the notification arrived on: /chat, /pager, /escalation, /heartbeat. */
  readonly path: string;
  /** Alertmanager receiver name (payload `receiver`). */
  readonly receiver: string;
  readonly alertname: string;
  readonly status: "firing" | "resolved";
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

interface WebhookPayload {
  receiver: string;
  status: string;
  alerts: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string> }>;
}

export class WebhookRecorder {
  readonly deliveries: Delivery[] = [];
  private server?: http.Server;
  private port = 0;
  private host = "127.0.0.1";

  /** Listens on 127.0.0.1 unless told otherwise (the deploy harness uses its engine's bridge gateway). */
  async start(host = "127.0.0.1", port = 0): Promise<void> {
    this.host = host;
    this.server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const at = Date.now();
        try {
          const payload = JSON.parse(body) as WebhookPayload;
          for (const a of payload.alerts) {
            this.deliveries.push({
              at,
              path: req.url ?? "",
              receiver: payload.receiver,
              alertname: a.labels.alertname ?? "",
              status: a.status === "resolved" ? "resolved" : "firing",
              labels: a.labels,
              annotations: a.annotations ?? {},
            });
          }
          res.writeHead(200).end();
        } catch {
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, host, resolve);
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  url(path: string): string {
    return `http://${this.host}:${this.port}${path}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((r) => this.server!.close(r));
  }

  find(match: DeliveryMatch): Delivery[] {
    return this.deliveries.filter((d) => matches(d, match));
  }

  /** The last delivery matching so far, if any (deliveries are kept in arrival order). */
  latest(match: DeliveryMatch): Delivery | undefined {
    const found = this.find(match);
    return found[found.length - 1];
  }

  /** The first delivery matching, waiting at most timeoutMs. */
  waitFor(match: DeliveryMatch, timeoutMs: number): Promise<Delivery> {
    return until(describe(match), timeoutMs, () => this.find(match)[0], 100);
  }
}

export interface DeliveryMatch {
  readonly alertname: string;
  readonly receiver?: string;
  readonly status?: "firing" | "resolved";
  readonly labels?: Readonly<Record<string, string>>;
  /** Only deliveries that arrived at or after this time (ms since epoch). */
  readonly since?: number;
}

export function matches(d: Delivery, m: DeliveryMatch): boolean {
  if (d.alertname !== m.alertname) return false;
  if (m.receiver !== undefined && d.receiver !== m.receiver) return false;
  if (m.status !== undefined && d.status !== m.status) return false;
  if (m.since !== undefined && d.at < m.since) return false;
  for (const [k, v] of Object.entries(m.labels ?? {})) if (d.labels[k] !== v) return false;
  return true;
}

export function describe(m: DeliveryMatch): string {
  const labels = Object.entries(m.labels ?? {}).map(([k, v]) => `${k}="${v}"`);
  return `${m.status ?? "any"} ${m.alertname}${labels.length ? `{${labels.join(",")}}` : ""} at receiver ${m.receiver ?? "any"}`;
}
