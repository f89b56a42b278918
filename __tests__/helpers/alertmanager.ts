// The tests start Alertmanager the same way the live harness does (see e2e/alertmanager.ts for why).
export { alertmanagerLaunch } from "../../e2e/alertmanager";
