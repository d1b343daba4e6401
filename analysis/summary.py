"""The one-line summary of an Analysis: how many failures of which kinds and tools, and the first one."""

from __future__ import annotations

from collections.abc import Iterable

from .types import Failure


def summarize(failures: Iterable[Failure], *, truncated: bool = False, skipped_lines: int = 0) -> str:
    items = list(failures)
    if not items:
        text = "no failure found"
    else:
        by_kind: dict[str, set[str]] = {}
        for failure in items:
            by_kind.setdefault(failure.kind.value, set()).add(failure.tool)
        kinds = ", ".join(f"{kind} ({', '.join(sorted(tools))})" for kind, tools in by_kind.items())
        first = items[0]
        where = f" in {first.test_id}" if first.test_id else (f" at {first.file}" if first.file else "")
        text = f"{len(items)} failure{'s' if len(items) != 1 else ''}: {kinds}; first: {first.tool}{where}: "
        text += first.message.splitlines()[0][:200] if first.message else ""
    if truncated:
        text += f" [log truncated: {skipped_lines} lines not analysed]" if skipped_lines else " [log truncated]"
    return text
