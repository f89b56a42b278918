// The grafana provider pin, in one place: scripts/generate-grafana-bindings.ts bakes it into the
// generated GrafanaProvider (so synth emits terraform.required_providers.grafana from it), and
// tests compare the synthesized required_providers against it. Changing it means regenerating .gen/.
export const GRAFANA_PROVIDER = { source: "grafana/grafana", version: "~> 4.45" } as const;
