import { Construct } from "constructs";
import type { ServicesSpec } from "../../spec/services";
import { containerSettings, sensitiveVariable, ServiceContainer, wgetHealthcheck } from "../common/service-container";
import { webConfigParts } from "../common/web-config";
import { alertmanagerCommand, alertmanagerSecretFiles, renderAlertmanagerConfig } from "./config";
import { ALERTMANAGER_PORT, ALERTMANAGER_CONFIG_PATH, ALERTMANAGER_DATA_DIR } from "../../spec/alertmanager";

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
}

/**
 * Alertmanager (prom/alertmanager, busybox-based: the healthcheck uses its wget). The rendered
 * alertmanager.yml references secret files only; each is uploaded with content = a reference to a
 * sensitive variable, so no value reaches cdk.tf.json. Silences and notification log live on a volume.
 */
export class Alertmanager extends ServiceContainer {
  constructor(scope: Construct, id: string, props: AlertmanagerProps) {
    const cfg = props.spec.config;
    const web = webConfigParts(scope, "alertmanager", props.spec.webConfig, "/etc/alertmanager/web", "/-/ready", ALERTMANAGER_PORT);
    super(scope, id, {
      environment: props.environment,
      service: "alertmanager",
      ...containerSettings(props.spec),
      command: [...alertmanagerCommand(), ...(web?.flags ?? [])],
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
      ports: [{ internal: ALERTMANAGER_PORT, external: props.spec.ports.ui }],
      networkName: props.networkName,
      healthcheck: web?.healthcheck ?? wgetHealthcheck(`http://127.0.0.1:${ALERTMANAGER_PORT}/-/ready`),
    });
  }
}
