import { Construct } from "constructs";
import type { ServicesSpec } from "../../stacks/environment/services";
import { sensitiveVariable, ServiceContainer, wgetHealthcheck } from "../common/service-container";
import { webConfigParts } from "../common/web-config";
import { alertmanagerPeerName, withClusterFlags } from "./ha";
import {
  ALERTMANAGER_CONFIG_PATH,
  ALERTMANAGER_DATA_DIR,
  ALERTMANAGER_PORT,
  alertmanagerCommand,
  alertmanagerSecretFiles,
  renderAlertmanagerConfig,
} from "./config";

/** Sensitive Terraform variable per receiver whose target lives in a secret file. */
export const ALERTMANAGER_SECRET_VARIABLES: Record<string, string> = {
  chat: "chat_webhook_url",
  pager: "pager_routing_key",
  escalation: "escalation_routing_key",
  heartbeat: "heartbeat_url",
};

export interface AlertmanagerProps {
  readonly environment: string;
  readonly networkName: string;
  readonly spec: ServicesSpec["alertmanager"];
  /** Which peer of the cluster this is (constructs/alertmanager/ha.ts); 0 for a single Alertmanager. */
  readonly peer?: number;
}

/**
 * Alertmanager (prom/alertmanager, busybox-based: the healthcheck uses its wget). The rendered
 * alertmanager.yml references secret files only; each is uploaded with content = a reference to a
 * sensitive variable, so no value reaches cdk.tf.json. Silences and notification log live on a volume.
 */
export class Alertmanager extends ServiceContainer {
  constructor(scope: Construct, id: string, props: AlertmanagerProps) {
    const cfg = props.spec.config;
    const peer = props.peer ?? 0;
    const service = alertmanagerPeerName(peer);
    const cluster = { peers: props.spec.cluster.peers, index: peer, peerTimeout: props.spec.cluster.peerTimeout };
    const web = webConfigParts(scope, "alertmanager", props.spec.webConfig, "/etc/alertmanager/web", "/-/ready", ALERTMANAGER_PORT);
    super(scope, id, {
      environment: props.environment,
      service,
      image: props.spec.image,
      digest: props.spec.digest,
      command: [...withClusterFlags(alertmanagerCommand(), cluster), ...(web?.flags ?? [])],
      files: [{ containerPath: ALERTMANAGER_CONFIG_PATH, content: renderAlertmanagerConfig(cfg) }],
      secretFiles: [
        ...alertmanagerSecretFiles(cfg).map((f) => ({
          containerPath: f.path,
          variable: sensitiveVariable(
            scope,
            ALERTMANAGER_SECRET_VARIABLES[f.receiver],
            `Alertmanager ${f.receiver} receiver: ${f.holds} (written to ${f.path})`,
          ),
        })),
        ...(web?.secretFiles ?? []),
      ],
      volumes: [{ name: "data", containerPath: ALERTMANAGER_DATA_DIR }],
      // The UI of the first peer is published; the others (and every gossip port) stay on the network.
      ports: [{ internal: ALERTMANAGER_PORT, external: peer === 0 ? props.spec.ports.ui : null }],
      publishAddress: props.spec.publishAddress,
      networkName: props.networkName,
      healthcheck: web?.healthcheck ?? wgetHealthcheck(`http://127.0.0.1:${ALERTMANAGER_PORT}/-/ready`),
      memoryMb: props.spec.memoryMb,
      cpus: props.spec.cpus,
      hardening: props.spec.hardening,
    });
  }
}
