import { Construct } from "constructs";
import type { ServicesSpec } from "../../spec/services";
import { containerSettings, sensitiveVariable, ServiceContainer, wgetHealthcheck } from "../common/service-container";
import { terraformLiteral } from "../common/terraform-string";
import { webConfigParts } from "../common/web-config";
import { alertmanagerCommand, alertmanagerSecretFiles, renderAlertmanagerConfig } from "./config";
import { ALERTMANAGER_PORT, ALERTMANAGER_CONFIG_PATH, ALERTMANAGER_DATA_DIR } from "../../spec/alertmanager";
import { alertmanagerPeerName, withClusterFlags } from "./ha";

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
      ...containerSettings(props.spec),
      command: [...withClusterFlags(alertmanagerCommand(), cluster), ...(web?.flags ?? [])],
      files: [{ containerPath: ALERTMANAGER_CONFIG_PATH, content: renderAlertmanagerConfig(cfg) }],
      secretFiles: [
        ...alertmanagerSecretFiles(cfg).map((f) => ({
          containerPath: f.path,
          // Named after the receiver: alertmanager_receiver_<receiver>_<field>.
          // The description carries user text (an SMTP user name): Terraform must read it literally.
          variable: sensitiveVariable(scope, f.variable, terraformLiteral(`Alertmanager ${f.receiver} receiver: ${f.holds} (written to ${f.path})`)),
        })),
        ...(web?.secretFiles ?? []),
      ],
      volumes: [{ name: "data", containerPath: ALERTMANAGER_DATA_DIR }],
      // The UI of the first peer is published; the others (and every gossip port) stay on the network.
      ports: [{ internal: ALERTMANAGER_PORT, external: peer === 0 ? props.spec.ports.ui : null }],
      networkName: props.networkName,
      healthcheck: web?.healthcheck ?? wgetHealthcheck(`http://127.0.0.1:${ALERTMANAGER_PORT}/-/ready`),
    });
  }
}
