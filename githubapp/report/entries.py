"""One entry per failure pattern per run: 204 mypy errors are one entry ("Type check (mypy): 204 errors in 37
files") with the first files listed, not 204 near-identical blocks. Pure; the PR comment reads these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from analysis.types import FailureKind

from .common import Grouped, display_path, kind_label, plural
from .model import Verdict

# Kinds whose tool prints one line per finding: all of one tool's findings in a run are one pattern.
PER_TOOL = frozenset({FailureKind.LINT, FailureKind.TYPE, FailureKind.COMPILE})
_NOUN = {FailureKind.TEST: "failure", FailureKind.LINT: "problem"}


@dataclass(frozen=True)
class Entry:
    members: tuple[Grouped, ...]  # most important first

    @property
    def first(self) -> Grouped:
        return self.members[0]

    @property
    def verdict(self) -> Verdict:
        return self.first.item.verdict

    @property
    def jobs(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for g in self.members:
            seen.update(dict.fromkeys(g.jobs))
        return tuple(seen)

    @property
    def occurrences(self) -> int:
        """What the tool printed: each failure counts the repeats of its message the analysis folded into it."""
        return sum(g.item.failure.occurrences for g in self.members)

    def files(self, repo_name: str | None) -> list[tuple[str, int]]:
        """Distinct files with their count of failures, in order of first appearance (a folded failure lists
        the first files of its repeats, ``Failure.files``)."""
        found: dict[str, int] = {}
        for g in self.members:
            f = g.item.failure
            path = f.file or f.test_file
            seen = f.files or (((path, f.occurrences),) if path else ())
            for name, n in seen:
                shown = display_path(name, repo_name)
                found[shown] = found.get(shown, 0) + n
        return list(found.items())

    def file_count(self, repo_name: str | None) -> tuple[int, bool]:
        """(distinct files, exact): exact when every folded failure listed all its files; otherwise a lower bound
        (the most files one message was repeated in, or the files listed, whichever is more)."""
        listed = len(self.files(repo_name))
        widest = max((g.item.failure.file_count for g in self.members), default=0)
        exact = all(len(g.item.failure.files) >= g.item.failure.file_count for g in self.members)
        return (listed, True) if exact else (max(listed, widest), False)

    def tests(self) -> list[str]:
        return list(dict.fromkeys(g.item.failure.test_id for g in self.members if g.item.failure.test_id))

    def title(self, repo_name: str | None) -> str:
        """"Type check (mypy): 307 errors in 40 files", "Test (pytest): 3 failures in 3 tests"."""
        f = self.first.item.failure
        noun = _NOUN.get(f.kind, "error")  # type: ignore[call-overload]
        count = plural(self.occurrences, noun)
        tests = self.tests()
        if tests:
            return f"{kind_label(f)}: {count} in {plural(len(tests), 'test')}"
        files, exact = self.file_count(repo_name)
        if files:
            return f"{kind_label(f)}: {count} in {'' if exact else 'at least '}{plural(files, 'file')}"
        return f"{kind_label(f)}: {count}"


def _pattern(g: Grouped) -> tuple[object, ...]:
    item = g.item
    f = item.failure
    head = (item.verdict, item.quarantined)
    if f.kind in PER_TOOL:
        return (*head, "tool", f.tool, f.kind)
    if item.history is not None:
        return (*head, "pattern", item.history.pattern_id)
    return (*head, "failure", item.key)


def entries(groups: Sequence[Grouped]) -> list[Entry]:
    """The groups folded by pattern, keeping their order (the first member's place decides the entry's)."""
    order: list[tuple[object, ...]] = []
    members: dict[tuple[object, ...], list[Grouped]] = {}
    for g in groups:
        key = _pattern(g)
        if key not in members:
            order.append(key)
            members[key] = []
        members[key].append(g)
    return [Entry(tuple(members[k])) for k in order]
