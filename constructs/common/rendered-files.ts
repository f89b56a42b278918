import { createHash } from "node:crypto";
import { Construct, IConstruct } from "constructs";
import { TerraformStack } from "cdktf";

/**
 * The config files a stack ships to its containers, kept as text so synth can also write them
 * beside cdk.tf.json for reviewers and tests. One registry per stack.
 */
export class RenderedFiles extends Construct {
  private readonly files = new Map<string, string>();

  static of(scope: IConstruct): RenderedFiles {
    const stack = TerraformStack.of(scope);
    const existing = stack.node.tryFindChild("RenderedFiles");
    return (existing as RenderedFiles | undefined) ?? new RenderedFiles(stack, "RenderedFiles");
  }

  /** Registers a file under a path relative to the stack's rendered/ folder. */
  add(relativePath: string, content: string): void {
    if (relativePath.startsWith("/") || relativePath.split("/").includes("..")) {
      throw new Error(`rendered file path must be relative and stay inside rendered/: ${relativePath}`);
    }
    const prior = this.files.get(relativePath);
    if (prior !== undefined && prior !== content) throw new Error(`rendered file ${relativePath} registered twice with different content`);
    this.files.set(relativePath, content);
  }

  entries(): Array<[string, string]> {
    return [...this.files.entries()].sort(([a], [b]) => a.localeCompare(b));
  }
}

/** Short content hash: goes into a container label so any config change shows in the plan. */
export function contentHash(...parts: string[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex").slice(0, 16);
}

/**
 * A docker_container upload block that ships bytes exactly: base64 is opaque to Terraform, so
 * `${`, `%{` and Go template braces in the file are not read as interpolation.
 */
export function uploadExact(containerPath: string, content: string): { file: string; contentBase64: string } {
  return { file: containerPath, contentBase64: Buffer.from(content, "utf8").toString("base64") };
}
