"""Issue 15's counts on the committed corpus: a first occurrence and at least 3 recurrences for every root cause,
at least 10 hard negatives of every kind, and a build that makes exactly the committed cases.

Definitions (model.py's case names and variants):
- a root cause ``<project>/<fault>`` is any ``failures[].root_cause`` of any truth file;
- its first occurrence is the log ``<fault>`` or ``<fault>--base`` (variant ``base``), or ``<fault>--negative``
  (variant ``negative``: a hard negative is the first occurrence of its own root cause), in its project;
- its recurrences are the logs ``<fault>--<kind>`` of its project whose variant is that recurrence kind
  (timestamps, shifted, data, matrix, verbose, order, extra); a log where it is only the extra fault of another
  root cause's ``--extra`` log does not count for it;
- both must list the root cause among their failures.

Reads truth files and file names only; the held-out projects' contents are never printed (failures name the
root cause and its count).
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any, get_args

import pytest

from benchmarks.corpus import additive, build
from benchmarks.corpus.model import HardNegative, Variant
from benchmarks.corpus.runner import TOOLS

LOGS = Path(__file__).resolve().parents[2] / "benchmarks" / "corpus" / "logs"
RECURRENCES = frozenset(get_args(Variant)) - {"base", "negative"}
MIN_RECURRENCES = 3
MIN_PER_NEGATIVE_KIND = 10


@cache
def truths() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(p.read_text()) for p in sorted(LOGS.glob("*/*.json")) if p.name != "project.json")


def occurrences(docs: Sequence[dict[str, Any]]) -> tuple[Counter[str], Counter[str]]:
    """(first occurrences, recurrences) per root cause, as the module docstring defines them."""
    first: Counter[str] = Counter()
    recurrences: Counter[str] = Counter()
    for doc in docs:
        fault, _, suffix = doc["case"].partition("--")
        cause = f"{doc['project']}/{fault}"
        if cause not in {f["root_cause"] for f in doc["failures"]}:
            continue
        if (doc["variant"], suffix) in (("base", ""), ("base", "base"), ("negative", "negative")):
            first[cause] += 1
        elif doc["variant"] in RECURRENCES and suffix == doc["variant"]:
            recurrences[cause] += 1
    return first, recurrences


def root_causes() -> set[str]:
    return {f["root_cause"] for doc in truths() for f in doc["failures"]}


def test_every_root_cause_has_one_first_occurrence() -> None:
    first, _ = occurrences(truths())
    assert not sorted(c for c in root_causes() if first[c] != 1)


def test_every_root_cause_recurs_at_least_three_times() -> None:
    _, recurrences = occurrences(truths())
    short = {c: recurrences[c] for c in root_causes() if recurrences[c] < MIN_RECURRENCES}
    assert not short, f"{len(short)} root causes with fewer than {MIN_RECURRENCES} recurrences: {short}"


def test_every_hard_negative_kind_has_ten_logs() -> None:
    kinds = Counter(doc["hard_negative"] for doc in truths() if doc["variant"] == "negative")
    assert {k: kinds[k] for k in get_args(HardNegative) if kinds[k] < MIN_PER_NEGATIVE_KIND} == {}


def test_case_names_follow_the_variant() -> None:
    # What the counts above rely on: the name's suffix is the variant (a first occurrence may have none).
    for doc in truths():
        suffix = doc["case"].partition("--")[2]
        assert suffix == doc["variant"] or (suffix == "" and doc["variant"] == "base"), doc["case"]


def test_counting_follows_the_definition() -> None:
    # A hand-made history: the extra fault of another log does not recur by it; a negative starts its cause.
    docs = (
        {"project": "p", "case": "a", "variant": "base", "failures": [{"root_cause": "p/a"}]},
        {"project": "p", "case": "a--shifted", "variant": "shifted", "failures": [{"root_cause": "p/a"}]},
        {"project": "p", "case": "a--extra", "variant": "extra",
         "failures": [{"root_cause": "p/a"}, {"root_cause": "p/b"}]},
        {"project": "p", "case": "b--negative", "variant": "negative", "failures": [{"root_cause": "p/b"}]},
    )
    first, recurrences = occurrences(docs)
    assert first == Counter({"p/a": 1, "p/b": 1})
    assert recurrences == Counter({"p/a": 2})


def _committed_by_ecosystem() -> dict[str, set[tuple[str, str]]]:
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for project_json in LOGS.glob("*/project.json"):
        project = project_json.parent.name
        ecosystem = json.loads(project_json.read_text())["ecosystem"]
        found[ecosystem] |= {(project, log.stem) for log in project_json.parent.glob("*.log")}
    return found


@pytest.mark.parametrize("name", build.ecosystem_names())
def test_a_build_makes_exactly_the_committed_cases(name: str) -> None:
    # The planning pass runs no tool (node's template is formatted by prettier first, so it needs .corpus-tools).
    if name == "node" and not (TOOLS / "node" / "node_modules" / ".bin" / "prettier").exists():
        pytest.skip("node's generator formats its templates with prettier from .corpus-tools")
    with tempfile.TemporaryDirectory() as tmp:
        additive.plan(True)
        try:
            for _ in build.generate(name, Path(tmp)):
                pass
        finally:
            planned = set(additive.plan(False))
    projects = {project for project, _ in planned}
    committed = {pair for pairs in _committed_by_ecosystem().values() for pair in pairs if pair[0] in projects}
    assert projects, f"{name} plans no case"
    assert len(planned - committed) == 0, f"{len(planned - committed)} planned cases not committed"
    assert len(committed - planned) == 0, f"{len(committed - planned)} committed cases a build would not make"
