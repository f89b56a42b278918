"""Path normalization: the scrape config's relabel rules (rules/paths.ts), applied the same way."""

import re

from .metrics_catalog import PATH_ID_SEGMENT, PATH_NORMALIZE_PASSES

_ID_SEGMENT = re.compile(PATH_ID_SEGMENT)


def normalize_path(path: str) -> str:
    """Numeric and UUID segments become ``:id``; like Prometheus' relabeling, each pass is an
    anchored full match that replaces one segment (the last remaining one)."""
    for _ in range(PATH_NORMALIZE_PASSES):
        m = _ID_SEGMENT.fullmatch(path)
        if m is None:
            break
        path = f"{m.group(1)}:id{m.group(3) or ''}"
    return path
