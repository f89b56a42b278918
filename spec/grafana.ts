import { z } from "zod";
import { positiveDurationSchema } from "./duration";

/**
 * Grafana-as-code settings of an environment: which Grafana the grafana-<env> stack talks to, the
 * folder the dashboards go in, the datasources (as Grafana reaches them), and dashboard defaults.
 *
 * Credentials are never part of the spec: they are sensitive Terraform variables (set with
 * TF_VAR_<name> at plan time), so they land neither in cdk.tf.json nor in the override file.
 */

const httpUrl = z.url({ protocol: /^https?$/, error: "an http(s) URL" });
const uid = z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/, "a Grafana uid: letters, digits, _ and -, at most 40 characters");
const tfVariableName = z.string().regex(/^[a-z][a-z0-9_]*$/, "a Terraform variable name such as grafana_auth");

/**
 * The Grafana container of the monitoring stack (services.grafana). The provider logs in as its
 * admin: the user is services.grafana.adminUser, the password the sensitive variable
 * grafana_admin_password that the container reads too (TF_VAR_grafana_admin_password).
 */
const bundledTarget = z.strictObject({
  kind: z.literal("bundled"),
  /**
   * Where Terraform reaches the bundled Grafana. Default: its published UI port on the publish
   * address of services.grafana (http://127.0.0.1:3000); set it when Terraform runs on another
   * machine than the Docker host. TF_VAR_grafana_url overrides either at plan time.
   */
  url: httpUrl.optional(),
});

/** A Grafana run elsewhere (Grafana Cloud, a shared instance). */
const externalTarget = z.strictObject({
  kind: z.literal("external"),
  /** Default of the `grafana_url` variable; TF_VAR_grafana_url overrides it at plan time. */
  url: httpUrl,
  /**
   * Sensitive Terraform variable with the provider's `auth`: a service account token, or
   * "user:password" (TF_VAR_grafana_auth). No default: plan stops if it is not set.
   */
  authVariable: tfVariableName.default("grafana_auth"),
});

const datasource = (name: string, url: string, dflUid: string) =>
  z
    .strictObject({
      name: z.string().min(1).default(name),
      uid: uid.default(dflUid),
      /** As the Grafana server reaches it (container names on the monitoring network by default). */
      url: httpUrl.default(url),
    })
    .prefault({});

/**
 * A datasource whose default URL depends on the HA settings (constructs/grafana/ha-datasources.ts):
 * unset, it is resolved from prometheus.replicas and store.
 */
const resolvedDatasource = (name: string, dflUid: string) =>
  z
    .strictObject({
      name: z.string().min(1).default(name),
      uid: uid.default(dflUid),
      url: httpUrl.optional(),
    })
    .prefault({});

export const grafanaSpecSchema = z
  .strictObject({
    target: z.discriminatedUnion("kind", [bundledTarget, externalTarget]).prefault({ kind: "bundled" }),
    folder: z
      .strictObject({
        title: z.string().min(1).default("CivicPulse"),
        uid: uid.default("civicpulse"),
      })
      .prefault({}),
    datasources: z
      .strictObject({
        /** Default: http://prometheus:9090, or the store's deduplicated query URL with a Prometheus pair. */
        prometheus: resolvedDatasource("Prometheus", "civicpulse-prometheus"),
        /** Only with a store (store.kind): the long-range datasource; default URL the store's query URL. */
        longRange: resolvedDatasource("Long-range (store)", "civicpulse-longrange"),
        loki: datasource("Loki", "http://loki:3100", "civicpulse-loki"),
        jaeger: datasource("Jaeger", "http://jaeger:16686", "civicpulse-jaeger"),
        alertmanager: datasource("Alertmanager", "http://alertmanager:9093", "civicpulse-alertmanager"),
      })
      .prefault({}),
    dashboards: z
      .strictObject({
        /** Auto-refresh of every dashboard. */
        refresh: positiveDurationSchema.prefault("30s"),
        /** Default time range: the last this long. */
        timeRange: positiveDurationSchema.prefault("6h"),
        /** Extra tags on every dashboard (each also carries "civicpulse" and the environment). */
        tags: z.array(z.string().min(1)).default([]),
      })
      .prefault({}),
  })
  .prefault({});

export type GrafanaSpec = z.output<typeof grafanaSpecSchema>;
export type GrafanaTarget = GrafanaSpec["target"];
