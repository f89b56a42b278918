import * as path from "node:path";
import { Construct } from "constructs";
import { TerraformStack, TerraformVariable } from "cdktf";
import * as container from "@cdktf/provider-docker/lib/container";
import * as image from "@cdktf/provider-docker/lib/image";
import * as volume from "@cdktf/provider-docker/lib/volume";
import { contentHash, RenderedFiles, uploadExact } from "./rendered-files";
import { terraformLiteral as lit } from "./terraform-string";

/**
 * One service of the monitoring stack as a docker_container with the defaults every service gets:
 * a pinned image, byte-exact config uploads, named volumes for state, read-only host mounts, ports
 * published on loopback, one network with a stable alias, `unless-stopped`, a healthcheck that runs
 * a command present in that image, memory and CPU limits, json-file log rotation, and labels.
 *
 * The `civicpulse.config-hash` label covers the uploads (secret uploads by their variable
 * reference, never a value), the command, the environment and the healthcheck. kreuzwerker/docker
 * replaces a container when an upload changes but does not apply healthcheck edits in place; with
 * the label, every such change is a visible replacement in the plan.
 */

/** A file shipped byte-exact (content_base64) and also written to rendered/<service>/... for review. */
export interface ServiceFile {
  /** Absolute path inside the container. */
  readonly containerPath: string;
  readonly content: string;
  /** Path under rendered/<service>/; defaults to the file's base name. */
  readonly renderedPath?: string;
}

/** A file whose content is a sensitive variable: never rendered, never base64, only `${var.<name>}` in cdk.tf.json. */
export type SecretFile = {
  readonly containerPath: string;
} & (
  | {
      /** The value exists only at plan/apply time (TF_VAR_<name> or a tfvars file). */
      readonly variable: TerraformVariable;
    }
  | {
      /** Content mixing escaped literal text and variable references (a template for Terraform). */
      readonly content: string;
      /** The same content with references as `${var.<name>}` text: what the config hash covers. */
      readonly reference: string;
    }
);

export interface ServicePort {
  readonly internal: number;
  /** Host port; null keeps the port on the container network only. */
  readonly external: number | null;
  readonly protocol?: "tcp" | "udp";
}

export interface HostMount {
  readonly hostPath: string;
  readonly containerPath: string;
  /** Bind propagation, e.g. "rslave" so mounts made later on the host show up (node-exporter). */
  readonly propagation?: "private" | "rprivate" | "shared" | "rshared" | "slave" | "rslave";
}

export interface Healthcheck {
  /** Exec form: ["CMD", binary, ...args]; the binary must exist in the image. */
  readonly test: string[];
  readonly interval?: string;
  readonly timeout?: string;
  readonly retries?: number;
  readonly startPeriod?: string;
}

/** CIS Docker Benchmark settings (services.<name>.hardening in the spec), each on its own switch. */
export interface ContainerHardening {
  readonly dropAllCapabilities: boolean;
  readonly capAdd: readonly string[];
  readonly noNewPrivileges: boolean;
  readonly readOnlyRootFilesystem: boolean;
  /** uid[:gid] instead of the image's USER; null keeps the image's. */
  readonly user: string | null;
}

/** The settings every service's container spec carries (spec/services.ts), whatever the service. */
export interface ContainerSpecSettings {
  readonly image: string;
  readonly digest?: string;
  readonly publishAddress: string;
  readonly memoryMb: number;
  readonly cpus: number;
  readonly hardening: ContainerHardening;
}

/** The one mapping from a service's container spec to ServiceContainer props; constructs add only what is theirs. */
export function containerSettings(spec: ContainerSpecSettings): ContainerSpecSettings {
  return { image: spec.image, digest: spec.digest, publishAddress: spec.publishAddress, memoryMb: spec.memoryMb, cpus: spec.cpus, hardening: spec.hardening };
}

export const DEFAULT_HARDENING: ContainerHardening = {
  dropAllCapabilities: true,
  capAdd: [],
  noNewPrivileges: true,
  readOnlyRootFilesystem: false,
  user: null,
};

/** Writable scratch space of a read-only container. */
export const TMPFS = { "/tmp": "rw,noexec,nosuid,size=64m" } as const;

/**
 * The folders a read-only container needs as volumes so its uploads can land: Docker refuses
 * `docker cp` into a read-only root filesystem but not into a volume. The outermost folders of the
 * uploads that no state volume already covers, sorted.
 */
export function uploadVolumeDirs(uploadPaths: readonly string[], volumePaths: readonly string[]): string[] {
  const under = (p: string, dir: string) => p === dir || p.startsWith(dir.endsWith("/") ? dir : `${dir}/`);
  const dirs = [...new Set(uploadPaths.map((p) => path.posix.dirname(p)))]
    .filter((d) => !volumePaths.some((v) => under(d, v)))
    .sort();
  return dirs.filter((d) => !dirs.some((o) => o !== d && under(d, o)));
}

export interface ServiceContainerProps {
  readonly environment: string;
  /** Service name: network alias, `civicpulse.service` label, container `civicpulse-<env>-<service>`. */
  readonly service: string;
  /** repository:tag (never latest). */
  readonly image: string;
  /** Optional sha256 digest pinning the exact image bytes. */
  readonly digest?: string;
  readonly command?: string[];
  readonly env?: Record<string, string>;
  /** Environment variables set from sensitive variables (visible to `docker inspect`, never in files). */
  readonly secretEnv?: Record<string, TerraformVariable>;
  readonly files?: readonly ServiceFile[];
  readonly secretFiles?: readonly SecretFile[];
  /** Named volumes for state: `civicpulse-<env>-<service>-<name>`. */
  readonly volumes?: ReadonlyArray<{ readonly name: string; readonly containerPath: string }>;
  /** Host paths, always mounted read-only. */
  readonly hostMounts?: readonly HostMount[];
  readonly ports?: readonly ServicePort[];
  /** Host address published ports bind to; loopback unless an environment says otherwise. */
  readonly publishAddress?: string;
  readonly networkName: string;
  /** Extra aliases beyond the service name. */
  readonly aliases?: string[];
  /** A healthcheck, or the reason there is none (documented in docs/services.md). */
  readonly healthcheck: Healthcheck | { readonly omittedBecause: string };
  readonly memoryMb: number;
  readonly cpus: number;
  readonly user?: string;
  readonly pidMode?: string;
  readonly privileged?: boolean;
  readonly devices?: ReadonlyArray<{ readonly hostPath: string; readonly containerPath: string }>;
  /** Defaults to DEFAULT_HARDENING (every switch on except the read-only root filesystem). */
  readonly hardening?: ContainerHardening;
}

/** What the container is given, in plain values: for the static path check and the live flag tests. */
export interface ServiceRuntime {
  readonly service: string;
  readonly image: string;
  readonly command: readonly string[];
  /** Plain env plus secret env shown as `${var.<name>}`. */
  readonly env: Readonly<Record<string, string>>;
  readonly files: ReadonlyMap<string, string>;
  readonly secretFiles: readonly string[];
  readonly volumes: readonly string[];
  readonly hostMounts: readonly HostMount[];
  readonly healthcheck?: Healthcheck;
  readonly ports: readonly ServicePort[];
  readonly publishAddress: string;
}

export const DEFAULT_HEALTHCHECK_TIMING = { interval: "15s", timeout: "5s", retries: 5, startPeriod: "30s" } as const;
export const LOG_OPTIONS = { "max-size": "10m", "max-file": "3" } as const;

/** ["CMD", "wget", ...] for images with busybox (prom/*, alpine-based): GET, body discarded, non-2xx fails. */
export function wgetHealthcheck(url: string): Healthcheck {
  return { test: ["CMD", "wget", "-q", "-O", "/dev/null", url] };
}

export function imageReference(image: string, digest?: string): string {
  return digest ? `${image}@${digest}` : image;
}

export class ServiceContainer extends Construct {
  readonly container: container.Container;
  readonly volumes: Record<string, volume.Volume> = {};
  readonly runtime: ServiceRuntime;

  constructor(scope: Construct, id: string, props: ServiceContainerProps) {
    super(scope, id);
    const env = props.environment;
    const files = props.files ?? [];
    const secretFiles = props.secretFiles ?? [];
    const rendered = RenderedFiles.of(this);
    for (const f of files) rendered.add(`${props.service}/${f.renderedPath ?? path.posix.basename(f.containerPath)}`, f.content);

    const seen = new Set<string>();
    for (const p of [...files.map((f) => f.containerPath), ...secretFiles.map((f) => f.containerPath)]) {
      if (!p.startsWith("/")) throw new Error(`${props.service}: upload path must be absolute: ${p}`);
      if (seen.has(p)) throw new Error(`${props.service}: ${p} uploaded twice`);
      seen.add(p);
    }

    const img = new image.Image(this, "image", { name: lit(imageReference(props.image, props.digest)), keepLocally: true });
    for (const v of props.volumes ?? []) {
      // The construct id is the volume's name, so its Terraform address stays <service>_<name>_<hash>
      // (the Prometheus TSDB volume keeps the address it had before this construct existed): a
      // changed address would destroy the volume and its data.
      if (v.name === "image" || v.name === "container") throw new Error(`${props.service}: volume name ${v.name} is reserved`);
      this.volumes[v.name] = new volume.Volume(this, v.name, { name: lit(`civicpulse-${env}-${props.service}-${v.name}`) });
    }

    const hardening = props.hardening ?? DEFAULT_HARDENING;
    const user = hardening.user ?? props.user;
    const uploadDirs = hardening.readOnlyRootFilesystem
      ? uploadVolumeDirs(
          [...files.map((f) => f.containerPath), ...secretFiles.map((f) => f.containerPath)],
          (props.volumes ?? []).map((v) => v.containerPath),
        )
      : [];
    const uploadVolumes = uploadDirs.map(
      (dir, i) => ({ volume: new volume.Volume(this, `uploads-${i}`, { name: lit(`civicpulse-${env}-${props.service}-uploads-${i}`) }), dir }),
    );

    const uploads = [...files]
      .sort((a, b) => a.containerPath.localeCompare(b.containerPath))
      .map((f) => uploadExact(f.containerPath, f.content));
    // Secret files: content is a reference to a sensitive variable, resolved by Terraform.
    const secretUploads = [...secretFiles]
      .sort((a, b) => a.containerPath.localeCompare(b.containerPath))
      .map((f) =>
        "variable" in f
          ? { file: f.containerPath, content: f.variable.stringValue, reference: varRef(f.variable) }
          : { file: f.containerPath, content: f.content, reference: f.reference },
      );

    const healthcheck = "test" in props.healthcheck ? { ...DEFAULT_HEALTHCHECK_TIMING, ...props.healthcheck } : undefined;
    const envEntries: Array<[string, string, string]> = [
      ...Object.entries(props.env ?? {}).map(([k, v]): [string, string, string] => [k, v, v]),
      ...Object.entries(props.secretEnv ?? {}).map(([k, v]): [string, string, string] => [k, v.stringValue, varRef(v)]),
    ].sort(([a], [b]) => a.localeCompare(b));
    // Plain values come from the spec: escaped so Terraform never evaluates them; secret values are
    // variable references and must stay live.
    const plainEnv = new Set(Object.keys(props.env ?? {}));
    const envList = envEntries.map(([k, v]) => (plainEnv.has(k) ? lit(`${k}=${v}`) : `${k}=${v}`));
    const publishAddress = props.publishAddress ?? "127.0.0.1";
    const ports = (props.ports ?? [])
      .filter((p) => p.external !== null)
      .map((p) => ({ internal: p.internal, external: p.external as number, ip: lit(publishAddress), protocol: p.protocol ?? "tcp" }));

    // Variables are hashed as their reference text ("${var.name}"), which is stable across runs
    // (a token string is not); a changed secret value still replaces the container (upload change).
    const configHash = contentHash(
      JSON.stringify(healthcheck ?? null),
      JSON.stringify(props.command ?? []),
      JSON.stringify(envEntries.map(([k, , ref]) => `${k}=${ref}`)),
      ...uploads.map((u) => u.file + u.contentBase64),
      ...secretUploads.map((u) => u.file + u.reference),
    );

    this.container = new container.Container(this, "container", {
      name: lit(`civicpulse-${env}-${props.service}`),
      image: img.imageId,
      command: props.command?.map(lit),
      env: envList.length > 0 ? envList : undefined,
      restart: "unless-stopped",
      memory: props.memoryMb,
      // Docker's default swap limit is twice the memory limit, which the provider reads back into
      // state: without this the plan shows a change on every run. Equal to memory = no swap.
      memorySwap: props.memoryMb,
      cpus: providerCpus(props.cpus),
      logDriver: "json-file",
      logOpts: { ...LOG_OPTIONS },
      upload: [...uploads.map((u) => ({ ...u, file: lit(u.file) })), ...secretUploads.map(({ file, content }) => ({ file: lit(file), content }))],
      volumes: [
        ...(props.volumes ?? []).map((v) => ({ volumeName: this.volumes[v.name].name, containerPath: lit(v.containerPath) })),
        ...uploadVolumes.map((u) => ({ volumeName: u.volume.name, containerPath: lit(u.dir) })),
      ],
      mounts: (props.hostMounts ?? []).map((m) => ({
        type: "bind",
        source: lit(m.hostPath),
        target: lit(m.containerPath),
        readOnly: true,
        ...(m.propagation ? { bindOptions: { propagation: m.propagation } } : {}),
      })),
      devices: props.devices?.map((d) => ({ hostPath: lit(d.hostPath), containerPath: lit(d.containerPath) })),
      networksAdvanced: [{ name: props.networkName, aliases: [props.service, ...(props.aliases ?? [])].map(lit) }],
      ports,
      healthcheck: healthcheck && { ...healthcheck, test: healthcheck.test.map(lit) },
      user: user === undefined ? undefined : lit(user),
      // A privileged container has every capability anyway; a drop list would only mislead.
      capabilities: props.privileged
        ? undefined
        : hardening.dropAllCapabilities
        ? { drop: ["ALL"], add: [...hardening.capAdd] }
        : hardening.capAdd.length > 0
          ? { add: [...hardening.capAdd] }
          : undefined,
      securityOpts: securityOptions(hardening.noNewPrivileges, props.pidMode),
      readOnly: hardening.readOnlyRootFilesystem || undefined,
      tmpfs: hardening.readOnlyRootFilesystem ? { ...TMPFS } : undefined,
      pidMode: props.pidMode && lit(props.pidMode),
      privileged: props.privileged,
      labels: [
        { label: "civicpulse.environment", value: lit(env) },
        { label: "civicpulse.service", value: props.service },
        { label: "civicpulse.config-hash", value: configHash },
      ],
    });

    this.runtime = {
      service: props.service,
      image: imageReference(props.image, props.digest),
      command: props.command ?? [],
      env: Object.fromEntries(envEntries.map(([k, , ref]) => [k, ref])),
      files: new Map(files.map((f) => [f.containerPath, f.content])),
      secretFiles: secretFiles.map((f) => f.containerPath),
      volumes: (props.volumes ?? []).map((v) => v.containerPath),
      hostMounts: props.hostMounts ?? [],
      healthcheck,
      ports: props.ports ?? [],
      publishAddress,
    };
  }
}

/**
 * security_opt as Docker reports it back: with the host PID namespace dockerd adds `label=disable`
 * itself, and security_opts forces replacement in kreuzwerker/docker, so leaving it out replaced
 * node-exporter on every apply (found by `npm run verify:deploy`'s no-change deploy).
 */
export function securityOptions(noNewPrivileges: boolean, pidMode: string | undefined): string[] | undefined {
  const opts = [...(pidMode === "host" ? ["label=disable"] : []), ...(noNewPrivileges ? ["no-new-privileges:true"] : [])];
  return opts.length > 0 ? opts : undefined;
}

/**
 * `cpus` as kreuzwerker/docker writes it back into state (nanoInt64ToDecimalString): a whole
 * number gets one decimal ("1.0"); anything else has no trailing zeros ("0.25"). `cpus` forces
 * replacement, so "1" in the config against "1.0" in state replaced the container on every apply.
 */
export function providerCpus(cpus: number): string {
  if (!Number.isInteger(cpus)) return String(cpus);
  const nine = `${cpus}.000000000`;
  return (nine.match(/0/g) ?? []).length === 9 ? `${cpus}.0` : nine.replace(/0+$/, "");
}

/** `${var.<name>}`: how a variable appears in cdk.tf.json. */
export function varRef(v: TerraformVariable): string {
  return `\${var.${v.node.id}}`;
}

/**
 * A sensitive string variable of the stack (one per name): users set it with TF_VAR_<name> or a
 * tfvars file. Its value never reaches cdk.tf.json, only a `${var.<name>}` reference does.
 */
export function sensitiveVariable(scope: Construct, name: string, description: string, defaultValue?: string): TerraformVariable {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild(name);
  if (existing) return existing as TerraformVariable;
  return new TerraformVariable(stack, name, {
    type: "string",
    sensitive: true,
    nullable: false,
    description,
    ...(defaultValue !== undefined ? { default: defaultValue } : {}),
  });
}
