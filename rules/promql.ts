import type * as Lezer from "@prometheus-io/lezer-promql" with { "resolution-mode": "import" };

// The package is ESM-first; its CommonJS build is what a node16/CJS project can require.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require("@prometheus-io/lezer-promql") as typeof Lezer;

export interface PromqlSyntaxError {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  readonly near: string;
}

/**
 * Syntax errors in a PromQL expression, found with Prometheus' own grammar (lezer-promql). The
 * grammar never throws: errors are nodes of an error type inside the tree. Types (e.g. rate() of
 * an instant vector) are promtool's job; this catches what is cheap to catch at synth time.
 */
export function promqlSyntaxErrors(expr: string): PromqlSyntaxError[] {
  // Environments and dashboards repeat most expressions; parsing each once cut synth by a tenth.
  const known = checked.get(expr);
  if (known) return [...known];
  const errors = parseErrors(expr);
  checked.set(expr, errors);
  return [...errors];
}

const checked = new Map<string, readonly PromqlSyntaxError[]>();

function parseErrors(expr: string): PromqlSyntaxError[] {
  const errors: PromqlSyntaxError[] = [];
  if (expr.trim() === "") return [{ offset: 0, line: 1, column: 1, near: "" }];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) {
        const before = expr.slice(0, node.from);
        const line = before.split("\n").length;
        const column = node.from - before.lastIndexOf("\n");
        errors.push({ offset: node.from, line, column, near: expr.slice(node.from, node.from + 20) });
      }
    },
  });
  return errors;
}

/** Throws an error naming the rule and the position when the expression does not parse. */
export function assertValidPromql(ruleName: string, expr: string): void {
  const errors = promqlSyntaxErrors(expr);
  if (errors.length === 0) return;
  const first = errors[0];
  throw new Error(
    `rule ${ruleName}: PromQL syntax error at line ${first.line}, column ${first.column} ` +
      `(offset ${first.offset}) near ${JSON.stringify(first.near)} in: ${expr}`,
  );
}
