"""Identity rules that read a tool's documented output format (issue 17's remaining false matches): a
snapshot's diff, javac's ``location:`` line, a pin's specifier, a C ``assert`` expression, a checker's closing
count and a runner's status line. Each rule both tells two faults apart and keeps a re-run of one fault one."""

from __future__ import annotations

import pytest

from analysis.signature import FailureSignature, diff_range, is_generic, signature, snapshot_diff_range
from analysis.types import Failure, FailureKind, LineRange

STAMP = "2026-04-01T09:41:40.1234567Z "


def jest_snapshot(stored: str, received: str, *, stamp: str = "") -> list[str]:
    """The lines jest prints for a failed ``toMatchSnapshot`` (ANSI left out; the runner's stamp optional)."""
    lines = [
        "  \u25cf receipt \u203a lists items",
        "",
        "    expect(received).toMatchSnapshot()",
        "",
        "    Snapshot name: `receipt lists items 1`",
        "",
        "    - Snapshot  - 1",
        "    + Received  + 1",
        "",
        "      RECEIPT",
        f"    - {stored}",
        f"    + {received}",
        "      Total: $19.42",
        "",
        "      11 |     cart.add('apple', 0.5, 4);",
        "    > 12 |     expect(receipt(cart)).toMatchSnapshot();",
    ]
    return [stamp + line for line in lines]


def snapshot_sig(lines: list[str]) -> FailureSignature:
    failure = Failure(
        FailureKind.TEST,
        "jest",
        "expect(received).toMatchSnapshot()",
        test_id="receipt \u203a lists items",
        evidence=(LineRange(3, 3),),
    )
    return signature(failure, detail="\n".join(lines))


def test_a_snapshot_failure_is_told_apart_by_its_diff() -> None:
    tax = snapshot_sig(jest_snapshot("Tax: $1.44", "Tax: $1.43"))
    separator = snapshot_sig(jest_snapshot("--------", "========"))
    width = snapshot_sig(jest_snapshot("apple      4 x $0.50", "apple   4 x $0.50"))
    assert "snapshot:receipt lists items 1" in tax.identifiers
    assert len({tax.scope, separator.scope, width.scope}) == 3
    # the same fault with other numbers, another runner stamp: one key
    again = snapshot_sig(jest_snapshot("Tax: $2.10", "Tax: $2.09", stamp=STAMP))
    assert again.key == tax.key


def test_a_snapshot_diff_is_found_below_the_failure_for_the_excerpt() -> None:
    lines = ["noise"] * 4 + jest_snapshot("Tax: $1.44", "Tax: $1.43", stamp=STAMP) + ["Test Suites: 1 failed"]
    failure = Failure(FailureKind.TEST, "jest", "expect(received).toMatchSnapshot()", evidence=(LineRange(7, 7),))
    found = snapshot_diff_range(lines, failure)
    assert found is not None
    assert lines[found.start - 1].endswith("- Snapshot  - 1") and lines[found.end - 1].endswith("Total: $19.42")
    other = Failure(FailureKind.TEST, "jest", "expect(received).toBe(expected)", evidence=(LineRange(7, 7),))
    assert snapshot_diff_range(lines, other) is None


def test_a_vitest_snapshot_diff_counts_too() -> None:
    def vitest(row: str) -> FailureSignature:
        detail = "\n".join(
            [
                "Error: Snapshot `calendar > renders 1` mismatched",
                "",
                "- Expected",
                "+ Received",
                "",
                '  "Mo Tu We',
                f'-  {row}"',
                '+  1  2  3"',
            ]
        )
        message = "Error: Snapshot `calendar > renders 1` mismatched"
        return signature(Failure(FailureKind.TEST, "vitest", message, test_id="calendar > renders"), detail=detail)

    assert vitest("1 2 3").scope != vitest("1  2  3").scope  # the layout broke another way
    assert vitest("1 2 3").key == vitest("4 5 6").key  # other data, one layout


def javac(symbol: str, location: str, line: int) -> FailureSignature:
    detail = "\n".join(
        [
            f"src/Invoice.java:{line}: error: cannot find symbol",
            "        return items.x();",
            "                    ^",
            f"  symbol:   {symbol}",
            f"  location: {location}",
            "1 error",
        ]
    )
    failure = Failure(FailureKind.COMPILE, "javac", "cannot find symbol", file="src/Invoice.java", line=line)
    return signature(failure, detail=detail)


def test_javac_cannot_find_symbol_keeps_its_location() -> None:
    count = javac("method lenght()", "variable items of type List<LineItem>", 26)
    price = javac("method prise()", "variable item of type LineItem", 16)
    assert "location:variable items of type List<LineItem>" in count.identifiers
    assert count.scope != price.scope
    # another misspelling at the same place, on another line: the same fault
    assert javac("method size2()", "variable items of type List<LineItem>", 30).key == count.key


def test_javac_reads_the_lines_under_its_own_error() -> None:
    detail = "\n".join(
        [
            "src/Invoice.java:9: error: cannot find symbol",
            "  symbol:   class Foo",
            "  location: class Invoice",
            "src/Invoice.java:26: error: cannot find symbol",
            "  symbol:   method lenght()",
            "  location: variable items of type List<LineItem>",
        ]
    )
    failure = Failure(FailureKind.COMPILE, "javac", "cannot find symbol", file="src/Invoice.java", line=26)
    assert "location:variable items of type List<LineItem>" in signature(failure, detail=detail).identifiers


def pip(requirement: str, versions: str) -> FailureSignature:
    message = (
        f"ERROR: Could not find a version that satisfies the requirement {requirement} (from versions: {versions})"
    )
    return signature(Failure(FailureKind.DEPENDENCY, "pip", message))


def test_another_pin_of_a_published_package_is_another_fault() -> None:
    assert pip("acme-units==3.1", "1.0, 2.1").scope != pip("acme-units==1.7", "1.0, 2.1").scope
    assert pip("acme-units==3.1", "1.0, 2.1").key == pip("acme-units==3.1", "1.0, 2.1, 2.2").key
    # nothing published: the package is the fault, whatever the pin
    assert pip("widgets==1.2", "none").key == pip("widgets==1.3", "none").key


def test_npm_keeps_the_range_asked_for() -> None:
    def npm(spec: str) -> FailureSignature:
        message = f"npm ERR! notarget No matching version found for left-pad@{spec}."
        return signature(Failure(FailureKind.DEPENDENCY, "npm", message))

    assert "requirement:left-pad@^9.1.0" in npm("^9.1.0").identifiers
    assert npm("^9.1.0").scope != npm("^8.0.0").scope


def c_assert(expression: str, line: int) -> FailureSignature:
    message = f"test_ringbuf: tests/test_ringbuf.c:{line}: void test_wrap(void): Assertion `{expression}' failed."
    return signature(Failure(FailureKind.UNKNOWN, "generic", message))


def test_a_c_assertion_keeps_its_expression() -> None:
    three, four = c_assert("v == 3", 24), c_assert("v == 4", 25)
    assert "assertion:v == 3" in three.identifiers and three.scope != four.scope
    assert c_assert("v == 3", 31).key == three.key  # moved down: the same assertion


@pytest.mark.parametrize(
    "message", ["Found 1 error.", "Found 3 errors in 2 files (checked 9 source files)", "Found 12 errors."]
)
def test_a_checkers_closing_count_is_generic(message: str) -> None:
    assert is_generic(Failure(FailureKind.UNKNOWN, "generic", message))


@pytest.mark.parametrize(
    ("test_id", "message", "generic"),
    [
        ("range > lists days 106ms", "\u00d7 range > lists days 106ms", True),  # vitest
        ("TestParse", "--- FAIL: TestParse (0.00s)", True),  # go test
        ("tests/test_a.py::test_x", "FAILED tests/test_a.py::test_x", True),  # pytest -rf
        ("tests/test_a.py::test_x", "FAILED tests/test_a.py::test_x - assert 1 == 2", False),
        ("range > lists days", "AssertionError: expected [ 1 ] to deeply equal [ 2 ]", False),
    ],
)
def test_a_runner_status_line_alone_is_generic(test_id: str, message: str, generic: bool) -> None:
    assert is_generic(Failure(FailureKind.TEST, "x", message, test_id=test_id)) is generic


@pytest.mark.parametrize(
    ("message", "generic"),
    [
        ("Tests: 1 failed, 7 passed, 8 total", True),  # jest
        ("2 failed, 5 passed in 0.31s", True),  # pytest
        ("FAILED (failures=1, errors=2)", True),  # unittest
        ("3 problems (3 errors, 0 warnings)", True),  # eslint stylish
        ("Failed to load config file", False),
        ("error: 2 tests failed to compile", False),
    ],
)
def test_a_closing_tally_is_generic(message: str, generic: bool) -> None:
    assert is_generic(Failure(FailureKind.UNKNOWN, "generic", message)) is generic


def test_a_phpunit_diff_under_the_message_joins_the_excerpt() -> None:
    """PHPUnit prints what the assertion got only in its ``--- Expected`` / ``+++ Actual`` diff, under the
    one-line message: the excerpt takes the diff, so the signature can read it."""
    lines = [
        "There was 1 failure:",
        "",
        '1) MoneyTest::testAllocate with data set "weighted" (100, array(3, 1), array(75, 25))',
        "Failed asserting that two arrays are identical.",
        "--- Expected",
        "+++ Actual",
        "@@ @@",
        " Array &0 (",
        "-    0 => 75",
        "-    1 => 25",
        "+    0 => 50",
        "+    1 => 50",
        " )",
        "",
        "/home/runner/work/php-money/php-money/tests/MoneyTest.php:29",
    ]
    stamped = [STAMP + x for x in lines]
    message = "Failed asserting that two arrays are identical."
    failure = Failure(
        FailureKind.TEST,
        "phpunit",
        message,
        test_id='MoneyTest::testAllocate with data set "weighted"',
        evidence=(LineRange(3, 4),),
    )
    found = diff_range(stamped, failure)
    assert found == LineRange(5, 13)
    excerpt = "\n".join(stamped[:4] + stamped[found.start - 1 : found.end])
    assert "actual:+ 0 => 50 + 1 => 50" in signature(failure, detail=excerpt).identifiers
    # no diff under the message: nothing added
    assert diff_range([STAMP + x for x in lines[:4]] + [STAMP + "", STAMP + "FAILURES!"], failure) is None
