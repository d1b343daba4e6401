"""Each false-match cause of issue 17 as a constructed case, beside the recurrences that must keep one key.

The runner output below follows each tool's documented format (jest's and vitest's expect messages, RSpec's
``expected:``/``got:``, minitest's ``Expected:``/``Actual:``, PHPUnit's ``--- Expected``/``+++ Actual`` diff,
ExUnit's ``left:``/``right:``, JUnit's ``expected: <x> but was: <y>``, Go's ``got, want`` convention,
Test::More's diagnostics, googletest's ``Which is:``, libtest's ``left:``/``right:``, gc's ``declared and not
used``); what differs between two faults is what the code under test returned, or the error beside an unused
variable; what differs between two runs of one fault (time, paths, durations, order, verbosity) must not count.
"""

from __future__ import annotations

import pytest

from analysis.engine import analyze_bytes
from analysis.signature import FailureSignature, actual_value, signature
from analysis.types import Failure, FailureKind

STAMP = "2026-04-01T09:41:40.1234567Z "


def failed_test(tool: str, test_id: str, message: str, detail: list[str]) -> FailureSignature:
    return signature(Failure(FailureKind.TEST, tool, message, test_id=test_id), detail="\n".join(detail))


# --- the same test failing for another reason: what the assertion got -------------------------------------


def jest(received: str, *, verbose: bool = False, stamp: str = "") -> FailureSignature:
    listing = ["  Cart", "    add", "      \u2715 merges quantities of the same sku (60 ms)", ""] if verbose else []
    lines = [
        *listing,
        "  \u25cf Cart \u203a add \u203a merges quantities of the same sku",
        "",
        "    expect(received).toBe(expected) // Object.is equality",
        "",
        "    Expected: 9",
        f"    Received: {received}",
        "",
        "    > 16 |       expect(cart.count()).toBe(9);",
    ]
    return failed_test(
        "jest",
        "Cart \u203a add \u203a merges quantities of the same sku",
        "expect(received).toBe(expected) // Object.is equality",
        [stamp + line for line in lines],
    )


def rspec(got: str) -> FailureSignature:
    return failed_test(
        "rspec",
        "Slugger.unique appends a counter when the slug is taken",
        'expect(Slugger.unique("post", ["post", "post-2"])).to eq("post-3")',
        [
            "  1) Slugger.unique appends a counter when the slug is taken",
            '     Failure/Error: expect(Slugger.unique("post", ["post", "post-2"])).to eq("post-3")',
            "",
            '       expected: "post-3"',
            f"            got: {got}",
            "",
            "       (compared using ==)",
            "     # ./spec/slugger_spec.rb:12:in `block (3 levels) in <top (required)>'",
        ],
    )


def minitest(actual: str, *, first: str | None = None) -> FailureSignature:
    """``first``: another failure listed before this one (an extra fault of the same run)."""
    before = [
        "  1) Failure:",
        "TestSlugger#test_slugify_drops_punctuation [test/test_slugger.rb:16]:",
        'Expected: "hi"',
        f"  Actual: {first}",
        "",
    ]
    return failed_test(
        "minitest",
        "TestSlugger#test_slugify_dashes",
        'Expected: "big-news"',
        [
            *(before if first else []),
            f"  {2 if first else 1}) Failure:",
            "TestSlugger#test_slugify_dashes [test/test_slugger.rb:12]:",
            'Expected: "big-news"',
            f"  Actual: {actual}",
            "",
        ],
    )


def phpunit(actual: str) -> FailureSignature:
    return failed_test(
        "phpunit",
        "MoneyTest::testFormatPadsCents",
        "Failed asserting that two strings are identical.",
        [
            "1) MoneyTest::testFormatPadsCents",
            "Failed asserting that two strings are identical.",
            "--- Expected",
            "+++ Actual",
            "@@ @@",
            "-'EUR 12.05'",
            f"+{actual}",
            "",
            "/home/runner/work/php-money/php-money/tests/MoneyTest.php:23",
        ],
    )


def exunit(left: str, *, trace: bool = False) -> FailureSignature:
    listing = ["  * test remove/3 takes all the stock [L#24]", "  * test remove/3 takes all the stock (5.4ms) [L#24]"]
    return failed_test(
        "exunit",
        "ShelfTest.test remove/3 takes all the stock",
        "Assertion with == failed",
        [
            *(listing if trace else []),
            "  1) test remove/3 takes all the stock (ShelfTest)",
            "     test/shelf_test.exs:24",
            "     Assertion with == failed",
            '     code:  assert Shelf.remove(%{"a" => 5}, "a", 5) == {:ok, %{}}',
            f"     left:  {left}",
            "     right: {:ok, %{}}",
            "     stacktrace:",
            "       test/shelf_test.exs:25: (test)",
        ],
    )


@pytest.mark.parametrize(
    ("make", "one", "other"),
    [
        (jest, "3", "5"),  # two faults of count(): one drops merged items, one counts lines
        (rspec, '"post2"', '"post-2"'),  # the counter without its dash vs. one try only
        (minitest, '"big_news"', '"big--news"'),
        (phpunit, "'EUR 12.5'", "'EUR 12,5'"),
        (exunit, '%{"a" => 0}', '{:error, {:insufficient, "a", 5}}'),
    ],
)
def test_the_same_test_failing_for_another_reason_is_another_scope(make, one: str, other: str) -> None:  # type: ignore[no-untyped-def]
    a, b = make(one), make(other)
    assert (a.subject, a.error_type, a.template) == (b.subject, b.error_type, b.template)  # the message alike
    assert a.scope != b.scope and not a.compatible(b)


def test_what_a_run_changes_keeps_one_key() -> None:
    # timestamps, a verbose listing before the block, another failure listed first (an extra fault, another order)
    assert jest("3").key == jest("3", verbose=True).key == jest("3", stamp=STAMP).key
    assert minitest('"big_news"').key == minitest('"big_news"', first='"hi!"').key
    assert exunit('%{"a" => 0}').key == exunit('%{"a" => 0}', trace=True).key
    # volatile values inside what the assertion got: durations, temp paths, pids, ports, addresses
    assert rspec('"took 12ms"').key == rspec('"took 340ms"').key
    assert rspec('"/tmp/pytest-of-runner/x1/out.txt"').key == rspec('"/tmp/pytest-of-runner/x9/out.txt"').key
    assert rspec('"pid 4121 exited"').key == rspec('"pid 977 exited"').key
    assert rspec('"localhost:43121"').key == rspec('"localhost:38877"').key
    assert jest("[Object 0x7f3a21bb]").key == jest("[Object 0x55c0de01]").key


def test_a_number_the_assertion_got_is_kept_however_long() -> None:
    """What the code computed is the fault's, short or long (signature s7): 1048576 and 2097152 are two faults."""
    assert jest("1048576").key != jest("2097152").key
    assert jest("1048576").key == jest("1048576", stamp=STAMP).key


@pytest.mark.parametrize(
    ("message", "detail", "actual"),
    [
        ("AssertionError: expected '2024-07-07' to be '2024-03-07' // Object.is equality", [], "'2024-07-07'"),
        ("org.opentest4j.AssertionFailedError: expected: <25.5> but was: <15.5>", [], "15.5"),
        ("java.lang.AssertionError: expected:<0.19> but was:<0.16>", [], "0.16"),
        ("AssertionError: assert 21 == 22", [], "21"),
        ("AssertionError: 'a-b' != 'a_b'", [], "'a-b'"),
        ("Port = 9091, want 9090", [], "9091"),
        ("got 3, want 4", [], "3"),
        ("Failed asserting that -200 is identical to 700.", [], "-200"),
        ("Expected <4>, actual <3>.", [], "3"),
        # Test::More: is() and is_deeply()
        ("Failed test 'parses quoted field'", ["#   Failed test 'parses quoted field'", "#          got: 'a'"], "'a'"),
        ("Failed test 'rows'", ["#     Structures begin differing at:", "#          $got->[1] = 'b'"], "'b'"),
        # googletest, libtest (1.73+ and before), testify, AssertJ
        ("Expected equality of these values:", ["  area(r)", "    Which is: 12", "  13"], "12"),
        ("assertion `left == right` failed", ["  left: 12", " right: 13"], "12"),
        ("assertion failed: `(left == right)`", ["  left: `12`,", " right: `13`"], "`12`,"),
        ("Not equal:", ["            \texpected: 3", "            \tactual  : 4"], "4"),
        ("expected: 4", [" but was: 3"], "3"),
        ("expected 4, got 3", [], "3"),  # Go's other convention
        ("--- FAIL: TestAllow (0.00s)", ["    limiter_test.go:31: Allow() returned false, want true"], "false"),
        ("--- FAIL: TestRefill (0.00s)", ["    bucket_test.go:9: tokens after refill: 3; want 5"], "3"),
        ("REQUIRE( area(r) == 13 )", ["with expansion:", "  12 == 13"], "12"),  # Catch2
        ('error: in "vec/dot": check dot(a, b, 3) == 32 has failed [14 != 32]', [], "14"),  # Boost.Test
        ("F1206 vec.cc:12] Check failed: dot(a, b, 3) == 32 (14 vs. 32)", [], "14"),  # glog, abseil
        ("vec.cpp:12: ERROR: CHECK( dot(a, b, 3) == 32 ) is NOT correct!", ["  values: CHECK( 14 == 32 )"], "14"),
        ("tests/test_vec.cpp:12: CHECK_EQ(dot(a, b, 3), 32) failed: 14 != 32", [], "14"),  # a project's own macro
        (  # googletest's EXPECT_NEAR
            "The difference between mean(w) and 2.5 is 1.5, which exceeds 1e-3, where",
            ["mean(w) evaluates to 1,", "2.5 evaluates to 2.5, and", "1e-3 evaluates to 0.001."],
            "1",
        ),
    ],
)
def test_what_the_assertion_got_is_read_where_each_runner_prints_it(
    message: str, detail: list[str], actual: str
) -> None:
    assert actual_value(Failure(FailureKind.TEST, "t", message, test_id="t"), "\n".join(detail)) == actual


def test_only_a_test_carries_what_it_got() -> None:
    lint = signature(Failure(FailureKind.LINT, "eslint", "got: 3", file="src/a.js"), detail="got: 3")
    assert not [i for i in lint.identifiers if i.startswith("actual:")]


def test_a_snapshot_is_told_apart_by_its_diff_not_by_what_it_got() -> None:
    sig = failed_test("jest", "r \u203a x", "expect(received).toMatchSnapshot()", ["    + Received  + 1", "    + b"])
    assert not [i for i in sig.identifiers if i.startswith("actual:")]


# --- an unused variable: the error it is the consequence of -----------------------------------------------


def go_build(cause: str) -> list[FailureSignature]:
    log = "\n".join(
        STAMP + line
        for line in (
            "##[group]Run go build -v ./...",
            "go build -v ./...",
            "##[endgroup]",
            "example.com/confkit",
            "# example.com/confkit",
            "./config.go:37:4: declared and not used: p",
            f"./config.go:41:15: {cause}",
            "##[error]Process completed with exit code 2.",
        )
    ).encode()
    failures = analyze_bytes(log).failures
    return [signature(f, detail=log.decode()) for f in failures]


def test_an_unused_variable_left_by_two_faults_is_two_keys() -> None:
    typo = go_build("undefined: port")
    retyped = go_build("cannot use value (variable of type string) as type int in assignment")
    unused_typo, unused_retyped = typo[0], retyped[0]
    assert unused_typo.template == unused_retyped.template == "declared and not used: p"
    assert unused_typo.scope != unused_retyped.scope
    # the same fault again (shifted lines) keeps its key
    assert go_build("undefined: port")[0].key == unused_typo.key


# --- the JUnit Platform console: the exception, not the test's source -------------------------------------


def junit_console(exception: str) -> Failure:
    lines = (
        "Failures (1):",
        "  JUnit Jupiter:InvoiceTest:subtotalMultipliesQuantity()",
        "    MethodSource [className = 'com.acme.invoice.InvoiceTest', methodName = 'subtotalMultipliesQuantity', "
        "methodParameterTypes = '']",
        f"    => {exception}",
        "       com.acme.invoice.InvoiceTest.subtotalMultipliesQuantity(InvoiceTest.java:16)",
        "Test run finished after 1421 ms",
        "##[error]Process completed with exit code 1.",
    )
    failures = analyze_bytes("\n".join(STAMP + x for x in lines).encode()).failures
    return next(f for f in failures if f.test_id)


def test_a_junit_console_failure_says_its_exception() -> None:
    assertion = junit_console("org.opentest4j.AssertionFailedError: expected: <25.5> but was: <15.5>")
    index = junit_console("java.lang.IndexOutOfBoundsException: Index 2 out of bounds for length 2")
    assert assertion.message.startswith("org.opentest4j.AssertionFailedError: expected: <25.5>")
    assert signature(assertion).error_type == "AssertionFailedError"
    assert signature(index).error_type == "IndexOutOfBoundsException"
    assert signature(assertion).scope != signature(index).scope


# --- the first causes, constructed -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "why"),
    [
        (
            Failure(FailureKind.TEST, "jest", "expect(received).toBe(expected)", test_id="Cart \u203a totals \u203a a"),
            Failure(FailureKind.TEST, "jest", "expect(received).toBe(expected)", test_id="Cart \u203a totals \u203a b"),
            "two tests of one describe block",
        ),
        (
            Failure(FailureKind.TEST, "pytest", "assert x == y", test_id="tests/test_a.py::test_total"),
            Failure(FailureKind.TEST, "pytest", "assert x == y", test_id="tests/test_b.py::test_total"),
            "two pytest tests in different files",
        ),
        (
            Failure(
                FailureKind.TYPE,
                "mypy",
                'Incompatible return value type (got "str | None", expected "str")  [return-value]',
                file="src/a.py",
            ),
            Failure(
                FailureKind.TYPE,
                "mypy",
                'Incompatible return value type (got "str | None", expected "str")  [return-value]',
                file="src/b.py",
            ),
            "the same mypy message in another file",
        ),
        (
            Failure(
                FailureKind.COMPILE,
                "gcc",
                "\u2018len\u2019 undeclared (first use in this function)",
                file="src/codec.c",
            ),
            Failure(
                FailureKind.COMPILE,
                "gcc",
                "In function \u2018parse\u2019:\n\u2018len\u2019 undeclared (first use in this function)",
                file="src/codec.c",
            ),
            "the same gcc message in another function",
        ),
        (
            Failure(FailureKind.DEPENDENCY, "pytest", "ModuleNotFoundError: No module named 'yaml'"),
            Failure(FailureKind.DEPENDENCY, "pytest", "ModuleNotFoundError: No module named 'dateutil'"),
            "one differing module",
        ),
        (
            Failure(
                FailureKind.DEPENDENCY,
                "pip",
                "ERROR: Could not find a version that satisfies the requirement widgets==2.0 (from versions: 1.0, 1.1)",
            ),
            Failure(
                FailureKind.DEPENDENCY,
                "pip",
                "ERROR: Could not find a version that satisfies the requirement gadgets==2.0 (from versions: 1.0, 1.1)",
            ),
            "a pin of another package",
        ),
        (
            Failure(FailureKind.TEST, "pytest", "assert 0 == 1", test_id="tests/test_a.py::test_parse[ascii]"),
            Failure(FailureKind.TEST, "pytest", "assert 0 == 1", test_id="tests/test_a.py::test_parse[unicode]"),
            "sibling parametrised cases",
        ),
    ],
)
def test_each_first_cause_is_another_scope(a: Failure, b: Failure, why: str) -> None:
    sa, sb = signature(a), signature(b)
    assert sa.scope != sb.scope and not sa.compatible(sb), why


def test_a_dependency_fault_matches_across_tests_only_with_equal_identifiers() -> None:
    one = Failure(FailureKind.DEPENDENCY, "pytest", "ModuleNotFoundError: No module named 'yaml'", test_id="t/a.py::x")
    two = Failure(FailureKind.DEPENDENCY, "pytest", "ModuleNotFoundError: No module named 'yaml'", test_id="t/b.py::y")
    other = Failure(
        FailureKind.DEPENDENCY, "pytest", "ModuleNotFoundError: No module named 'toml'", test_id="t/b.py::y"
    )
    assert signature(one).key == signature(two).key  # one missing package fails every test that imports it
    as_test_error = Failure(FailureKind.TEST, "pytest", one.message, test_id="t/c.py::z")  # pytest's "E   ..."
    assert signature(as_test_error).key == signature(one).key
    assert not signature(one).compatible(signature(other))
    # a test fault never crosses tests
    a = Failure(FailureKind.TEST, "pytest", "assert 1 == 2", test_id="t/a.py::x")
    b = Failure(FailureKind.TEST, "pytest", "assert 1 == 2", test_id="t/b.py::y")
    assert not signature(a).compatible(signature(b))


# --- a report listing several failures: each failure's own block ---------------------------------------------


LIBTEST = [
    "running 3 tests",
    "test tests::area ... FAILED",
    "test tests::perimeter ... FAILED",
    "test tests::parse ... ok",
    "",
    "failures:",
    "",
    "---- tests::perimeter stdout ----",
    "thread 'tests::perimeter' panicked at src/lib.rs:31:9:",
    "assertion `left == right` failed",
    "  left: 14",
    " right: 16",
    "",
    "---- tests::area stdout ----",
    "thread 'tests::area' panicked at src/lib.rs:20:9:",
    "assertion `left == right` failed",
    "  left: 12",
    " right: 13",
]
TAP = [
    "not ok 1 - splits on commas",
    "#   Failed test 'splits on commas'",
    "#   at t/split.t line 8.",
    "#          got: 'a;b'",
    "#     expected: 'a'",
    "not ok 2 - parses quoted field",
    "#   Failed test 'parses quoted field'",
    "#   at t/split.t line 12.",
    "#          got: '\"a'",
    "#     expected: 'a'",
]
GTEST = [
    "[ RUN      ] MatrixTest.Identity",
    "matrix_test.cc:12: Failure",
    "Expected equality of these values:",
    "  m.at(1, 1)",
    "    Which is: 0",
    "  1",
    "[  FAILED  ] MatrixTest.Identity (0 ms)",
    "[ RUN      ] MatrixTest.Multiply",
    "matrix_test.cc:20: Failure",
    "Expected equality of these values:",
    "  p.at(0, 0)",
    "    Which is: 5",
    "  4",
    "[  FAILED  ] MatrixTest.Multiply (0 ms)",
]


@pytest.mark.parametrize(
    ("lines", "test_id", "message", "actual"),
    [
        (LIBTEST, "tests::area", "assertion `left == right` failed", "12"),
        (LIBTEST, "tests::perimeter", "assertion `left == right` failed", "14"),
        (TAP, "t/split.t::parses quoted field", "Failed test 'parses quoted field'", "'\"a'"),
        (TAP, "t/split.t::splits on commas", "Failed test 'splits on commas'", "'a;b'"),
        (GTEST, "MatrixTest.Multiply", "Expected equality of these values:", "5"),
        (GTEST, "MatrixTest.Identity", "Expected equality of these values:", "0"),
    ],
)
def test_what_a_test_got_is_read_from_its_own_block(lines: list[str], test_id: str, message: str, actual: str) -> None:
    assert actual_value(Failure(FailureKind.TEST, "t", message, test_id=test_id), "\n".join(lines)) == actual


# --- another matrix entry: the same fault through gcc and clang -------------------------------------------


@pytest.mark.parametrize(
    ("gcc", "clang"),
    [
        ("\u2018capacity\u2019 undeclared (first use in this function)", "use of undeclared identifier 'capacity'"),
        ("\u2018ringbuf\u2019 has no member named \u2018size\u2019", "no member named 'size' in 'ringbuf'"),
        ("implicit declaration of function \u2018rb_peek\u2019", "call to undeclared function 'rb_peek'"),
        ("\u2018cap\u2019 was not declared in this scope", "use of undeclared identifier 'cap'"),  # g++, clang++
        ("expected \u2018;\u2019 before \u2018rb\u2019", "expected ';' after expression"),  # gcc quotes the next token
    ],
)
def test_one_diagnostic_through_gcc_and_clang_is_one_key(gcc: str, clang: str) -> None:
    a = signature(Failure(FailureKind.COMPILE, "gcc", gcc, file="src/ringbuf.c", line=12))
    b = signature(Failure(FailureKind.COMPILE, "clang", clang, file="src/ringbuf.c", line=12))
    assert a.key == b.key


def test_the_same_diagnostic_about_another_name_is_another_key() -> None:
    a = signature(
        Failure(
            FailureKind.COMPILE, "gcc", "\u2018head\u2019 undeclared (first use in this function)", file="src/ringbuf.c"
        )
    )
    b = signature(
        Failure(FailureKind.COMPILE, "clang", "use of undeclared identifier 'capacity'", file="src/ringbuf.c")
    )
    assert a.scope != b.scope


def test_phpunit_testdox_and_its_default_output_read_one_actual_value() -> None:
    """``--testdox`` names the test by its sentence and boxes its lines; the default output numbers it."""
    testdox = [
        "Money",
        " \u2718 Add sums cents",
        "   \u2502",
        "   \u2502 Failed asserting that -200 is identical to 700.",
        "   \u2502",
        " \u2718 Format pads cents",
        "   \u2502",
        "   \u2502 Failed asserting that two strings are identical.",
        "   \u2502 --- Expected",
        "   \u2502 +++ Actual",
        "   \u2502 @@ @@",
        "   \u2502 -'EUR 12.05'",
        "   \u2502 +'EUR 12.5'",
        "   \u2502",
    ]
    message = "Failed asserting that two strings are identical."
    boxed = failed_test("phpunit", "MoneyTest::testFormatPadsCents", message, testdox)
    assert boxed.key == phpunit("'EUR 12.5'").key
    assert boxed.key != phpunit("'EUR 12,05'").key


def test_a_testdox_summary_repeating_the_diff_reads_the_diff_once() -> None:
    """``--testdox`` lists the failure again under "Summary of non-successful tests", with the same diff: what the
    assertion got is the first diff's added lines, not both diffs' (the verbose run and the default one agree)."""
    box = [
        "   \u2502 Failed asserting that two strings are identical.",
        "   \u2502 --- Expected",
        "   \u2502 +++ Actual",
        "   \u2502 @@ @@",
        "   \u2502 -'EUR 12.05'",
        "   \u2502 +'EUR 12.5'",
        "   \u2502",
        "   \u2502 /home/runner/work/php-money/php-money/tests/MoneyTest.php:23",
        "   \u2502",
    ]
    lines = ["Money", " \u2718 Format pads cents", *box, "", "Summary of non-successful tests:", "", "Money"]
    lines += [" \u2718 Format pads cents", *box]
    message = "Failed asserting that two strings are identical."
    verbose = failed_test("phpunit", "MoneyTest::testFormatPadsCents", message, lines)
    assert verbose.key == phpunit("'EUR 12.5'").key


def test_another_tests_short_summary_line_lends_it_nothing() -> None:
    """pytest's short summary (``FAILED id - message``) follows the last test's section: the assertion another
    test printed there is not what this one got."""
    lines = [
        "___________________________ test_parse_price ___________________________",
        "",
        "    def test_parse_price() -> None:",
        '>       assert parse_price(" $4.20 ") == Decimal("4.20")',
        "E       decimal.InvalidOperation: [<class 'decimal.ConversionSyntax'>]",
        "",
        "src/inventory/pricing.py:25: InvalidOperation",
        "======================== short test summary info ========================",
        "FAILED tests/test_pricing.py::test_line_total[0.125-3-0.38] - AssertionError: assert Decimal('0.37') == "
        "Decimal('0.38')",
        "FAILED tests/test_pricing.py::test_parse_price - decimal.InvalidOperation: [<class "
        "'decimal.ConversionSyntax'>]",
    ]
    message = "decimal.InvalidOperation: [<class 'decimal.ConversionSyntax'>]"
    failure = Failure(FailureKind.TEST, "pytest", message, test_id="tests/test_pricing.py::test_parse_price")
    assert actual_value(failure, "\n".join(lines)) is None


@pytest.mark.parametrize(
    ("tty", "gcc"),
    [
        (
            "SC2086 (info): Double quote to prevent globbing and word splitting.",
            "Double quote to prevent globbing and word splitting. [SC2086]",
        ),
        (
            "SC2034 (warning): archve appears unused. Verify use (or export if used externally).",
            "archve appears unused. Verify use (or export if used externally). [SC2034]",
        ),
    ],
)
def test_shellcheck_tty_and_gcc_formats_are_one_key(tty: str, gcc: str) -> None:
    """shellcheck prints its rule code before the message (tty) or after it (``-f gcc``): one fault either way."""
    a = signature(Failure(FailureKind.LINT, "shellcheck", tty, file="scripts/lib.sh", line=8))
    b = signature(Failure(FailureKind.LINT, "shellcheck", gcc, file="scripts/lib.sh", line=11))
    assert a.key == b.key


def test_ruff_full_and_github_formats_are_one_key() -> None:
    """ruff's ``--output-format=full`` heads a diagnostic with its code; ``github`` (and ``concise``) print the code
    apart from the message: one message, one key."""

    def log(lines: list[str]) -> bytes:
        return "\n".join(STAMP + x for x in lines).encode()

    github = analyze_bytes(
        log(
            [
                "##[group]Run ruff check --output-format=github .",
                "##[endgroup]",
                "##[error]src/inventory/stock.py:18:9: F841 Local variable `previous` is assigned to but never used",
                "##[error]Process completed with exit code 1.",
            ]
        )
    ).failures
    full = analyze_bytes(
        log(
            [
                "##[group]Run ruff check --output-format=full .",
                "##[endgroup]",
                "F841 Local variable `previous` is assigned to but never used",
                "  --> src/inventory/stock.py:18:9",
                "   |",
                "17 |     def remove(self, sku: str, quantity: int) -> None:",
                "18 |         previous = self.levels",
                "   |         ^^^^^^^^",
                "   |",
                "Found 1 error.",
                "##[error]Process completed with exit code 1.",
            ]
        )
    ).failures
    assert [signature(f).key for f in github] == [signature(f).key for f in full]
    assert len(github) == 1


def test_a_syntax_error_missing_another_token_is_another_key() -> None:
    semicolon = signature(
        Failure(FailureKind.COMPILE, "gcc", "expected \u2018;\u2019 before \u2018rb\u2019", file="a.c")
    )
    paren = signature(Failure(FailureKind.COMPILE, "gcc", "expected \u2018)\u2019 before \u2018rb\u2019", file="a.c"))
    assert semicolon.key != paren.key


# --- a lint rule that names nothing: its column ------------------------------------------------------------------


def yamllint(line: int, column: int, *, parsable: bool = False) -> FailureSignature:
    """yamllint's truthy rule, as its github format (``--format github``, under a ``##[group]FILE`` heading) or its
    parsable format prints it."""
    message = "truthy value should be one of [false, true] (truthy)"
    printed = (
        f"config/deploy.yaml:{line}:{column}: [warning] truthy value should be one of [false, true] (truthy)"
        if parsable
        else f"##[warning]{line}:{column} [truthy] truthy value should be one of [false, true]"
    )
    detail = ["##[group]config/deploy.yaml", printed, "##[endgroup]"]
    failure = Failure(FailureKind.LINT, "yamllint", message, file="config/deploy.yaml", line=line)
    return signature(failure, detail="\n".join(detail))


def test_a_nameless_lint_rule_at_two_places_of_one_file_is_two_keys() -> None:
    """``truthy value ...`` names no key: the column (where the value starts) tells two keys apart; the line, which
    moves with every edit above, never counts."""
    assert yamllint(9, 8).key != yamllint(12, 10).key
    assert yamllint(9, 8).key == yamllint(12, 8).key  # lines added above
    assert yamllint(9, 8).key == yamllint(9, 8, parsable=True).key  # the other output format


def test_a_named_lint_diagnostic_keeps_no_column() -> None:
    """A rule code or a quoted name is the identity: the column of a code's diagnostic is not part of it."""
    detail = "scripts/lib.sh:8:15: note: Double quote to prevent globbing and word splitting. [SC2086]"
    message = "Double quote to prevent globbing and word splitting. [SC2086]"
    failure = Failure(FailureKind.LINT, "shellcheck", message, file="scripts/lib.sh", line=8)
    assert not any(i.startswith("column:") for i in signature(failure, detail=detail).identifiers)
