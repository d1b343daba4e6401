"""The source pass (``benchmarks/corpus/sources.py``): each case's files rebuilt without running a tool, as the
replay reads them. Checked on the dev part only (held-out projects' files are read by the replay, never here)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from analysis.enclosing import symbol_at
from benchmarks.corpus.sources import faulted_trees
from benchmarks.corpus.split import part_of

LOGS = Path(__file__).resolve().parents[2] / "benchmarks" / "corpus" / "logs"
# faultkit ecosystems with a dev project: their generators need no tool to plan or to give their sources
ECOSYSTEMS = ("go", "shell", "cfamily")


@cache
def trees() -> dict[tuple[str, str], dict[str, str]]:
    return faulted_trees(ECOSYSTEMS)


def dev_truths() -> list[dict[str, object]]:
    found = []
    for path in sorted(LOGS.glob("*/*.json")):
        if path.name != "project.json" and part_of(path.parent.name) == "dev":
            found.append(json.loads(path.read_text()))
    return found


def test_every_dev_case_of_those_ecosystems_gets_its_files() -> None:
    projects = {project for project, _ in trees() if part_of(project) == "dev"}
    assert {"go-confkit", "sh-release-tools", "c-ringbuf"} <= projects
    committed = {(p.parent.name, p.stem) for p in LOGS.glob("*/*.log") if p.parent.name in projects}
    assert committed and committed <= set(trees())


def test_the_fault_is_where_the_truth_says_in_the_rebuilt_files() -> None:
    checked = 0
    for truth in dev_truths():
        files = trees().get((str(truth["project"]), str(truth["case"])))
        if files is None:
            continue
        for failure in truth["failures"]:  # type: ignore[attr-defined]
            if failure.get("fault_file") and failure.get("fault_line"):
                text = files[failure["fault_file"]]
                assert failure["fault_line"] <= len(text.splitlines()), (truth["case"], failure["fault_file"])
                checked += 1
    assert checked > 100


def test_a_shifted_recurrence_keeps_its_faults_symbol() -> None:
    # the "shifted" recurrence adds lines above the fault: its line moves, its symbol does not
    by_case = {(str(t["project"]), str(t["case"])): t for t in dev_truths()}
    compared = 0
    for (project, case), truth in by_case.items():
        if not case.endswith("--shifted") or (project, case) not in trees():
            continue
        fault, _, _ = case.partition("--")
        first = by_case.get((project, fault)) or by_case.get((project, f"{fault}--base"))
        if first is None or (project, str(first["case"])) not in trees():
            continue
        moved, base = truth["failures"][0], first["failures"][0]  # type: ignore[index]
        if not moved.get("fault_file") or moved["fault_line"] == base["fault_line"]:
            continue
        path = moved["fault_file"]
        at_base = symbol_at(path, trees()[(project, str(first["case"]))][path], base["fault_line"])
        assert symbol_at(path, trees()[(project, case)][path], moved["fault_line"]) == at_base, case
        compared += 1
    assert compared >= 5
