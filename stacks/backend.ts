import { HttpBackend, S3Backend, TerraformStack } from "cdktf";
import { BackendSpec } from "../spec/backend";

/** Declares the stack's backend; local needs no declaration (cdktf's default is local). */
export function applyBackend(stack: TerraformStack, stackName: string, spec: BackendSpec): void {
  if (spec.type === "s3") {
    new S3Backend(stack, {
      bucket: spec.bucket,
      key: `${spec.keyPrefix.replace(/\/+$/, "")}/${stackName}.tfstate`,
      region: spec.region,
      encrypt: spec.encrypt,
      ...(spec.endpoint ? { endpoint: spec.endpoint, usePathStyle: true } : {}),
      ...(spec.dynamodbTable ? { dynamodbTable: spec.dynamodbTable } : {}),
    });
  } else if (spec.type === "http") {
    const address = `${spec.address.replace(/\/+$/, "")}/${stackName}`;
    new HttpBackend(stack, {
      address,
      lockAddress: `${address}/lock`,
      unlockAddress: `${address}/lock`,
      lockMethod: "POST",
      unlockMethod: "DELETE",
    });
  }
}
