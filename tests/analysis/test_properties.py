"""Property-based: any bytes or lines in, a well-formed Analysis out, never over budget."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.engine import analyze_bytes, analyze_lines, analyze_text
from analysis.lines import count_lines, count_lines_bytes
from analysis.normalize import fingerprint, normalize
from analysis.types import Analysis

# Fragments of real tool output, so generated logs reach the rules and not only the fallbacks.
FRAGMENTS = [
    "FAILED tests/test_a.py::test_x[1-2] - AssertionError: boom",
    "E       assert 1 == 2",
    "____ test_x ____",
    "  ● suite \u203a case",
    "    Expected: 1",
    "--- FAIL: TestX (0.00s)",
    "error[E0308]: mismatched types",
    "  --> src/lib.rs:1:1",
    "src/a.ts(1,2): error TS2322: nope",
    "##[error]Process completed with exit code 1.",
    "##[group]Run make",
    "::error file=a.py,line=3::msg%0Amore",
    "npm ERR! code ERESOLVE",
    "1) Suite",
    "   test name:",
    "Segmentation fault (core dumped)",
    "#3 [stage 1/2] RUN make",
    'ERROR: failed to solve: process "/bin/sh -c make" did not complete successfully',
    "$ make test",
    'The command "make test" exited with 2.',
    "\x1b[31mFAIL\x1b[0m src/x.test.js",
    "2024-01-01T00:00:00.0000000Z error: something",
    "",
]

line_text = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=80))
separators = st.sampled_from(["\n", "\r\n", "\r"])


def _check(analysis: Analysis, budget: int, total: int) -> None:
    covered = {n for r in analysis.excerpt for n in range(r.start, r.end + 1)}
    assert len(covered) <= budget
    assert all(1 <= r.start <= r.end <= max(total, 1) for r in analysis.excerpt)
    assert analysis.total_lines == total
    for failure in analysis.failures:
        assert failure.fingerprint
        assert all(1 <= r.start <= r.end <= total for r in failure.evidence)


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=4000), budget=st.integers(min_value=0, max_value=40))
def test_arbitrary_bytes(data: bytes, budget: int) -> None:
    _check(analyze_bytes(data, budget=budget), budget, count_lines_bytes(data))


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(line_text, max_size=60), sep=separators, budget=st.integers(min_value=0, max_value=30))
def test_arbitrary_logs(lines: list[str], sep: str, budget: int) -> None:
    text = sep.join(lines)
    analysis = analyze_text(text, budget=budget)
    _check(analysis, budget, count_lines(text))
    assert analyze_bytes(text.encode("utf-8", "surrogatepass"), budget=budget) == analysis


@settings(max_examples=100, deadline=None)
@given(lines=st.lists(line_text.filter(lambda t: "\r" not in t and "\n" not in t), max_size=60))
def test_lines_match_text(lines: list[str]) -> None:
    """Streaming lines and the joined text give the same analysis."""
    text = "\n".join(lines)
    streamed = analyze_lines(iter([line + "\n" for line in lines]), budget=20)
    whole = analyze_text(text + "\n" if lines else "", budget=20)
    assert streamed == whole


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=3000), cap=st.integers(min_value=1, max_value=2000))
def test_byte_cap_keeps_line_numbers(data: bytes, cap: int) -> None:
    analysis = analyze_bytes(data, budget=15, byte_cap=cap)
    total = count_lines_bytes(data)
    assert analysis.truncated == (len(data) > cap)
    covered = {n for r in analysis.excerpt for n in range(r.start, r.end + 1)}
    assert len(covered) <= 15
    assert all(r.end <= max(total, 1) for r in analysis.excerpt)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_normalize_is_total_and_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert len(fingerprint("tool", "test", None, text)) == 16


_CONTROL_CHARS = [chr(c) for c in (*range(0x20), 0x7F, 0x85, 0xA0, 0x2028, 0xFEFF, 0xFFFE, 0xFFFD)]


@given(st.lists(st.one_of(st.sampled_from(_CONTROL_CHARS), st.text(max_size=5)), max_size=30))
@settings(max_examples=300, deadline=None)
def test_clean_removes_control_characters_as_its_pattern_does(parts: list[str]) -> None:
    """``clean`` skips the control-character pattern on a printable line: the same as always running it."""
    from analysis.lines import _ANSI_LINE, _CONTROL_LINE, _STAMP_LINE, clean

    line = "".join(parts)
    reference = _STAMP_LINE.sub("", _ANSI_LINE.sub("", line[:2000]), count=1)
    assert clean(line) == _CONTROL_LINE.sub("", reference)
