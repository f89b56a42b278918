import { z } from "zod";

/**
 * Version constraints of the Terraform providers a stack requires. By default a stack requires
 * exactly what the generated bindings were built from (@cdktf/provider-docker 12.0.3 declares
 * kreuzwerker/docker 3.6.2). An environment that runs another provider build states it here, and
 * the provider's own schema check (`npm run verify:deploy`, __tests__/provider-schema.test.ts)
 * proves that every attribute the stack writes exists in that build: a mismatch between the
 * bindings and the provider is caught, not hidden.
 */
const constraint = z
  .string()
  .regex(/^\s*(?:(?:=|!=|>=|<=|>|<|~>)\s*)?\d+(?:\.\d+){0,2}(?:-[0-9A-Za-z.-]+)?(?:\s*,\s*(?:(?:=|!=|>=|<=|>|<|~>)\s*)?\d+(?:\.\d+){0,2}(?:-[0-9A-Za-z.-]+)?)*\s*$/, 'a Terraform version constraint such as "4.6.0" or "~> 3.6"');

export const providersSpecSchema = z
  .strictObject({
    /** kreuzwerker/docker; absent: the version the bindings declare. */
    dockerVersion: constraint.optional(),
  })
  .prefault({});

export type ProvidersSpec = z.output<typeof providersSpecSchema>;
