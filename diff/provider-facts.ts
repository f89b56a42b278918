/**
 * Which attribute changes make a provider destroy and recreate a resource (ForceNew in the
 * provider's schema). `terraform providers schema -json` does not expose ForceNew, so these come
 * from the provider sources:
 *   kreuzwerker/docker 3.x  internal/provider/resource_docker_container.go, resource_docker_image.go,
 *                           resource_docker_volume.go, resource_docker_network.go
 *   grafana/grafana 4.x     internal/resources/grafana/resource_folder.go (uid), common.orgIDAttribute (org_id)
 * The real `cdktf diff` in the pull-request workflow is the final word; this list lets the semantic
 * diff say *why* before anyone has provider access.
 */

export interface ReplacementRule {
  /** Top-level attributes that are ForceNew. */
  readonly forceNew: ReadonlySet<string>;
  /** Attributes the provider cannot change in place although they are not ForceNew: treated as replacing, with the reason. */
  readonly treatedAsForceNew?: Readonly<Record<string, string>>;
  /** The resource has no update at all: any change replaces it. */
  readonly noUpdate?: boolean;
}

const set = (...names: string[]) => new Set(names);

export const REPLACEMENT_RULES: Readonly<Record<string, ReplacementRule>> = {
  docker_container: {
    forceNew: set(
      "name", "image", "hostname", "domainname", "command", "entrypoint", "user", "dns", "dns_opts", "dns_search",
      "publish_all_ports", "working_dir", "capabilities", "security_opts", "runtime", "stop_signal", "stop_timeout",
      "mounts", "volumes", "ports", "host", "ulimit", "env", "privileged", "devices", "labels", "shm_size",
      "log_driver", "log_opts", "network_mode", "networks_advanced", "pid_mode", "userns_mode", "upload", "sysctls",
      "ipc_mode", "group_add", "tty", "stdin_open", "storage_opts", "read_only", "gpus",
    ),
    treatedAsForceNew: {
      healthcheck:
        "not ForceNew in the provider schema, but the provider does not apply healthcheck edits to a running container; " +
        "this project forces a replacement through the civicpulse.config-hash label",
    },
  },
  docker_image: { forceNew: set("name", "pull_triggers", "triggers", "platform", "build") },
  docker_volume: { forceNew: set("name", "driver", "driver_opts", "labels"), noUpdate: true },
  docker_network: { forceNew: set("name", "driver", "options", "internal", "attachable", "ingress", "ipam_config", "ipam_driver", "ipam_options", "ipv6", "labels", "check_duplicate"), noUpdate: true },
  grafana_folder: { forceNew: set("org_id", "uid") },
};

/** Every grafana_* resource's org_id is ForceNew (common.orgIDAttribute). */
const GRAFANA_DEFAULT: ReplacementRule = { forceNew: set("org_id") };

export function replacementRule(type: string): ReplacementRule | undefined {
  return REPLACEMENT_RULES[type] ?? (type.startsWith("grafana_") ? GRAFANA_DEFAULT : undefined);
}

/** Why an attribute of a resource type forces a replacement, or undefined when it updates in place. */
export function replacementReason(type: string, attribute: string): string | undefined {
  const rule = replacementRule(type);
  if (!rule) return undefined;
  if (rule.noUpdate) return `${type} cannot be updated in place`;
  if (rule.forceNew.has(attribute)) return "ForceNew";
  return rule.treatedAsForceNew?.[attribute];
}
