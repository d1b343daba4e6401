"""The fault engine: where a switched-on fault lands, and which fault explains a tool's finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.corpus.ecosystems._engine import Fault, Finding, Injected, Project, Tool, attribute, write_project

FILES = {"src/a.py": "import os\n\n\ndef f(x):\n    return x + 1\n"}


def _project() -> Project:
    return Project(name="demo", ecosystem="python", files=FILES, tools={}, faults=())


def test_the_fault_line_is_the_first_changed_line_and_moves_with_a_shift(tmp_path: Path) -> None:
    fault = Fault("plus-two", "pytest", "src/a.py", "def f(x):\n    return x + 1\n", "def f(x):\n    return x + 2\n")
    (injected,) = write_project(_project(), tmp_path / "p", [(fault, fault.replace)], 0)
    assert injected.line == 5
    assert (tmp_path / "p" / "src/a.py").read_text().splitlines()[4] == "    return x + 2"
    (shifted,) = write_project(_project(), tmp_path / "p", [(fault, fault.replace)], 3)
    assert shifted.line == 8
    assert (tmp_path / "p" / "src/a.py").read_text().splitlines()[7] == "    return x + 2"


def test_a_missing_switch_is_an_error(tmp_path: Path) -> None:
    fault = Fault("x", "pytest", "src/a.py", "not there", "y")
    with pytest.raises(ValueError, match=r"not in src/a\.py"):
        write_project(_project(), tmp_path / "p", [(fault, fault.replace)], 0)


def _tool(test_tool: bool) -> Tool:
    return Tool("t", "test" if test_tool else "lint", "job", lambda root, options: None, test_tool=test_tool)  # type: ignore[arg-type,return-value]


def test_tests_are_attributed_by_id_and_diagnostics_by_code_and_file() -> None:
    a = Injected(Fault("a", "t", "src/a.py", "", "", expect=("test_one",)), "x", "src/a.py", 5)
    b = Injected(Fault("b", "t", "src/a.py", "", "", expect=("test_two",)), "x", "src/a.py", 9)
    pairs = attribute([Finding(test_id="tests/t.py::test_two[1]")], [a, b], _tool(True))
    assert [owner.fault.id for owner, _ in pairs] == ["b"]
    lint = Injected(Fault("c", "t", "src/a.py", "", "", expect=("F401",)), "x", "src/a.py", 1)
    assert attribute([Finding(file="src/a.py", line=1, code="F401")], [lint], _tool(False))
    with pytest.raises(ValueError, match="no injected fault explains"):
        attribute([Finding(file="src/b.py", line=1, code="F401")], [lint], _tool(False))


def test_the_third_recurrence_is_the_next_shuffled_choice_then_a_fallback() -> None:
    from benchmarks.corpus.ecosystems._engine import _top_up

    assert _top_up(["matrix", "shifted", "data"], 1) == ["data"]
    assert _top_up(["matrix", "shifted"], 1) == ["timestamps"], "two choices only: timestamps, never a repeat"
    assert _top_up(["timestamps", "verbose"], 1) == ["shifted"]
    assert _top_up(["matrix", "shifted", "data"], 0) == []
