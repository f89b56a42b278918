/**
 * Runs the Django package's pytest suite against a real PostgreSQL 15 and redis-server started on
 * loopback for the run (and stopped by PID afterwards), with the example project's database
 * created and migrated. Prints pytest's own summary and a last line `pytest: N passed, N failed`;
 * exits non-zero when any test failed or none ran (pytest's exit 5 is a failure here).
 *
 *   node dist/scripts/test-django.js [pytest args...]
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { postgresServer, redisServer } from "../e2e/datastores";
import { freePort, Supervisor } from "../e2e/supervisor";
import { POSTGRES_BIN, repoRoot } from "../e2e/tools";

export const VENV_PYTHON = path.join(repoRoot(), ".tools", "venv", "bin", "python");
export const DJANGO_DIR = path.join(repoRoot(), "instrumentation", "django");
export const EXAMPLE_DIR = path.join(DJANGO_DIR, "example");

export function venvPython(): string {
  if (!existsSync(VENV_PYTHON)) throw new Error(`${VENV_PYTHON} is missing; run bash scripts/install-python.sh`);
  return VENV_PYTHON;
}

/** Creates the example project's database on a running server and applies its migrations. */
export function prepareDatabase(env: NodeJS.ProcessEnv, port: number, name = "civicpulse"): void {
  const created = spawnSync(path.join(POSTGRES_BIN, "createdb"), ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", name], { encoding: "utf8", timeout: 30_000 });
  if (created.status !== 0) throw new Error(`createdb ${name} failed: ${created.stderr}`);
  const migrated = spawnSync(venvPython(), ["manage.py", "migrate", "--noinput", "-v", "0"], { cwd: EXAMPLE_DIR, env, encoding: "utf8", timeout: 120_000 });
  if (migrated.status !== 0) throw new Error(`manage.py migrate failed: ${migrated.stderr}${migrated.stdout}`);
}

/** The environment the example project reads its database and cache from. */
export function djangoEnv(pgPort: number, redisPort: number, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PYTHONPATH: [DJANGO_DIR, EXAMPLE_DIR].join(path.delimiter),
    DJANGO_SETTINGS_MODULE: "civicpulse.settings",
    CIVICPULSE_DB_HOST: "127.0.0.1",
    CIVICPULSE_DB_PORT: String(pgPort),
    CIVICPULSE_REDIS_URL: `redis://127.0.0.1:${redisPort}/0`,
    CIVICPULSE_E2E: "1",
    ...extra,
  };
}

/** pytest's closing line ("== 3 failed, 40 passed in 2.1s ==") as counts. */
export function pytestCounts(output: string): { passed: number; failed: number } {
  const line = output.trimEnd().split("\n").reverse().find((l) => /\d+ (passed|failed|errors?|skipped|deselected).* in [\d.]+s/.test(l)) ?? "";
  const n = (word: string) => Number(new RegExp(`(\\d+) ${word}`).exec(line)?.[1] ?? 0);
  return { passed: n("passed"), failed: n("failed") + n("error") + n("errors") };
}

async function main(): Promise<number> {
  const sup = new Supervisor("civicpulse-pytest-");
  try {
    const [pgPort, redisPort] = [await freePort(), await freePort()];
    await redisServer(sup, redisPort)();
    await postgresServer(sup, pgPort)();
    const env = djangoEnv(pgPort, redisPort);
    prepareDatabase(env, pgPort);
    const child = spawn(venvPython(), ["-m", "pytest", "-q", "-p", "no:cacheprovider", ...process.argv.slice(2)], {
      cwd: DJANGO_DIR,
      // Spans go to the suite's in-memory exporter (tests/conftest.py), not over OTLP.
      env: { ...env, TMPDIR: sup.subdir("tmp"), OTEL_TRACES_EXPORTER: "none" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      process.stdout.write(c);
    });
    child.stderr.on("data", (c: Buffer) => process.stderr.write(c));
    const code = await new Promise<number>((resolve) => child.on("exit", (c) => resolve(c ?? 1)));
    const { passed, failed } = pytestCounts(out);
    // Exit 5 is "no tests collected": a suite that ran nothing has not passed.
    const failedOrNone = code === 5 || passed + failed === 0 ? Math.max(1, failed) : failed;
    console.log(`pytest: ${passed} passed, ${failedOrNone} failed`);
    return code === 0 && passed > 0 ? 0 : 1;
  } finally {
    await sup.stopAll();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      console.error(`test-django could not run: ${e instanceof Error ? e.message : String(e)}`);
      console.log("pytest: 0 passed, 1 failed");
      process.exit(1);
    },
  );
}
