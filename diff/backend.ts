import * as path from "node:path";
import { isObject } from "./values";

/**
 * cdktf's default local backend writes the absolute path of the folder synth ran in
 * (`<cwd>/terraform.<stack>.tfstate`). The base of a PR is synthesized in a temporary worktree,
 * so that path differs from the head's even when nothing changed, and every PR would be labelled
 * as changing monitoring. Where the state lives relative to the project is what a reviewer cares
 * about, so the default path is compared as `<project>/terraform.<stack>.tfstate`; any other
 * local path (set on purpose) is compared as written.
 */
export const PROJECT_FOLDER = "<project>";

export function normalizeLocalStatePath(tf: Record<string, unknown>, stackName: string): Record<string, unknown> {
  const terraform = tf.terraform;
  if (!isObject(terraform) || !isObject(terraform.backend) || !isObject(terraform.backend.local)) return tf;
  const local = terraform.backend.local;
  const p = local.path;
  const defaultName = `terraform.${stackName}.tfstate`;
  if (typeof p !== "string" || !path.isAbsolute(p) || path.basename(p) !== defaultName) return tf;
  return {
    ...tf,
    terraform: { ...terraform, backend: { ...terraform.backend, local: { ...local, path: `${PROJECT_FOLDER}/${defaultName}` } } },
  };
}
