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
  return [...analysed(expr).errors];
}

/** Metric names an expression selects (the identifier of each vector selector), sorted. */
export function selectedMetrics(expr: string): string[] {
  return [...analysed(expr).metrics];
}

interface Analysis {
  readonly errors: readonly PromqlSyntaxError[];
  readonly metrics: readonly string[];
}

// Environments and dashboards repeat most expressions, and the checks read each one twice (syntax,
// then the series it names): one parse per distinct expression cut synth by a tenth.
const analyses = new Map<string, Analysis>();

function analysed(expr: string): Analysis {
  let known = analyses.get(expr);
  if (!known) {
    known = parse(expr);
    analyses.set(expr, known);
  }
  return known;
}

function parse(expr: string): Analysis {
  const errors: PromqlSyntaxError[] = [];
  const names = new Set<string>();
  if (expr.trim() === "") return { errors: [{ offset: 0, line: 1, column: 1, near: "" }], metrics: [] };
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) {
        const before = expr.slice(0, node.from);
        const line = before.split("\n").length;
        const column = node.from - before.lastIndexOf("\n");
        errors.push({ offset: node.from, line, column, near: expr.slice(node.from, node.from + 20) });
      } else if (node.type.name === "Identifier" && node.node.parent?.type.name === "VectorSelector") {
        names.add(expr.slice(node.from, node.to));
      }
    },
  });
  return { errors, metrics: [...names].sort() };
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

/**
 * Whether an expression has a vector selector without a metric name (`{job="x"}`,
 * `{__name__=~"..."}`): such a selector can read any series, a recorded one included.
 */
export function hasUnnamedSelector(expr: string): boolean {
  let unnamed = false;
  parser.parse(expr).iterate({
    enter(node) {
      if (unnamed) return false;
      if (node.type.name === "VectorSelector" && node.node.firstChild?.type.name !== "Identifier") unnamed = true;
      return undefined;
    },
  });
  return unnamed;
}
