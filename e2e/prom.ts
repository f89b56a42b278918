/** Small clients for the Prometheus, Alertmanager and Pushgateway HTTP APIs. */

export interface Sample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

interface QueryResponse {
  status: string;
  error?: string;
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }>; stats?: QueryStats };
}

export interface QueryStats {
  timings: { evalTotalTime: number; queryPreparationTime: number; innerEvalTime: number; execTotalTime: number };
  samples?: { totalQueryableSamples: number; peakSamples: number };
}

export class PromqlError extends Error {}

async function rawQuery(promUrl: string, expr: string, stats: boolean): Promise<QueryResponse> {
  const body = new URLSearchParams({ query: expr, ...(stats ? { stats: "all" } : {}) });
  const res = await fetch(`${promUrl}/api/v1/query`, {
    method: "POST",
    body,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    signal: AbortSignal.timeout(10_000),
  });
  const json = (await res.json()) as QueryResponse;
  if (json.status !== "success") throw new PromqlError(`${expr}: ${json.error ?? res.status}`);
  return json;
}

/** An instant query; vectors and scalars become samples. */
export async function query(promUrl: string, expr: string): Promise<Sample[]> {
  const json = await rawQuery(promUrl, expr, false);
  const d = json.data!;
  if (d.resultType === "scalar" || d.resultType === "string") {
    const v = d.result as unknown as [number, string];
    return [{ metric: {}, value: Number(v[1]) }];
  }
  return d.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

/** An instant query with Prometheus' own timing statistics. */
export async function queryWithStats(promUrl: string, expr: string): Promise<{ samples: number; stats: QueryStats }> {
  const json = await rawQuery(promUrl, expr, true);
  return { samples: Array.isArray(json.data!.result) ? json.data!.result.length : 1, stats: json.data!.stats! };
}

export interface PromAlert {
  labels: Record<string, string>;
  state: "pending" | "firing";
  activeAt: string;
}

export async function prometheusAlerts(promUrl: string): Promise<PromAlert[]> {
  const r = (await (await fetch(`${promUrl}/api/v1/alerts`)).json()) as { data: { alerts: PromAlert[] } };
  return r.data.alerts;
}

export interface AmAlert {
  labels: Record<string, string>;
  status: { state: "active" | "suppressed" | "unprocessed"; inhibitedBy: string[]; silencedBy: string[] };
}

export async function alertmanagerAlerts(amUrl: string): Promise<AmAlert[]> {
  return (await (await fetch(`${amUrl}/api/v2/alerts`)).json()) as AmAlert[];
}

export interface Target {
  labels: Record<string, string>;
  scrapeUrl: string;
  health: "up" | "down" | "unknown";
  lastError: string;
}

export async function targets(promUrl: string): Promise<Target[]> {
  const r = (await (await fetch(`${promUrl}/api/v1/targets?state=active`)).json()) as { data: { activeTargets: Target[] } };
  return r.data.activeTargets;
}
