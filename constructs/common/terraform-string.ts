/**
 * The one escaping boundary between user-supplied text and cdk.tf.json. Terraform reads every string
 * in cdk.tf.json as a template: `${...}` is interpolation and `%{...}` a directive, so a URL or name
 * from an override file such as `${file("/etc/hostname")}` would be evaluated at plan time (a way to
 * read files or variables into a visible plan). Grafana's own syntax uses `${var}` too (dashboard
 * variables, data links). Every string from the spec that reaches a Terraform attribute, output or
 * variable default goes through this function; it escapes with Terraform's own escapes,
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

/** terraformLiteral() of every string in a plain value (outputs whose value is a map or list). */
export function terraformLiterals<T>(value: T): T {
  if (typeof value === "string") return terraformLiteral(value) as T;
  if (Array.isArray(value)) return value.map((v) => terraformLiterals(v)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [terraformLiteral(k), terraformLiterals(v)])) as T;
  }
  return value;
}
