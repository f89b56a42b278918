// Moved to constructs/common: the one escaping boundary for every attribute, not only Grafana's.
export { terraformLiteral, terraformUnescape } from "../common/terraform-string";
