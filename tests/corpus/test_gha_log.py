"""The job-log renderer: GitHub's line format, workflow commands as the runner shows them, workspace paths."""

from __future__ import annotations

import re

import pytest

from benchmarks.corpus.gha_log import EvidenceNotFound, locate, render, runner_lines
from benchmarks.corpus.model import RawCase, Step, TruthFailure

STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z ")
WORKDIR = "/tmp/gen/python"


def _case(**overrides: object) -> RawCase:
    fields: dict[str, object] = {
        "project": "py-demo",
        "case": "bug--base",
        "ecosystem": "python",
        "job_name": "test (3.12)",
        "steps": (
            Step("Install", "pip install -e .", "Successfully installed demo-0.1\n", 0),
            Step(
                "Test",
                "python -m pytest -q",
                f"{WORKDIR}/py-demo/tests/test_a.py:3: AssertionError\n"
                "::error file=tests/test_a.py,line=3::assert 1 == 2%0Asecond line\n"
                "::debug::hidden\n1 failed\n",
                1,
            ),
        ),
        "failures": (
            TruthFailure("py-demo/bug", "pytest", "test", evidence_text=(f"{WORKDIR}/py-demo/tests/test_a.py:3",)),
        ),
        "project_files": ("tests/test_a.py",),
    }
    fields.update(overrides)
    return RawCase(**fields)  # type: ignore[arg-type]


def test_every_line_has_a_timestamp_and_they_never_go_back() -> None:
    log = render(_case(), WORKDIR)
    assert log.encoded().startswith(b"\xef\xbb\xbf")
    assert all(STAMP.match(line) for line in log.lines)
    stamps = [line.split(" ", 1)[0] for line in log.lines]
    assert stamps == sorted(stamps)


def test_steps_groups_errors_and_paths() -> None:
    log = render(_case(), WORKDIR)
    contents = [log.content(n) for n in range(1, len(log.lines) + 1)]
    assert "##[group]Run python -m pytest -q" in contents
    assert "shell: /usr/bin/bash -e {0}" in contents
    assert "##[error]Process completed with exit code 1." in contents
    assert contents.count("##[error]Process completed with exit code 1.") == 1
    assert "/home/runner/work/py-demo/py-demo/tests/test_a.py:3: AssertionError" in contents
    assert "##[error]assert 1 == 2" in contents and "second line" in contents
    assert not any("hidden" in c for c in contents)
    assert contents[-1] == "Cleaning up orphan processes"
    assert not any(WORKDIR in c for c in contents)


def test_the_same_case_renders_the_same_log() -> None:
    assert render(_case(), WORKDIR).text == render(_case(), WORKDIR).text
    assert render(_case(), WORKDIR).text != render(_case(case="bug--timestamps"), WORKDIR).text


def test_windows_matrix_paths_take_backslashes() -> None:
    log = render(_case(runner_os="windows"), WORKDIR)
    assert any("D:\\a\\py-demo\\py-demo\\tests\\test_a.py:3" in line for line in log.lines)


def test_evidence_is_located_after_path_mapping() -> None:
    case = _case()
    log = render(case, WORKDIR)
    (line,) = locate(log, case.failures[0].evidence_text)
    assert log.content(line).startswith("/home/runner/work/py-demo/py-demo/tests/test_a.py:3")
    with pytest.raises(EvidenceNotFound):
        locate(log, ("not printed by anything",))


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("::warning file=a.py,line=1::careful", ["##[warning]careful"]),
        ("::ERROR::upper case works", ["##[error]upper case works"]),
        ("::group::Details", ["##[group]Details"]),
        ("::endgroup::", ["##[endgroup]"]),
        ("::add-mask::secret", []),
        ("plain :: text", ["plain :: text"]),
    ],
)
def test_workflow_commands(line: str, shown: list[str]) -> None:
    assert runner_lines(line) == shown
