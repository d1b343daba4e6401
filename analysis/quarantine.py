"""Quarantined tests: their failures are still reported, marked, and do not count against a pull request."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase

from .types import Failure


def is_quarantined(test_id: str | None, quarantined: Iterable[str]) -> bool:
    """Exact test ids, or patterns with ``*`` (``tests/test_slow.py::*``)."""
    if not test_id:
        return False
    return any(test_id == q or ("*" in q and fnmatchcase(test_id, q)) for q in quarantined)


def split_quarantined(failures: Sequence[Failure], quarantined: Iterable[str]) -> tuple[list[Failure], list[Failure]]:
    """(failures that count, failures of quarantined tests), each in the given order."""
    ids = list(quarantined)
    counted: list[Failure] = []
    muted: list[Failure] = []
    for failure in failures:
        (muted if is_quarantined(failure.test_id, ids) else counted).append(failure)
    return counted, muted
