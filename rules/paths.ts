/**
 * The one path-normalization rule set. The scrape config applies it as metric relabeling (the
 * safety net for an app that forgets) and the Django package applies it in its middleware (the
 * package's copy is generated from these constants, with these cases as shared test vectors), so a
 * path is labelled the same whichever side normalizes it.
 *
 * Numeric and UUID path segments collapse to `:id`. Prometheus anchors a relabel regex and
 * replaces the whole match, so one pass collapses one segment (the last, since `.*` is greedy);
 * PATH_NORMALIZE_PASSES passes cover the common /a/1/b/2/ shape.
 */
export const PATH_ID_SEGMENT = "(.*/)([0-9]+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(/.*)?";
/** Prometheus' replacement syntax; `${3}` of a group that did not take part is empty. */
export const PATH_ID_REPLACEMENT = "${1}:id${3}";
export const PATH_NORMALIZE_PASSES = 2;

const anchored = new RegExp(`^(?:${PATH_ID_SEGMENT})$`);

/** What the relabel rules do to a `path` label value, in JavaScript (RE2 and JS agree on this pattern). */
export function normalizePath(path: string): string {
  let out = path;
  for (let i = 0; i < PATH_NORMALIZE_PASSES; i++) {
    const m = anchored.exec(out);
    if (!m) break;
    out = `${m[1]}:id${m[3] ?? ""}`;
  }
  return out;
}

/** The shared test vectors (expected values written by hand, checked by jest and by pytest). */
export const PATH_CASES: ReadonlyArray<{ path: string; normalized: string }> = [
  { path: "/", normalized: "/" },
  { path: "/api/issues/", normalized: "/api/issues/" },
  { path: "/api/issues/42/", normalized: "/api/issues/:id/" },
  { path: "/api/issues/42", normalized: "/api/issues/:id" },
  { path: "/api/issues/42/comments/7/", normalized: "/api/issues/:id/comments/:id/" },
  { path: "/api/a/1/b/2/c/3/", normalized: "/api/a/1/b/:id/c/:id/" },
  { path: "/api/reports/2f1b6c3e-9a4d-4e2b-8c7f-0123456789ab/", normalized: "/api/reports/:id/" },
  { path: "/api/reports/2F1B6C3E-9A4D-4E2B-8C7F-0123456789AB/pdf/", normalized: "/api/reports/:id/pdf/" },
  { path: "/api/issues/v2/", normalized: "/api/issues/v2/" },
  { path: "/api/issues/42abc/", normalized: "/api/issues/42abc/" },
  { path: "/api/2024-report/", normalized: "/api/2024-report/" },
  { path: "/123", normalized: "/:id" },
  { path: "/health/", normalized: "/health/" },
];
