import { TerraformStack } from "cdktf";
import { ProvidersSpec } from "../spec/providers";

/** Replaces the bindings' version constraint where the spec sets one. */
export function applyProviderVersions(stack: TerraformStack, spec: ProvidersSpec): void {
  if (spec.dockerVersion !== undefined) stack.addOverride("terraform.required_providers.docker.version", spec.dockerVersion);
}
