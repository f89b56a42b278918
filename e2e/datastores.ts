import { spawnSync } from "node:child_process";
import { userInfo } from "node:os";
import * as path from "node:path";
import { Supervisor, until } from "./supervisor";
import { POSTGRES_BIN, systemBinary } from "./tools";

/**
 * The real redis-server and PostgreSQL 15 (Debian 12's) on loopback, for the live run and for the
 * Django package's pytest suite. Each returns a start function, so a scenario can stop the server
 * by its PID and start it again on the same port and data.
 */

export function postgresUser(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const id = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (id.status !== 0 || gid.status !== 0) {
    throw new Error("running as root, PostgreSQL must run as another user, and there is no postgres user (install postgresql-15)");
  }
  return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export function redisServer(sup: Supervisor, port: number, name = "redis-server"): () => Promise<void> {
  const bin = systemBinary("/usr/bin/redis-server");
  return async () => {
    sup.start(name, bin, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes"]);
    await until(name, 10_000, () => (sup.get(name).output().includes("Ready to accept connections") ? true : undefined), 50);
  };
}

/** initdb (trust auth on loopback, user postgres) now; the returned function starts the server. */
export function postgresServer(sup: Supervisor, port: number, name = "postgres"): () => Promise<void> {
  const owner = postgresUser();
  const pgRoot = sup.subdir(name, owner);
  const pgData = path.join(pgRoot, "data");
  const initdb = spawnSync(
    systemBinary(path.join(POSTGRES_BIN, "initdb")),
    ["-D", pgData, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"],
    { encoding: "utf8", uid: owner?.uid, gid: owner?.gid, cwd: pgRoot, timeout: 60_000 },
  );
  if (initdb.status !== 0) throw new Error(`initdb failed (${initdb.status}): ${initdb.stderr}${initdb.stdout}`);
  return async () => {
    sup.start(
      name,
      path.join(POSTGRES_BIN, "postgres"),
      ["-D", pgData, "-p", String(port), "-k", pgRoot, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "logging_collector=off"],
      { uid: owner?.uid, gid: owner?.gid, cwd: pgRoot, stopSignal: "SIGINT" },
    );
    await until(name, 20_000, () => {
      const p = sup.get(name);
      if (!p.running()) throw new Error(`${name} exited: ${p.output().slice(-2000)}`);
      return p.output().includes("ready to accept connections") ? true : undefined;
    }, 50);
  };
}
