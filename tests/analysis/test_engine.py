"""Engine behaviour on inputs as given: line numbering, limits, fingerprints, zips, JUnit."""

from __future__ import annotations

import io
import zipfile

import pytest

from analysis.engine import analyze_bytes, analyze_lines, analyze_text
from analysis.junit import JUnitError, parse_junit
from analysis.normalize import fingerprint, normalize
from analysis.runlogs import analyze_zip
from analysis.types import FailureKind, LineRange

PYTEST_TAIL = (
    "___ test_total ___\n"
    "    def test_total():\n"
    ">       assert total([1, 2]) == 4\n"
    "E       assert 3 == 4\n"
    "tests/test_cart.py:7: AssertionError\n"
    "FAILED tests/test_cart.py::test_total - assert 3 == 4\n"
    "##[error]Process completed with exit code 1.\n"
)


def _covers(ranges: tuple[LineRange, ...], line: int) -> bool:
    return any(r.contains(line) for r in ranges)


@pytest.mark.parametrize(
    ("prefix", "newline"),
    [
        ("", "\n"),  # plain
        ("\ufeff", "\n"),  # BOM at file start does not shift line 1
        ("", "\r\n"),  # CRLF is one line break
        ("2024-05-02T10:11:12.1234567Z ", "\n"),  # runner timestamps are not part of the rule's view
    ],
)
def test_line_numbers_refer_to_the_input_as_given(prefix: str, newline: str) -> None:
    lines = ["setup", "more setup", *PYTEST_TAIL.splitlines()]
    text = newline.join(("2024-05-02T10:11:12.1234567Z " if prefix.startswith("2024") else "") + x for x in lines)
    if prefix == "\ufeff":
        text = prefix + text
    analysis = analyze_text(text)
    [failure] = analysis.failures
    assert failure.test_id == "tests/test_cart.py::test_total"
    assert failure.message == "assert 3 == 4"
    assert (failure.file, failure.line) == ("tests/test_cart.py", 7)
    assert _covers(failure.evidence, 6)  # the E line is line 6 of the input, whatever the decoration
    assert _covers(failure.evidence, 3)  # and the test's section header line 3
    assert analysis.total_lines == 9


def test_carriage_return_progress_lines_count_as_lines() -> None:
    # a progress bar redrawn with \r: three lines, then the error on line 4
    text = "Downloading 10%\rDownloading 50%\rDownloading 100%\nerror: could not resolve host: example.com\n"
    analysis = analyze_text(text, budget=1)
    assert analysis.total_lines == 4
    assert analysis.excerpt == (LineRange(4, 4),)


def test_ansi_and_invalid_utf8_are_harmless() -> None:
    data = b"\x1b[31mFAILED\x1b[0m tests/t.py::test_a - \xff\xfe boom\n"
    [failure] = analyze_bytes(data).failures
    assert failure.test_id == "tests/t.py::test_a"
    assert "\ufffd" in failure.message


def test_very_long_lines_are_bounded() -> None:
    text = "x" * 3_000_000 + "\nerror: the real problem\n"
    analysis = analyze_text(text, budget=5)
    assert LineRange(2, 2) in analysis.excerpt or any(r.contains(2) for r in analysis.excerpt)


def test_budget_is_never_exceeded_and_first_error_of_a_cascade_wins() -> None:
    lines = [f"src/m{i}.c:{i}:1: error: 'x{i}' undeclared" for i in range(1, 400)]
    analysis = analyze_text("\n".join(lines), budget=10)
    covered = {n for r in analysis.excerpt for n in range(r.start, r.end + 1)}
    assert len(covered) <= 10
    assert 1 in covered  # the first error of the cascade


def test_streaming_lines_and_whole_text_agree() -> None:
    text = "noise\n" * 50 + PYTEST_TAIL
    assert analyze_lines(io.StringIO(text)) == analyze_text(text)


def test_byte_cap_reads_head_and_tail_and_keeps_line_numbers() -> None:
    filler = "".join(f"progress line {i}\n" for i in range(20_000))
    data = (filler + PYTEST_TAIL).encode()
    analysis = analyze_bytes(data, byte_cap=64 * 1024)
    assert analysis.truncated
    assert "truncated" in analysis.summary
    [failure] = analysis.failures
    assert _covers(failure.evidence, 20_004)  # the E line: 20 000 filler lines + 4
    assert analysis.total_lines == 20_007


def test_streaming_stops_at_the_cap() -> None:
    lines = (f"line {i}\n" for i in range(100_000))
    analysis = analyze_lines(lines, byte_cap=10_000)
    assert analysis.truncated
    assert analysis.total_lines < 100_000


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        # a rerun: timestamps, durations, temp dirs, addresses and line numbers change; the fault does not
        (
            "2024-05-01T10:00:00Z a.py:12: assert f('/tmp/pytest-of-runner/pytest-3/x') == 0x7ffe1234 (1.2s)",
            "2024-05-02T11:30:00Z a.py:19: assert f('/tmp/pytest-of-runner/pytest-9/x') == 0x7ffe9999 (3.4s)",
            True,
        ),
        ("connection refused on port 5432, pid 1234", "connection refused on port 6543, pid 99", True),
        ("assert 3 == 4", "KeyError: 'name'", False),  # a different fault
    ],
)
def test_fingerprint_is_stable_across_reruns(first: str, second: str, same: bool) -> None:
    a = fingerprint("pytest", "test", "tests/a.py::test_x", first)
    b = fingerprint("pytest", "test", "tests/a.py::test_x", second)
    assert (a == b) is same


def test_fingerprint_of_a_shifted_failure_in_a_log_is_unchanged() -> None:
    before = analyze_text("setup\n" + PYTEST_TAIL).failures[0].fingerprint
    after = analyze_text("setup\n" * 40 + PYTEST_TAIL.replace("test_cart.py:7", "test_cart.py:9")).failures[0]
    assert after.fingerprint == before
    other = analyze_text(PYTEST_TAIL.replace("test_total", "test_discount")).failures[0]
    assert other.fingerprint != before


def test_normalize_masks_volatile_tokens() -> None:
    text = (
        "2024-05-02T10:11:12.123Z worker pid=4242 took 12.5s at 0x7ffd5a3c "
        "/home/runner/work/app/app/src/x.py id 123e4567-e89b-12d3-a456-426614174000 seed=987654"
    )
    assert normalize(text) == "<TS> worker pid=<PID> took <DUR> at <ADDR> <ROOT>/src/x.py id <UUID> seed=<SEED>"


def _run_logs_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("0_lint.txt", "\ufeff2024-05-02T10:00:00.0000000Z all good\n")
        archive.writestr("1_test (3.12).txt", "setup\n" + PYTEST_TAIL)
        archive.writestr("test (3.12)/1_Set up job.txt", "setup\n")
        archive.writestr("test (3.12)/2_Run pytest.txt", PYTEST_TAIL)
        archive.writestr("__MACOSX/._1_test (3.12).txt", b"\x00\x05\x16\x07")
    return buffer.getvalue()


def test_run_logs_zip_names_member_and_job() -> None:
    analysis = analyze_zip(_run_logs_zip(), budget=5)
    [failure] = analysis.failures
    assert (failure.member, failure.job) == ("1_test (3.12).txt", "test (3.12)")
    assert _covers(failure.evidence, 5)
    assert analysis.excerpt == ()
    [(member, ranges)] = analysis.member_excerpts
    assert member == "1_test (3.12).txt"
    assert sum(len(r) for r in ranges) <= 5


JUNIT = b"""<?xml version="1.0" encoding="utf-8"?>
<testsuites>
  <testsuite name="pytest" errors="0" failures="1" tests="2">
    <testcase classname="tests.test_cart" name="test_ok" time="0.001" />
    <testcase classname="tests.test_cart" name="test_total" file="tests/test_cart.py" line="6" time="0.002">
      <failure message="assert 3 == 4">def test_total():
&gt;       assert total([1, 2]) == 4
E       assert 3 == 4</failure>
    </testcase>
  </testsuite>
</testsuites>
"""


def test_parse_junit_points_into_the_xml() -> None:
    [failure] = parse_junit(JUNIT)
    assert failure.kind is FailureKind.TEST
    assert failure.test_id == "tests/test_cart.py::test_total"
    assert failure.message == "assert 3 == 4"
    assert (failure.file, failure.line) == ("tests/test_cart.py", 6)
    assert failure.evidence == (LineRange(5, 9),)


def test_junit_inside_an_artifact_zip() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("reports/junit.xml", JUNIT)
    [failure] = analyze_zip(buffer.getvalue()).failures
    assert failure.member == "reports/junit.xml"


def test_junit_entities_are_refused() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><testsuite><testcase name="&a;"/></testsuite>'
    with pytest.raises(JUnitError):
        parse_junit(bomb)


def test_a_zip_without_logs_is_a_clear_error() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("image.png", b"\x89PNG")
    with pytest.raises(ValueError, match="neither job logs"):
        analyze_zip(buffer.getvalue())
