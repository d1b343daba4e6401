"""Which assertion of a test failed, where the runner names or prints it.

One test holds several assertions; two faults failing two of them are two faults, though the test's name, the
runner's wording and often the values read alike. Runners print the assertion in documented forms:

- googletest: ``path:N: Failure`` then ``Expected equality of these values:`` and the two expressions (each
  followed by ``Which is: value`` when it is not a literal), or ``Value of: expr``, or ``Expected: (a) < (b),
  actual: 1 vs 2``;
- Catch2: the macro with its expression, ``REQUIRE( rows(2) == 2 )``, under the test's location;
- Test::More: a script that died is told by how many assertions ran before (``# Looks like your test exited with
  255 just after 3.``); ``#   Failed test 'name'`` names the assertion (a prove failure's test is the ``.t`` file); an
  unnamed one is told by what it expected (``#     expected: 'a,b'``, ``$expected->[0] = 'a'``), the test's own
  value;
- pytest: the failing test's statement, marked ``>`` in its section; jest/vitest: the code frame's ``> 12 |`` line.

``asserted_identifiers`` returns ``asserted:<text>``, whitespace collapsed, the expression's literals kept (they
are the test's code, as in C's ``assert``), never the line number. Nothing when the log does not print it.
"""

from __future__ import annotations

from collections.abc import Sequence

from .normalize import normalize
from .regex import compile_linear
from .source_line import names_place, places

_GTEST_EQUALITY = compile_linear(r"^\s*Expected equality of these values:\s*$")
_GTEST_WHICH = compile_linear(r"^\s{3,}Which is:")
_GTEST_VALUE_OF = compile_linear(r"^\s*Value of: (\S.{0,300})$")
_GTEST_COMPARISON = compile_linear(r"^\s*Expected: (\(.{1,300}\)), actual: ")
_CATCH2 = compile_linear(r"^\s*((?:REQUIRE|CHECK)(?:_FALSE|_THAT|_THROWS\w*|_NOTHROW)?\( .{1,300} \))\s*$")
_TAP_FAILED = compile_linear(r"^\s*#\s+Failed test (?:'(.{1,300})'|at \S+ line \d+\.)\s*$")
# A test script that died: Test::More counts the assertions that ran before it ("just after 3"): which one it died in
_TAP_DIED = compile_linear(
    r"^\s*# Looks like your test exited with \d+ (?:just after (\d+)|before it could output anything)\."
)
_TAP_EXPECTED = compile_linear(r"^\s*#\s+(?:expected:|\$expected\S{0,200} =) (\S.{0,300})$")
_PYTEST_STATEMENT = compile_linear(r"^>\s+(\S.{0,300})$")
_CODE_FRAME = compile_linear(r"^\s*>\s*\d+ \|\s?(.{1,300})$")
_SPACE = compile_linear(r"\s+")
# What an assertion expected: the test's own value, the same whatever the code under test returned. JUnit's
# ``expected: <x> but was: <y>``; a check's own words (``expected 4, got 5``, Go's ``got 5, want 4`` and ``F(2) =
# 5, want 4``); a line of its own: jest/vitest ``Expected: x``, minitest ``Expected: x``, RSpec ``expected: x``,
# Test::More ``#     expected: 'x'``, ExUnit/Rust ``right: x``.
_EXPECTED_INLINE = (
    compile_linear(r"\bexpected: ?<(.{0,200}?)> but was: ?<"),
    compile_linear(r"\b[Ee]xpected:? ([^\s,;][^,;]{0,200}?)[,;]? (?:but )?(?:got|was|actual|received)\b"),
    compile_linear(r"[,;] want:? (\S.{0,200})$"),
)
_EXPECTED_LINE = compile_linear(r"^\s*(?:#\s+)?(?:Expected|expected|right)(?: value)?\s{0,20}:\s+(\S.{0,200})$")
_REACH = 8


def _text(value: str) -> str:
    return _SPACE.sub(" ", normalize(value.strip())).strip()[:200]


def _googletest(lines: Sequence[str]) -> str | None:
    for index, line in enumerate(lines):
        if _GTEST_EQUALITY.match(line):
            operands = [
                x.strip()
                for x in lines[index + 1 : index + 6]
                if x.startswith("  ") and x.strip() and not _GTEST_WHICH.match(x)
            ][:2]
            return " == ".join(operands) if operands else None
        m = _GTEST_VALUE_OF.match(line) or _GTEST_COMPARISON.match(line) or _CATCH2.match(line)
        if m:
            return m.group(1)
    return None


def _test_more(lines: Sequence[str], test_id: str, spots: Sequence[str]) -> str | None:
    """The failed test whose ``#   at t/x.t line N.`` names the failure's place, else the first."""
    failed = [(i, m) for i, m in ((i, _TAP_FAILED.match(x)) for i, x in enumerate(lines)) if m]
    if not failed:
        return None
    at = [(i, m) for i, m in failed if any(names_place(x, spots) for x in lines[i : i + 3])] if spots else []
    index, m = (at or failed)[0]
    if m.group(1):
        return None if m.group(1) == test_id else m.group(1)  # the test already is that assertion
    for below in lines[index + 1 : index + 6]:
        expected = _TAP_EXPECTED.match(below)
        if expected:
            return "expected " + expected.group(1)
    return None


def _died_after(lines: Sequence[str], spots: Sequence[str]) -> str | None:
    """A Perl test script that died where the failure's place names (``... at lib/X.pm line 7.``): the number of
    assertions Test::More saw before it, the position of the one it died in."""
    for index, text in enumerate(lines):
        if names_place(text, spots):
            for below in lines[index + 1 : index + 4]:
                m = _TAP_DIED.match(below)
                if m:
                    return "died after " + (m.group(1) or "0")
    return None


def expected_identifiers(message: str, block: Sequence[str]) -> tuple[str, ...]:
    """``expected:<value>`` for a failed assertion whose expected value the runner prints: in its message, else on
    a line of the failing test's own lines (``block``, clean)."""
    head = message.strip().split("\n", 1)[0][:500]
    value = next((m.group(1) for m in (p.search(head) for p in _EXPECTED_INLINE) if m), None)
    if value is None:
        value = next((m.group(1) for m in map(_EXPECTED_LINE.match, block[:80]) if m), None)
    text = _text(value) if value else ""
    return ("expected:" + text,) if text else ()


def asserted_identifiers(
    file: str | None, line: int | None, test_id: str, lines: Sequence[str], block: Sequence[str]
) -> tuple[str, ...]:
    """``asserted:<text>`` for the failed assertion the log prints: googletest's and Catch2's under the line
    naming the failure's ``file:line`` in ``lines`` (the failure's lines of the log, clean; a CTest test's output
    is below its heading), else the first in ``block`` (the failing test's own lines); the others in ``block``."""
    spots = places(file, line)
    found = None
    for index, text in enumerate(lines):
        if spots and names_place(text, spots):
            found = _googletest(lines[index : index + _REACH])
            if found:
                break
    if found is None and spots:
        found = _died_after(lines, spots)
    if found is None:
        found = _googletest(block) or _test_more(block, test_id, spots)
    if found is None:
        found = next((m.group(1) for m in map(_PYTEST_STATEMENT.match, block) if m), None)
    if found is None:
        found = next((m.group(1) for m in map(_CODE_FRAME.match, block) if m), None)
    text = _text(found) if found else ""
    return ("asserted:" + text,) if text else ()
