import { Construct } from "constructs";
import * as container from "@cdktf/provider-docker/lib/container";
import * as volume from "@cdktf/provider-docker/lib/volume";
import { LOG_OPTIONS } from "../common/service-container";
import { terraformLiteral as lit } from "../common/terraform-string";
import { uploadExact } from "../common/rendered-files";

/**
 * Config changes without replacing the server. kreuzwerker/docker replaces a container whenever
 * one of its uploads changes, and a replaced Prometheus stops scraping for the restart (10 s
 * measured with a 2 s scrape interval) and forgets the progress of pending alerts whose `for` is
 * shorter than --rules.alert.for-grace-period (10 min). Here the files live on a named config
 * volume instead, written by a short-lived loader container (same image: busybox sh/cp/wget) that
 * is the one replaced on a change: it copies its uploads into the volume and POSTs the server's
 * /-/reload (--web.enable-lifecycle), so Prometheus reloads in place. On the first deploy the
 * server is created after the loader has finished (depends_on, attach), so it starts with its files.
 */
export interface ConfigLoaderProps {
  readonly environment: string;
  readonly service: string;
  /** The server's image id (the loader runs the same image). */
  readonly imageId: string;
  readonly networkName: string;
  /** The server's config volume (civicpulse-<env>-<service>-config), mounted at configDir in both. */
  readonly volume: volume.Volume;
  /** Where the server reads its files (the config volume's mount point in both containers). */
  readonly configDir: string;
  /** Files keyed by path relative to configDir. */
  readonly files: ReadonlyMap<string, string>;
  /** What the loader POSTs once the files are in place (on the container network). */
  readonly reloadUrl: string;
  readonly user: string;
}

const STAGING = "/staging";

export class ConfigLoader extends Construct {
  readonly volume: volume.Volume;
  readonly container: container.Container;

  constructor(scope: Construct, id: string, props: ConfigLoaderProps) {
    super(scope, id);
    this.volume = props.volume;
    const uploads = [...props.files.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([p, content]) => uploadExact(`${STAGING}/${p}`, content));
    // A server not running yet (first deploy) reads the files when it starts: no reload needed.
    const script = `cp -rf ${STAGING}/. ${props.configDir}/ && (wget -q -O /dev/null --post-data= ${props.reloadUrl} || echo "${props.service} not running yet: it reads the files at start")`;
    this.container = new container.Container(this, "loader", {
      name: lit(`civicpulse-${props.environment}-${props.service}-config`),
      image: props.imageId,
      entrypoint: ["/bin/sh", "-c"],
      command: [lit(script)],
      user: props.user,
      // It only copies files it owns into a volume it owns: no capability, no privilege gain.
      capabilities: { drop: ["ALL"], add: [] },
      securityOpts: ["no-new-privileges:true"],
      mustRun: false,
      attach: true,
      restart: "no",
      logDriver: "json-file",
      logOpts: { ...LOG_OPTIONS },
      upload: uploads.map((u) => ({ ...u, file: lit(u.file) })),
      volumes: [{ volumeName: this.volume.name, containerPath: lit(props.configDir) }],
      networksAdvanced: [{ name: props.networkName, aliases: [lit(`${props.service}-config`)] }],
      labels: [
        { label: "civicpulse.environment", value: lit(props.environment) },
        { label: "civicpulse.service", value: lit(`${props.service}-config`) },
      ],
    });
  }
}
