import * as http from "node:http";
import { AddressInfo } from "node:net";

/**
 * The receiver end of the HA proof: counts Alertmanager webhook notifications by what they say.
 * Two notifications with the same receiver, integration path, group key, group status and alert set
 * (each alert's labels and status) are the same notification; with every repeat interval longer
 * than the run, a second copy can only be a duplicate (two peers sending the same thing).
 */

export interface Notification {
  readonly at: number;
  readonly path: string;
  readonly receiver: string;
  readonly groupKey: string;
  readonly status: string;
  readonly alerts: ReadonlyArray<{ readonly status: string; readonly labels: Readonly<Record<string, string>> }>;
  /** The sending peer's external URL (each peer has its own), so a duplicate names both senders. */
  readonly sender: string;
  /** The identity above (without the sender) as one string. */
  readonly key: string;
}

interface Payload {
  receiver: string;
  status: string;
  groupKey: string;
  externalURL?: string;
  alerts: Array<{ status: string; labels: Record<string, string> }>;
}

const sortedLabels = (l: Record<string, string>) =>
  Object.keys(l)
    .sort()
    .map((k) => `${k}=${JSON.stringify(l[k])}`)
    .join(",");

export class NotificationCounter {
  readonly notifications: Notification[] = [];
  private server?: http.Server;
  private port = 0;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        try {
          const p = JSON.parse(body) as Payload;
          const alerts = p.alerts.map((a) => ({ status: a.status, labels: a.labels }));
          const alertKeys = alerts.map((a) => `${a.status}{${sortedLabels(a.labels)}}`).sort();
          const key = [req.url ?? "", p.receiver, p.groupKey, p.status, ...alertKeys].join("|");
          this.notifications.push({ at: Date.now(), path: req.url ?? "", receiver: p.receiver, groupKey: p.groupKey, status: p.status, alerts, sender: p.externalURL ?? "", key });
          res.writeHead(200).end();
        } catch {
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(0, "127.0.0.1", resolve);
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((r) => this.server!.close(r));
  }

  /** Notifications that carry a firing alert with these labels (arrived at or after `since`). */
  firing(labels: Readonly<Record<string, string>>, since = 0): Notification[] {
    return this.notifications.filter(
      (n) => n.at >= since && n.alerts.some((a) => a.status === "firing" && Object.entries(labels).every(([k, v]) => a.labels[k] === v)),
    );
  }

  /** Every notification content seen more than once, with its count. */
  duplicates(): Array<{ key: string; count: number }> {
    const counts = new Map<string, number>();
    for (const n of this.notifications) counts.set(n.key, (counts.get(n.key) ?? 0) + 1);
    return [...counts].filter(([, c]) => c > 1).map(([key, count]) => ({ key, count }));
  }
}
