import { catalog, select } from "../../spec/catalog";
import { formatDuration as w, ms, toSeconds } from "../../spec/duration";
import { JOBS } from "../../spec/jobs";
import { ref } from "../panels";
import { recorded } from "../recording";
import { labelSet } from "../series";
import { counter, fixtureStep, gauge } from "./define";
import { builtInAlert } from "./module";

const panel = ref("infrastructure", "postgres");

export const alert = builtInAlert("DatabaseConnectionFailures", {
  category: "infrastructure",
  panel,
  firesWhen: (k) =>
    `\`pg_up == 0\` (\`reason="unreachable"\`) or app connection errors > \`connectionErrorsPerMinute\` ${k.connectionErrorsPerMinute}/min (\`reason="connection_errors"\`), for ${w(k.for)}`,
  build: (ctx, k, define) => {
    const perMinute = k.connectionErrorsPerMinute;
    const step = fixtureStep(ctx, k.window);
    const s = toSeconds(step);
    const pgUp = labelSet(catalog.pgUp.name, { job: JOBS.postgresExporter, instance: "postgres-exporter:9187" });
    const errors = labelSet(catalog.databaseConnectionErrors.name, { job: JOBS.app, instance: "web-1:8000", database: "default" });
    const description = "PostgreSQL problem ({{ $labels.reason }}) seen by {{ $labels.job }}: {{ $value }}.";
    const rule = define({
      service: "postgresql",
      // Three causes, one alert name: the exporter cannot connect; the exporter itself does not
      // answer (a hung database makes its scrape time out, so pg_up is missing rather than 0); or
      // the app reports connection errors above the threshold. The reason label tells them apart.
      expr:
        `label_replace(${catalog.pgUp.name} == 0, "reason", "unreachable", "", "") or ` +
        `label_replace(${select(catalog.up, { job: JOBS.postgresExporter })} == 0, "reason", "exporter_down", "", "") or ` +
        `label_replace(${recorded.dbConnectionErrorRate(k.window)} * 60 > ${perMinute}, "reason", "connection_errors", "", "")`,
      summary: "CivicPulse database connection failures ({{ $labels.reason }})",
      description,
      runbook: {
        meaning: "The app cannot (reliably) reach PostgreSQL: requests that touch the database fail.",
        firstChecks: [
          "reason=exporter_down: postgres-exporter does not answer; often a hung database makes its scrape time out. Check both containers.",
          "reason=unreachable: is the PostgreSQL container running? `pg_isready` against it; disk full; max_connections reached.",
          "reason=connection_errors: connection pool exhaustion in the app, network flaps, failovers; check pg_stat_activity on the Infrastructure dashboard.",
          "Toxiproxy: make sure no latency or timeout toxic is still enabled from a fault-injection test.",
        ],
      },
      fixture: {
        step,
        lag: k.window,
        series: (phases) => [
          { series: errors, values: counter(phases, { above: (perMinute * 2 * s) / 60, below: (perMinute * 0.5 * s) / 60, normal: 0 }) },
          { series: pgUp, values: gauge(phases, { above: 1, below: 1, normal: 1 }) },
        ],
        expected: {
          labels: { job: JOBS.app, reason: "connection_errors" },
          annotations: {
            summary: "CivicPulse database connection failures (connection_errors)",
            description: `PostgreSQL problem (connection_errors) seen by ${JOBS.app}: ${Number((perMinute * 2).toPrecision(12))}.`,
          },
        },
      },
    });
    const fireAt = ms(k.for + 4 * Math.max(step, ctx.evaluationInterval));
    return {
      ...rule,
      tests: [
        ...rule.tests,
        {
          name: "DatabaseConnectionFailures: fires when the postgres exporter stops answering (scrapes time out)",
          interval: step,
          inputSeries: [{ series: labelSet(catalog.up.name, { job: JOBS.postgresExporter, instance: "postgres-exporter:9187" }), values: `0x${Math.ceil(fireAt / step) + 2}` }],
          alerts: [
            {
              at: fireAt,
              alertname: "DatabaseConnectionFailures",
              expect: [
                {
                  labels: { ...rule.labels, alertname: rule.alert, job: JOBS.postgresExporter, instance: "postgres-exporter:9187", reason: "exporter_down" },
                  annotations: {
                    ...rule.annotations,
                    summary: "CivicPulse database connection failures (exporter_down)",
                    description: `PostgreSQL problem (exporter_down) seen by ${JOBS.postgresExporter}: 0.`,
                  },
                },
              ],
            },
          ],
        },
        {
          name: "DatabaseConnectionFailures: fires when the exporter cannot reach PostgreSQL",
          interval: step,
          inputSeries: [{ series: pgUp, values: `0x${Math.ceil(fireAt / step) + 2}` }],
          alerts: [
            {
              at: fireAt,
              alertname: "DatabaseConnectionFailures",
              expect: [
                {
                  labels: { ...rule.labels, alertname: rule.alert, job: JOBS.postgresExporter, instance: "postgres-exporter:9187", reason: "unreachable" },
                  annotations: {
                    ...rule.annotations,
                    summary: "CivicPulse database connection failures (unreachable)",
                    description: `PostgreSQL problem (unreachable) seen by ${JOBS.postgresExporter}: 0.`,
                  },
                },
              ],
            },
          ],
        },
      ],
    };
  },
});
