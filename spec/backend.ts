import { z } from "zod";

/**
 * Where Terraform keeps each stack's state. The default, local, suits one person's machine; a
 * team and the PR plan workflow need a shared backend, or every plan starts from empty state.
 * Credentials never come from here: Terraform reads them from its usual environment variables
 * (AWS_* for s3, TF_HTTP_USERNAME / TF_HTTP_PASSWORD for http).
 */
const url = z.url({ protocol: /^https?$/, error: "an http(s) URL" });

export const backendSpecSchema = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("local") }),
    z.strictObject({
      type: z.literal("s3"),
      bucket: z.string().min(3),
      region: z.string().regex(/^[a-z0-9-]+$/, "a region name such as eu-west-1"),
      /** State of stack X lives at <keyPrefix>/X.tfstate. */
      keyPrefix: z.string().regex(/^[A-Za-z0-9._/-]+$/, "a key prefix such as civicpulse-monitoring").default("civicpulse-monitoring"),
      /** For S3-compatible stores (MinIO, Ceph); AWS when absent. */
      endpoint: url.optional(),
      dynamodbTable: z.string().optional(),
      encrypt: z.boolean().default(true),
    }),
    z.strictObject({
      type: z.literal("http"),
      /** State of stack X lives at <address>/X, locked at <address>/X/lock (GitLab's convention). */
      address: url,
    }),
  ])
  .prefault({ type: "local" });

export type BackendSpec = z.output<typeof backendSpecSchema>;
