/**
 * Size limits on what an override file or an environment variable may hand the schema, checked
 * before anything is merged or parsed, so a hostile input costs milliseconds and a clear message:
 * no 50 MB string copied through zod, no `__proto__` key reaching the merge, no nesting deep enough
 * to exhaust the stack.
 */
export const MAX_OVERRIDE_FILE_BYTES = 1024 * 1024;
export const MAX_STRING_LENGTH = 4096;
export const MAX_LIST_LENGTH = 1000;
export const MAX_DEPTH = 16;
/** Keys that would reach Object.prototype through a merge instead of naming a field. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** One line per problem, naming the field path, as describeIssues() does. */
export function inputLimitProblems(input: unknown): string[] {
  const problems: string[] = [];
  const visit = (v: unknown, at: string, depth: number): void => {
    const where = at || "(top level)";
    if (problems.length >= 20) return;
    if (depth > MAX_DEPTH) {
      problems.push(`${where}: nested deeper than ${MAX_DEPTH} levels`);
      return;
    }
    if (typeof v === "string") {
      if (v.length > MAX_STRING_LENGTH) problems.push(`${where}: ${v.length} characters, more than ${MAX_STRING_LENGTH}`);
    } else if (typeof v === "number") {
      if (!Number.isFinite(v)) problems.push(`${where}: not a finite number (got ${v})`);
    } else if (Array.isArray(v)) {
      if (v.length > MAX_LIST_LENGTH) problems.push(`${where}: ${v.length} items, more than ${MAX_LIST_LENGTH}`);
      else v.forEach((x, i) => visit(x, `${at}[${i}]`, depth + 1));
    } else if (v && typeof v === "object") {
      for (const key of Object.keys(v)) {
        const path = at ? `${at}.${key}` : key;
        if (FORBIDDEN_KEYS.has(key)) problems.push(`${path}: ${JSON.stringify(key)} is not a field name`);
        else if (key.length > 256) problems.push(`${path.slice(0, 300)}…: a key longer than 256 characters`);
        else visit((v as Record<string, unknown>)[key], path, depth + 1);
      }
    }
  };
  visit(input, "", 0);
  return problems;
}
