"""Additive builds (``build --add-missing``): make only the cases that are not committed yet.

A tool's output is not byte-stable from one run to the next (timings, temporary names), so regenerating a
committed log changes it, and with it the figures measured on it. An additive build leaves every committed log
byte-identical and runs the tools only for the cases missing from ``logs/``. The generators take the same
random draws whether a case is skipped or made, so the cases it adds are the ones a full build would make.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

_committed: frozenset[tuple[str, str]] | None = None
_plan: list[tuple[str, str]] | None = None  # planning: record every case asked about, make none
_sources: dict[tuple[str, str], dict[str, str]] | None = None  # a source pass: each case's faulted files
_clean: dict[str, dict[str, str]] = {}  # a source pass: each project's files with no fault on (the base commit)


def skip_committed(cases: Iterable[tuple[str, str]] | None) -> None:
    """From now on, skip these ``(project, case)`` pairs (None: make every case, a full build)."""
    global _committed
    _committed = None if cases is None else frozenset(cases)


def plan(on: bool) -> list[tuple[str, str]]:
    """Start (``on``) or end a planning pass: generators make no case; returns the cases they asked about.

    A plan shows which cases a build would make without running a tool: the random draws do not depend on
    the runs, so the plan of a full build must name every committed case (tests/corpus checks that).
    """
    global _plan
    asked = _plan or []
    _plan = [] if on else None
    return asked


def sources(on: bool) -> dict[tuple[str, str], dict[str, str]]:
    """Start (``on``) or end a source pass: generators make no case and run no tool; each case's project files
    with its faults switched on (what the repository held at that log's commit) are kept; returns them.

    The corpus replay reads them as the pipeline reads a run's source through the GitHub API (the symbol a
    compile, type or lint error is in)."""
    global _sources
    found = _sources or {}
    _sources = {} if on else None
    return found


def clean(project: str, source: Callable[[], Mapping[str, str]]) -> None:
    """A project's files with no fault switched on (what its cases' changes are made against), kept during a
    source pass only."""
    if _sources is not None:
        _clean[project] = dict(source())


def clean_trees() -> dict[str, dict[str, str]]:
    """The projects' fault-free files kept by source passes so far."""
    return dict(_clean)


def wanted(project: str, case: str, source: Callable[[], Mapping[str, str]] | None = None) -> bool:
    """Whether a generator should run and yield this case. ``source``: the case's faulted files, asked for
    during a source pass only (``sources``)."""
    if _sources is not None:
        if source is not None:
            _sources[(project, case)] = dict(source())
        return False
    if _plan is not None:
        _plan.append((project, case))
        return False
    return _committed is None or (project, case) not in _committed
