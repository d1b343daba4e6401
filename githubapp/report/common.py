"""Ordering, deduplication and wording shared by the check run and the PR comment."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from analysis.types import Failure, FailureKind

from .cleaning import headline
from .model import TriagedFailure, Verdict
from .paths import repo_relative

_VERDICT_RANK = {Verdict.NEW: 0, Verdict.PRE_EXISTING: 1, Verdict.FLAKY: 2, Verdict.INFRA: 3}
VERDICT_LABEL = {v: v.value for v in Verdict}  # shown exactly: new, pre-existing, flaky, infra
VERDICT_ICON = {Verdict.NEW: "🆕", Verdict.PRE_EXISTING: "🧱", Verdict.FLAKY: "🎲", Verdict.INFRA: "🛠️"}


# What a person calls each kind of failure; the tool follows in parentheses when it names one.
KIND_WORDS = {
    FailureKind.TEST: "Test",
    FailureKind.COMPILE: "Build",
    FailureKind.TYPE: "Type check",
    FailureKind.LINT: "Lint",
    FailureKind.DEPENDENCY: "Dependencies",
    FailureKind.INFRA: "Infrastructure",
    FailureKind.CRASH: "Crash",
    FailureKind.TIMEOUT: "Timeout",
    FailureKind.CONFIG: "Configuration",
    FailureKind.UNKNOWN: "Failure",
}
# Rule families that describe a symptom rather than name a tool (analysis/rules.py): no "(generic)".
_NO_TOOL = frozenset(
    {"", "generic", "infra", "numbered", "crash", "oom", "timeout", "script", "shell", "hint", "unknown", "test",
     "typecheck", "format"}
)


def kind_label(failure: Failure) -> str:
    """"Lint (ruff)", "Type check (mypy)", "Test (pytest)", "Infrastructure": never "infra (infra)"."""
    words = KIND_WORDS.get(failure.kind, "Failure")  # type: ignore[call-overload]
    tool = failure.tool.strip()
    if tool.lower() in _NO_TOOL or tool.lower() == str(failure.kind):
        return words
    return f"{words} ({tool})"


def headline_of(item: TriagedFailure) -> str:
    """The failure's own message in one line, never a package manager's help line or the runner's exit line."""
    return headline(item.failure.message, item.excerpt)


def where(failure: Failure, repo_name: str | None) -> str:
    """``path:line`` of the fault, else of the test, else as the message names it; empty when none is known."""
    if failure.file:
        return location(failure, repo_name)
    if failure.test_file:
        path = display_path(failure.test_file, repo_name)
        return f"{path}:{failure.test_line}" if failure.test_line else path
    found = _path_line(headline(failure.message))
    return f"{display_path(found[0], repo_name)}:{found[1]}" if found else ""


def _path_line(text: str) -> tuple[str, str] | None:
    """The first ``path/to/file.ext:12`` word of a message (no regex: split words, partition on colons)."""
    for word in text.split()[:50]:
        path, _, rest = word.strip("()[]'\"`,").partition(":")
        line = rest.partition(":")[0]
        name = path.rpartition("/")[2]
        if line.isdigit() and len(line) <= 7 and "." in name.strip(".") and len(path) <= 300:
            return path, line
    return None


@dataclass(frozen=True)
class Grouped:
    """One distinct failure and the jobs it occurred in (a matrix repeats the same fault)."""

    item: TriagedFailure
    jobs: tuple[str, ...]


def importance(items: Iterable[TriagedFailure]) -> list[TriagedFailure]:
    """New before known before flaky, quarantined last; ties keep the analysis' own ranking (stable sort)."""
    return sorted(items, key=lambda t: (t.quarantined, _VERDICT_RANK[t.verdict]))


def _lines_seen(item: TriagedFailure) -> list[tuple[str, str, int, int]]:
    """(job, log member, first line, last line) of the log lines the failure was extracted from."""
    f = item.failure
    job = item.job_name or f.job or ""
    return [(job, f.member or "", r.start, r.end) for r in f.evidence]


def _same_lines(a: TriagedFailure, b: TriagedFailure) -> bool:
    """Two rules reported the same log lines: one failure seen twice (a 502 as a test failure and as infra)."""
    return any(
        x[0] and x[:2] == y[:2] and x[2] <= y[3] and y[2] <= x[3] for x in _lines_seen(a) for y in _lines_seen(b)
    )


def _better(a: TriagedFailure, b: TriagedFailure) -> TriagedFailure:
    """Of two reports of the same lines, the one that names the cause: infrastructure explains the test
    failure it caused; a named tool beats a generic rule; otherwise the more important (the first)."""
    def rank(t: TriagedFailure) -> int:
        if t.failure.kind == FailureKind.INFRA:
            return 0
        return 2 if t.failure.kind == FailureKind.UNKNOWN or t.failure.tool in _NO_TOOL else 1
    return b if rank(b) < rank(a) else a


def merge_restatements(items: Sequence[TriagedFailure]) -> list[TriagedFailure]:
    """One entry per failure even when two rules saw it: failures from overlapping log lines of the same job
    become one, the one that names the cause."""
    kept: list[TriagedFailure] = []
    for item in items:
        index = next((i for i, k in enumerate(kept) if _same_lines(k, item)), None) if item.failure.evidence else None
        if index is None:
            kept.append(item)
        else:
            kept[index] = _better(kept[index], item)
    return kept


def group(items: Sequence[TriagedFailure]) -> list[Grouped]:
    """Deduplicate by fingerprint and by the log lines seen, most important first, remembering every job each
    one appeared in."""
    order: list[str] = []
    first: dict[str, TriagedFailure] = {}
    jobs: dict[str, list[str]] = {}
    for item in importance(merge_restatements(importance(items))):
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
    """A short human name: the test id, else file:line, else the message's headline (its own words, never a
    package manager's help line)."""
    f = item.failure
    if f.test_id:
        return f.test_id
    if f.file:
        return f"{f.file}:{f.line}" if f.line else f.file
    return headline(f.message, item.excerpt) or f"{f.kind} failure"


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
