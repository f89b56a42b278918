import { z } from "zod";

/**
 * Basic auth and TLS for Prometheus and Alertmanager through their own `--web.config.file`
 * (Prometheus' exporter-toolkit). The file holds a bcrypt hash, which comes from a sensitive
 * Terraform variable, so neither the password nor its hash is in cdk.tf.json, rendered/ or an
 * output: `TF_VAR_<service>_web_password_hash` (e.g. `htpasswd -nbBC 12 "" "$PASSWORD" | cut -d: -f2`)
 * and `TF_VAR_<service>_web_password`, which the container's healthcheck sends (read from a file
 * inside the container, never on its command line). TLS: the PEM certificate and key from
 * `TF_VAR_<service>_web_tls_cert` / `_web_tls_key`.
 */
export const webConfigSpecSchema = z
  .strictObject({
    basicAuth: z
      .strictObject({
        enabled: z.boolean().default(false),
        user: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "a user name: letters, digits, . _ -").default("admin"),
      })
      .prefault({}),
    tls: z.strictObject({ enabled: z.boolean().default(false) }).prefault({}),
  })
  .prefault({});

export type WebConfigSpec = z.output<typeof webConfigSpecSchema>;
export const webConfigEnabled = (spec: WebConfigSpec): boolean => spec.basicAuth.enabled || spec.tls.enabled;
