"""The committed corpus itself: truth schema, evidence present in the logs, faults inside the projects, the
split by project. Reads committed files only (no toolchain needed)."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path
from typing import Any, get_args

import pytest

from benchmarks.corpus.model import HardNegative, Kind, Variant
from benchmarks.corpus.split import part_of

LOGS = Path(__file__).resolve().parents[2] / "benchmarks" / "corpus" / "logs"
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z ")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
TRUTHS = sorted(p for p in LOGS.glob("*/*.json") if p.name != "project.json")
FAILURE_KEYS: dict[str, type | tuple[type, ...]] = {
    "root_cause": str,
    "tool": str,
    "kind": str,
    "test_id": (str, type(None)),
    "fault_file": (str, type(None)),
    "fault_line": (int, type(None)),
    "test_file": (str, type(None)),
    "test_line": (int, type(None)),
    "message": (str, type(None)),
    "evidence_text": list,
    "evidence_lines": list,
}


@cache
def truth(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())  # type: ignore[no-any-return]


@cache
def project(name: str) -> dict[str, Any]:
    return json.loads((LOGS / name / "project.json").read_text())  # type: ignore[no-any-return]


def _ids(paths: list[Path]) -> list[str]:
    return [f"{p.parent.name}/{p.stem}" for p in paths]


def test_there_is_a_corpus() -> None:
    assert len(TRUTHS) >= 100


@pytest.mark.parametrize("path", TRUTHS, ids=_ids(TRUTHS))
def test_truth_schema(path: Path) -> None:
    doc = truth(path)
    assert doc["schema"] == 1
    assert doc["project"] == path.parent.name and doc["case"] == path.stem
    assert doc["variant"] in get_args(Variant)
    assert doc["runner_os"] in {"ubuntu", "windows", "macos"}
    if doc["variant"] == "negative":
        assert doc["hard_negative"] in get_args(HardNegative) and doc["negative_of"]
    else:
        assert doc["hard_negative"] is None
    assert doc["failures"], "a failing log has at least one truth failure"
    assert any(step["exit_code"] for step in doc["steps"])
    for failure in doc["failures"]:
        assert set(failure) >= set(FAILURE_KEYS)
        for key, kind in FAILURE_KEYS.items():
            assert isinstance(failure[key], kind), (key, failure[key])
        assert failure["kind"] in get_args(Kind)
        assert failure["root_cause"].startswith(doc["project"] + "/")
        assert failure["evidence_lines"] and failure["evidence_text"]


@pytest.mark.parametrize("path", TRUTHS, ids=_ids(TRUTHS))
def test_log_format_and_evidence_present(path: Path) -> None:
    doc = truth(path)
    raw = path.with_suffix(".log").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw[3:].decode().split("\n")
    assert lines[-1] == "" and len(lines) - 1 == doc["log_lines"]
    lines.pop()
    assert all(STAMP.match(line) for line in lines)
    assert any("##[error]Process completed with exit code" in line for line in lines)
    contents = [ANSI.sub("", STAMP.sub("", line)) for line in lines]
    for failure in doc["failures"]:
        chosen = [contents[n - 1] for n in failure["evidence_lines"] if 1 <= n <= len(contents)]
        assert len(chosen) == len(failure["evidence_lines"]), "evidence line outside the log"
        for text in failure["evidence_text"]:
            for part in (p for p in ANSI.sub("", text).split("\n") if p.strip()):
                assert any(part in line for line in chosen), f"{part!r} not on an evidence line"


@pytest.mark.parametrize("path", TRUTHS, ids=_ids(TRUTHS))
def test_fault_and_test_locations_are_in_the_project(path: Path) -> None:
    doc = truth(path)
    files = set(project(doc["project"])["files"])
    for failure in doc["failures"]:
        for file_key, line_key in (("fault_file", "fault_line"), ("test_file", "test_line")):
            if failure[file_key] is not None:
                assert failure[file_key] in files, failure[file_key]
                assert failure[line_key] is None or failure[line_key] >= 1


def test_every_root_cause_recurs_and_every_negative_points_at_another_cause() -> None:
    logs_of: Counter[str] = Counter()
    for path in TRUTHS:
        for cause in {f["root_cause"] for f in truth(path)["failures"]}:
            logs_of[cause] += 1
    assert not [c for c, n in logs_of.items() if n < 4], "root causes with fewer than 4 logs (a first, 3 recurrences)"
    for path in TRUTHS:
        doc = truth(path)
        if doc["negative_of"]:
            assert doc["negative_of"] in logs_of
            assert doc["negative_of"] not in {f["root_cause"] for f in doc["failures"]}


def test_split_is_by_project_and_about_seventy_thirty() -> None:
    parts: dict[str, set[str]] = defaultdict(set)
    logs: Counter[str] = Counter()
    for path in TRUTHS:
        name = truth(path)["project"]
        parts[part_of(name)].add(name)
        logs[part_of(name)] += 1
    assert not parts["dev"] & parts["held-out"]
    assert parts["dev"] and parts["held-out"]
    assert 0.55 <= logs["dev"] / sum(logs.values()) <= 0.85


def test_corpus_fits_in_forty_megabytes() -> None:
    assert sum(p.stat().st_size for p in LOGS.rglob("*") if p.is_file()) <= 40 * 1024 * 1024
