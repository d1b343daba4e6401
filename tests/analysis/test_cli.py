"""``ci-triage analyze``: the real command through ``githubapp.cli.main.main``."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from githubapp.cli.main import main

GOLDEN = Path(__file__).parent / "golden"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["analyze", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, str(GOLDEN / "pytest_gha.log"), "--json", "--budget", "6")
    document = json.loads(out)
    assert code == 0
    assert set(document) >= {"failures", "excerpt", "summary"}
    assert sum(end - start + 1 for start, end in document["excerpt"]) <= 6
    tests = [f["test_id"] for f in document["failures"]]
    assert "tests/test_units.py::test_parse_size[10MB-10485760]" in tests


def test_text_output_shows_the_excerpt_without_colour_when_not_a_tty(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    code, out, _ = _run(capsys, str(GOLDEN / "cargo_test.log"), "--budget", "8")
    assert code == 0
    assert "\x1b[" not in out
    assert "tests::rejects_empty" in out
    assert "test result: FAILED." in out  # a line of the excerpt, shown as given


def test_github_format_prints_workflow_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, str(GOLDEN / "mypy.log"), "--format", "github")
    lines = out.splitlines()
    assert lines[0].startswith("::error file=src/widgets/core.py,line=57,title=mypy type::Argument 1")
    assert lines[-1].startswith("::notice title=ci-triage::")
    assert code == 0


def test_github_format_annotates_the_fault_and_the_tests_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, str(GOLDEN / "unittest_real.log"), "--format", "github")
    errors = [line.split("::")[1] for line in out.splitlines() if line.startswith("::error")]
    title = "title=unittest test%3A tests.test_stock_unittest.StockTest.test_total_unknown"
    assert errors[:2] == [
        f"error file=src/inventory/stock.py,line=7,{title}",
        f"error file=tests/test_stock_unittest.py,line=11,{title} (test)",
    ]
    assert errors[2].startswith("error file=tests/test_stock_unittest.py,line=8,")  # fault and test coincide: one
    assert len(errors) == 3 and code == 0


def test_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    data = (GOLDEN / "go_test.log").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, _ = _run(capsys, "-", "--json")
    assert code == 0
    assert json.loads(out)["failures"][0]["test_id"] == "TestParse/unicode"


def test_missing_file_is_a_clear_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(capsys, str(tmp_path / "nope.log"))
    assert code == 2
    assert "cannot read" in err


def test_zip_json_names_members(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "logs.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("1_build.txt", (GOLDEN / "rustc.log").read_text())
    code, out, _ = _run(capsys, str(path), "--json", "--budget", "5")
    document = json.loads(out)
    assert code == 0
    assert {f["member"] for f in document["failures"]} == {"1_build.txt"}
    assert all(entry[2] == "1_build.txt" for entry in document["excerpt"])


def test_junit_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "report.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<testsuite name="s">\n'
        '  <testcase classname="pkg.CartTest" name="testTotal">\n'
        '    <failure message="expected 90 but was 81" type="AssertionError"/>\n'
        "  </testcase>\n</testsuite>\n"
    )
    code, out, _ = _run(capsys, str(path), "--json")
    [failure] = json.loads(out)["failures"]
    assert code == 0
    assert failure["test_id"] == "pkg.CartTest.testTotal"
    assert failure["message"] == "AssertionError: expected 90 but was 81"
    assert failure["evidence"] == [[3, 5]]


def test_over_long_file_is_read_in_head_and_tail_like_bytes(tmp_path: Path) -> None:
    """The CLI reads a big file from disk in two parts; the result equals the in-memory analysis."""
    from analysis.engine import analyze_bytes
    from githubapp.cli.analyze import analyze_path

    data = b"".join(b"progress %d\r\n" % i for i in range(30_000)) + (GOLDEN / "pytest_gha.log").read_bytes()
    path = tmp_path / "big.log"
    path.write_bytes(data)
    from_disk = analyze_path(path, byte_cap=100_000)
    assert from_disk.truncated
    assert from_disk == analyze_bytes(data, byte_cap=100_000)
    assert from_disk.failures[-1].test_id == "tests/test_units.py::test_parse_size[10MB-10485760]"
