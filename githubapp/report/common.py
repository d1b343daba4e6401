"""Ordering, deduplication and wording shared by the check run and the PR comment."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from analysis.types import Failure

from .model import TriagedFailure, Verdict
from .paths import repo_relative

_VERDICT_RANK = {Verdict.NEW: 0, Verdict.PRE_EXISTING: 1, Verdict.FLAKY: 2, Verdict.INFRA: 3}
VERDICT_LABEL = {v: v.value for v in Verdict}  # shown exactly: new, pre-existing, flaky, infra
VERDICT_ICON = {Verdict.NEW: "🆕", Verdict.PRE_EXISTING: "🧱", Verdict.FLAKY: "🎲", Verdict.INFRA: "🛠️"}


@dataclass(frozen=True)
class Grouped:
    """One distinct failure and the jobs it occurred in (a matrix repeats the same fault)."""

    item: TriagedFailure
    jobs: tuple[str, ...]


def importance(items: Iterable[TriagedFailure]) -> list[TriagedFailure]:
    """New before known before flaky, quarantined last; ties keep the analysis' own ranking (stable sort)."""
    return sorted(items, key=lambda t: (t.quarantined, _VERDICT_RANK[t.verdict]))


def group(items: Sequence[TriagedFailure]) -> list[Grouped]:
    """Deduplicate by fingerprint, most important first, remembering every job each one appeared in."""
    order: list[str] = []
    first: dict[str, TriagedFailure] = {}
    jobs: dict[str, list[str]] = {}
    for item in importance(items):
        key = item.key
        if key not in first:
            order.append(key)
            first[key] = item
            jobs[key] = []
        if item.job_name and item.job_name not in jobs[key]:
            jobs[key].append(item.job_name)
    return [Grouped(first[k], tuple(jobs[k])) for k in order]


def display_path(path: str, repo_name: str | None) -> str:
    """The repository-relative path when there is one, else the path as the log printed it."""
    return repo_relative(path, repo_name=repo_name) or path


def location(failure: Failure, repo_name: str | None) -> str:
    """``path:line`` for display, repository-relative when possible."""
    path = display_path(failure.file or "", repo_name)
    return f"{path}:{failure.line}" if failure.line else path


def test_location(failure: Failure, repo_name: str | None) -> str | None:
    """The test's ``path:line`` when it is not the fault's own, for display; else None."""
    if not failure.test_file or not failure.test_line:
        return None
    where = f"{display_path(failure.test_file, repo_name)}:{failure.test_line}"
    return None if failure.file and where == location(failure, repo_name) else where


def failure_name(item: TriagedFailure) -> str:
    """A short human name: the test id, else file:line, else the first line of the message."""
    f = item.failure
    if f.test_id:
        return f.test_id
    if f.file:
        return f"{f.file}:{f.line}" if f.line else f.file
    first_line = f.message.strip().splitlines()[0] if f.message.strip() else ""
    return first_line or f"{f.kind} failure"


def jobs_phrase(jobs: Sequence[str], *, shown: int = 3) -> str:
    """``in test (3.11)``, or for a matrix ``in 3 jobs: test (3.10), test (3.11), test (3.12)``."""
    if not jobs:
        return ""
    if len(jobs) == 1:
        return f"in {jobs[0]}"
    listed = ", ".join(jobs[:shown]) + (", …" if len(jobs) > shown else "")
    return f"in {len(jobs)} jobs: {listed}"


def first_line(text: str) -> str:
    stripped = text.strip()
    return stripped.splitlines()[0] if stripped else ""


def date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "unknown"


def counts(groups: Sequence[Grouped]) -> dict[Verdict, int]:
    result = {v: 0 for v in Verdict}
    for g in groups:
        result[g.item.verdict] += 1
    return result


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"
