/** @type {import('jest').Config} */
// `npm run test:unit`: the suites that need no real program (promtool, amtool, Prometheus, the
// exporters, Terraform, git worktrees, the binding generator). `npm test` runs every suite.
const base = require("./jest.config");

const REAL_TOOLS = [
  "alertmanager-config", // amtool, a real Alertmanager
  "alertmanager-receivers", // amtool on every receiver type and route
  "blackbox-exporter-config", // blackbox_exporter --config.check
  "check", // npm run check's checks: promtool, amtool, blackbox_exporter
  "blackbox-probe-live", // blackbox_exporter probing
  "ci-metrics", // Pushgateway and Prometheus
  "diff-cli", // git worktrees, the CLI as processes
  "add-an-alert", // a copy of the project synthesized, promtool
  "diff-condense", // no tool, but synthesizes the fixture PRs (13 environments): slow, so npm test only
  "diff-clean-tree", // git
  "flags-live", // the exporters started with their flags
  "grafana-bindings", // the binding generator
  "grafana-stack", // terraform apply of the escaped strings
  "hostile-inputs", // promtool and amtool on the accepted inputs
  "new-user", // the civicpulse-check bin on new environments and receivers
  "package-consumer", // tsc type-checks another project against the compiled package (~10 s)
  "prometheus-live", // Prometheus with the container's flags
  "provider-schema", // terraform with the locally built docker provider
  "promtail-config", // promtool (RE2)
  "promtool",
  "slo-mutants", // promtool on mutated SLO rules
  "slo-sloth", // Sloth's generator
  "spec-property", // promtool and amtool on generated specs
  "stack-configs", // amtool, blackbox_exporter
  "terraform-escaping", // terraform apply
  "verify", // the live harness
  "web-config-live", // Prometheus and Alertmanager with basic auth / TLS
];

module.exports = {
  ...base,
  testPathIgnorePatterns: ["/node_modules/", ...REAL_TOOLS.map((s) => `/__tests__/${s}\\.test\\.ts$`)],
};
