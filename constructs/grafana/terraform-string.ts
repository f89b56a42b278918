/**
 * Terraform reads every string in cdk.tf.json as a template: `${...}` is interpolation and `%{...}`
 * a directive. Grafana's own syntax uses `${var}` (dashboard variables, data links, derived fields),
 * so text handed to an attribute such as `config_json` is escaped with Terraform's own escapes,
 * `$${` and `%%{`, which Terraform turns back into `${` and `%{`. The value Terraform passes to the
 * provider is then exactly the text we rendered (tested against a real `terraform apply`).
 */
export function terraformLiteral(text: string): string {
  // Function replacers: in a replacement string "$$" would itself mean a single "$".
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/** The inverse, as Terraform evaluates a template with no interpolations left in it. */
export function terraformUnescape(template: string): string {
  return template.replace(/\$\$\{/g, () => "${").replace(/%%\{/g, () => "%{");
}
