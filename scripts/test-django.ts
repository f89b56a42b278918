/**
 * Runs the Django package's pytest suite against a real PostgreSQL 15 and redis-server started on
 * loopback for the run (and stopped by PID afterwards), with the example project's database
 * created and migrated. Prints pytest's own summary and a last line `pytest: N passed, N failed`;
 * exits non-zero when any test failed or none ran (pytest's exit 5 is a failure here).
 *
 *   node dist/scripts/test-django.js [pytest args...]
 */
import { spawn } from "node:child_process";
import { postgresServer, redisServer } from "../e2e/datastores";
import { freePort, Supervisor } from "../e2e/supervisor";
import { DJANGO_DIR, djangoEnv, prepareDatabase, venvBinary } from "../e2e/django-app";

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
    const child = spawn(venvBinary("python"), ["-m", "pytest", "-q", "-p", "no:cacheprovider", ...process.argv.slice(2)], {
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
