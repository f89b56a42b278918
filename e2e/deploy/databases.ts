import { DEPLOYED_DATABASE_IMAGES } from "../../spec/deployed";
import { until } from "../supervisor";
import { docker } from "./tools";

/**
 * Redis and PostgreSQL beside the deployed stack, as the app's databases would be: containers on
 * the monitoring network under the aliases Toxiproxy's upstreams name (redis, postgres), run by the
 * harness, not Terraform. Faults are Docker operations: `docker stop` and `docker start`.
 */
export const DATABASES = {
  redis: { container: "civicpulse-deploy-db-redis", alias: "redis", image: DEPLOYED_DATABASE_IMAGES.redis, ready: ["/usr/bin/redis-server", "--version"] },
  postgres: {
    container: "civicpulse-deploy-db-postgres",
    alias: "postgres",
    image: DEPLOYED_DATABASE_IMAGES.postgres,
    ready: ["/usr/lib/postgresql/15/bin/pg_isready", "-h", "127.0.0.1", "-q"],
  },
} as const;

export type Database = keyof typeof DATABASES;

export function removeDatabases(): void {
  for (const db of Object.values(DATABASES)) docker(["rm", "-f", db.container], "remove database container", true);
}

/** Starts both on the network (created by the deploy) and waits until PostgreSQL accepts connections. */
export async function runDatabases(network: string): Promise<void> {
  for (const db of Object.values(DATABASES)) {
    docker(["run", "-d", "--name", db.container, "--network", network, "--network-alias", db.alias, "--memory", "256m", "--label", "civicpulse.harness=deploy", db.image], `start ${db.alias}`);
  }
  await waitReady("postgres");
}

async function waitReady(db: Database): Promise<void> {
  const d = DATABASES[db];
  await until(`${db} to accept connections`, 30_000, () => (execOk(d.container, d.ready) ? true : undefined), 300);
}

function execOk(container: string, cmd: readonly string[]): boolean {
  try {
    docker(["exec", container, ...cmd], "probe");
    return true;
  } catch {
    return false;
  }
}

export async function stopDatabase(db: Database): Promise<void> {
  docker(["stop", "-t", "5", DATABASES[db].container], `docker stop ${db}`);
}

export async function startDatabase(db: Database): Promise<void> {
  docker(["start", DATABASES[db].container], `docker start ${db}`);
  await waitReady(db);
}
