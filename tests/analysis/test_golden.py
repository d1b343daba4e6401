"""Golden files: ``golden/<case>.log`` (a tool's real output format) beside ``<case>.expected.json``.

The JSON is what ``ci-triage analyze <case>.log --json --budget 10`` prints. To regenerate after a deliberate
change: ``UPDATE_GOLDEN=1 pytest tests/analysis/test_golden.py``, then review every changed file by hand
(``git diff tests/analysis/golden``): each must say what a developer would say about that log.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from analysis import render
from githubapp.cli.analyze import analyze_path, to_json

GOLDEN = Path(__file__).parent / "golden"
BUDGET = 10
CASES = sorted(p.stem for p in GOLDEN.glob("*.log"))


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str) -> None:
    document = render.to_dict(analyze_path(GOLDEN / f"{case}.log", budget=BUDGET))
    expected_path = GOLDEN / f"{case}.expected.json"
    if os.environ.get("UPDATE_GOLDEN"):
        expected_path.write_text(to_json(document) + "\n")
    expected = json.loads(expected_path.read_text())
    assert document == expected


def test_every_case_has_expectations() -> None:
    stray = sorted(p.name for p in GOLDEN.glob("*.expected.json") if p.name.split(".")[0] not in CASES)
    assert stray == []
    assert len(CASES) >= 40
