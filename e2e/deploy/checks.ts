import { sleep } from "../supervisor";
import { docker } from "./tools";

/** One pass/fail line of the deploy report; every check counts in `npm test`'s closing line. */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export const check = (name: string, ok: boolean, detail: string): Check => ({ name, ok, detail });

export interface ContainerHealth {
  readonly container: string;
  readonly image: string;
  readonly status: string;
  /** Seconds from the container's start to its first passing healthcheck. */
  readonly secondsToHealthy?: number;
  /** The upstream image it stands in for (the image's org.civicpulse.mirrors label). */
  readonly mirrors: string;
}

interface Inspect {
  Name: string;
  Config: { Image: string; Labels: Record<string, string> };
  Image: string;
  State: { Status: string; StartedAt: string; Health?: { Status: string; Log: Array<{ Start: string; End: string; ExitCode: number }> } };
}

function inspect(names: readonly string[]): Inspect[] {
  return JSON.parse(docker(["inspect", ...names], "docker inspect")) as Inspect[];
}

/**
 * Waits (bounded) until every container is healthy or one is unhealthy/exited. The time to healthy
 * is read from the health log (first passing probe), so polling does not add to it; first passing
 * probes are remembered across polls because the log keeps only the last five.
 */
export async function waitHealthy(containers: readonly string[], timeoutMs: number): Promise<ContainerHealth[]> {
  const deadline = Date.now() + timeoutMs;
  const firstPass = new Map<string, number>();
  for (;;) {
    const all = inspect(containers);
    for (const c of all) {
      const pass = c.State.Health?.Log.find((l) => l.ExitCode === 0);
      if (pass && !firstPass.has(c.Name)) firstPass.set(c.Name, (Date.parse(pass.End) - Date.parse(c.State.StartedAt)) / 1000);
    }
    const settled = all.every((c) => c.State.Health?.Status === "healthy" || c.State.Health?.Status === "unhealthy" || c.State.Status === "exited");
    if (settled || Date.now() > deadline) {
      return all.map((c) => {
        const imageLabels = JSON.parse(docker(["image", "inspect", "--format", "{{json .Config.Labels}}", c.Image], "docker image inspect")) as Record<string, string> | null;
        const tags = JSON.parse(docker(["image", "inspect", "--format", "{{json .RepoTags}}", c.Image], "docker image inspect")) as string[] | null;
        return {
          container: c.Name.replace(/^\//, ""),
          image: tags?.[0] ?? c.Config.Image,
          status: c.State.Health?.Status ?? `no healthcheck (${c.State.Status})`,
          secondsToHealthy: firstPass.get(c.Name),
          mirrors: imageLabels?.["org.civicpulse.mirrors"] ?? "?",
        };
      });
    }
    await sleep(500);
  }
}

export async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!r.ok) throw new Error(`GET ${url}: HTTP ${r.status}`);
  return (await r.json()) as T;
}

export interface TargetState {
  readonly job: string;
  readonly scrapeUrl: string;
  readonly health: string;
  readonly lastError: string;
}

export async function activeTargets(promUrl: string): Promise<TargetState[]> {
  const r = await getJson<{ data: { activeTargets: Array<{ labels: Record<string, string>; scrapeUrl: string; health: string; lastError: string }> } }>(
    `${promUrl}/api/v1/targets?state=active`,
  );
  return r.data.activeTargets.map((t) => ({ job: t.labels.job, scrapeUrl: t.scrapeUrl, health: t.health, lastError: t.lastError })).sort((a, b) => a.scrapeUrl.localeCompare(b.scrapeUrl));
}

/** Rule files Prometheus loaded (group.file), and rules that fail to evaluate. */
export async function loadedRules(promUrl: string): Promise<{ files: string[]; errors: string[]; alerts: Set<string> }> {
  const r = await getJson<{ data: { groups: Array<{ file: string; rules: Array<{ name: string; type: string; health: string; lastError?: string }> }> } }>(`${promUrl}/api/v1/rules`);
  const files = [...new Set(r.data.groups.map((g) => g.file))].sort();
  const errors = r.data.groups.flatMap((g) => g.rules.filter((x) => x.health === "err").map((x) => `${x.name}: ${x.lastError}`));
  const alerts = new Set(r.data.groups.flatMap((g) => g.rules.filter((x) => x.type === "alerting").map((x) => x.name)));
  return { files, errors, alerts };
}
