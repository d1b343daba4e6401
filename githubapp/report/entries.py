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

    def files(self, repo_name: str | None) -> list[tuple[str, int]]:
        """Distinct files with their count of failures, in order of first appearance."""
        found: dict[str, int] = {}
        for g in self.members:
            f = g.item.failure
            path = f.file or f.test_file
            if path:
                shown = display_path(path, repo_name)
                found[shown] = found.get(shown, 0) + 1
        return list(found.items())

    def tests(self) -> list[str]:
        return list(dict.fromkeys(g.item.failure.test_id for g in self.members if g.item.failure.test_id))

    @property
    def folded(self) -> bool:
        """The analysis folded repeats of one message into a failure (several evidence ranges): the count of
        failures is then a count of distinct messages, not of the lines the tool printed."""
        return any(g.item.failure.kind in PER_TOOL and len(g.item.failure.evidence) > 1 for g in self.members)

    def title(self, repo_name: str | None) -> str:
        """"Type check (mypy): 204 errors in 37 files", "Test (pytest): 3 failures in 3 tests"."""
        f = self.first.item.failure
        noun = _NOUN.get(f.kind, "error")  # type: ignore[call-overload]
        if self.folded:
            return f"{kind_label(f)}: {plural(len(self.members), 'distinct ' + noun)}, some repeated"
        count = plural(len(self.members), noun)
        tests, files = self.tests(), self.files(repo_name)
        if tests:
            return f"{kind_label(f)}: {count} in {plural(len(tests), 'test')}"
        if files:
            return f"{kind_label(f)}: {count} in {plural(len(files), 'file')}"
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
