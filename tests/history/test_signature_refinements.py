"""What the log prints about the faulting code itself refines a failure's identity (issue 17): the offending
source line under a compiler's or linter's diagnostic, the frame that threw a test's exception, the assertion that
failed. On real tool output (``cases/make_refinements.sh``): the same message at two places is two faults, the
fault moved down by an edit above it is one, and a log that does not print the code is compatible with either."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.engine import analyze_bytes
from analysis.signature import FailureSignature, conflicting, diff_range, signature
from analysis.source_line import mask_code
from analysis.types import Failure, FailureKind
from githubapp.pipeline.assemble import excerpt_lines
from githubapp.pipeline.locate import section
from githubapp.pipeline.logwork import log_lines

CASES = Path(__file__).parent / "cases"


def refined(name: str) -> FailureSignature:
    """The first specific failure's signature, with its excerpt made as the pipeline makes it."""
    data = (CASES / f"{name}.log").read_bytes()
    analysis = analyze_bytes(data)
    lines = log_lines(data)
    for failure in analysis.failures:
        found = section(lines, failure)
        around = found.lines if found else diff_range(lines, failure)
        sig = signature(failure, detail="\n".join(excerpt_lines(lines, failure, analysis, around=around)))
        if not sig.generic:
            return sig
    raise AssertionError(f"{name}: no specific failure")


CASE_ROLES = [
    ("rustc", "code"),  # mismatched types in two functions
    ("gcc", "code"),  # expected ';' in two functions
    ("javac", "code"),  # cannot find symbol in two methods
    ("flake8", "code"),  # E225 in two functions (--show-source)
    ("surefire-npe", "thrown"),  # one test, an NPE thrown in two methods
    ("pytest-keyerror", "thrown"),  # one test, a KeyError raised in two functions
    ("node-typeerror", "thrown"),  # one test, a TypeError thrown in two functions
    ("ctest-gtest", "asserted"),  # two EXPECT_EQ of one googletest test under CTest
    ("ctest-catch2", "asserted"),  # two REQUIREs of one Catch2 test case under CTest
    ("prove-unnamed", "asserted"),  # two unnamed Test::More assertions of one .t file
    ("prove-died", "asserted"),  # a script dying with one message in its first or its second assertion
]


@pytest.mark.parametrize(("case", "role"), CASE_ROLES)
def test_two_faults_that_read_alike_are_told_apart_by_their_code(case: str, role: str) -> None:
    a, b = refined(f"{case}-a"), refined(f"{case}-b")
    assert any(r.startswith(role + ":") for r in a.refinements), a.refinements
    assert a.key != b.key
    assert conflicting(a.refinements, b.refinements)
    assert not a.compatible(b)


@pytest.mark.parametrize(("case", "role"), CASE_ROLES)
def test_a_fault_moved_by_edits_above_it_keeps_its_identity(case: str, role: str) -> None:
    a, moved = refined(f"{case}-a"), refined(f"{case}-a-shifted")
    assert a.compatible(moved) and a.base_key == moved.base_key
    if case != "pytest-keyerror":  # --tb=short there: no "> statement" line, the thrown frame alone
        assert a.key == moved.key and a.refinements == moved.refinements


def test_the_line_number_is_never_part_of_the_code() -> None:
    a, moved = refined("rustc-a"), refined("rustc-a-shifted")
    assert a.refinements == ("code:let scale: u32 = <Q>;",) == moved.refinements


def test_a_log_that_prints_no_code_is_compatible_with_either_place() -> None:
    """flake8 without --show-source names the same fault with no code: one base key, no conflict."""
    plain, a, b = refined("flake8-a-plain"), refined("flake8-a"), refined("flake8-b")
    assert plain.refinements == ()
    assert plain.key == plain.base_key == a.base_key == b.base_key
    assert plain.compatible(a) and plain.compatible(b)


def test_code_is_read_only_where_the_log_prints_it_for_the_failures_place() -> None:
    """A snippet printed for another line (a note, another error) is not the failure's code."""
    detail = "\n".join(
        [
            "src/ring.c:9:5: error: expected ';' before 'return'",
            "    9 |     b[0] = v",
            "      |             ^",
            "src/ring.c:20:5: note: declared here",
            "   20 | int pop(int *b)",
        ]
    )
    at_9 = Failure(FailureKind.COMPILE, "gcc", "expected ';' before 'return'", file="src/ring.c", line=9)
    at_20 = Failure(FailureKind.COMPILE, "gcc", "expected ';' before 'return'", file="src/ring.c", line=20)
    elsewhere = Failure(FailureKind.COMPILE, "gcc", "expected ';' before 'return'", file="src/ring.c", line=30)
    assert signature(at_9, detail=detail).refinements == ("code:b[<N>] = v",)
    assert signature(at_20, detail=detail).refinements == ("code:int pop(int *b)",)
    assert signature(elsewhere, detail=detail).refinements == ()


@pytest.mark.parametrize(
    ("file", "line", "lines", "code"),
    [
        # javac, clang without line numbers: the line under the diagnostic, then its caret
        (
            "Invoice.java",
            3,
            ["Invoice.java:3: error: cannot find symbol", "    int n = items.size();", "       ^"],
            None,
        ),
        # mypy --pretty
        (
            "a.py",
            4,
            ["a.py:4: error: Incompatible types in assignment  [assignment]", '    x: int = "a"', "    ^~~"],
            None,
        ),
        # tsc --pretty: a blank line, the numbered line, its tildes
        (
            "src/a.ts",
            7,
            ["src/a.ts:7:7 - error TS2322: Type 'string'.", "", "7 const x: number = 'a';", "  ~"],
            "const x: number = <Q>;",
        ),
        # shellcheck's tty format
        (
            "deploy.sh",
            5,
            ["In deploy.sh line 5:", "cd $DIR", "   ^--^ SC2086 (info): Double quote to prevent globbing."],
            None,
        ),
        # Elixir 1.15+: the snippet above its location
        (
            "lib/shelf.ex",
            3,
            [
                'error: undefined variable "totl"',
                "    \u2502",
                "  3 \u2502     totl + 1",
                "    \u2502     ^^^^",
                "    \u2502",
                "    \u2514\u2500 lib/shelf.ex:3:5: Shelf.total/1",
            ],
            "totl + <N>",
        ),
    ],
)
def test_each_documented_snippet_format_is_read(file: str, line: int, lines: list[str], code: str | None) -> None:
    failure = Failure(FailureKind.LINT, "tool", "message", file=file, line=line)
    expected = code if code is not None else mask_code(lines[1])
    assert signature(failure, detail="\n".join(lines)).refinements == ("code:" + expected,)


def test_a_data_change_inside_a_literal_keeps_the_code() -> None:
    assert mask_code('    let w: u32 = "10";') == mask_code('let w: u32   = "20";') == "let w: u32 = <Q>;"


def _replayed(capsys: pytest.CaptureFixture[str], *names: str) -> list[int]:
    """Each log's first specific failure's pattern, replayed in order through the real service and database."""
    from githubapp.cli.main import main

    assert main(["replay", "--json", *(str(CASES / f"{n}.log") for n in names)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return [next(f["pattern_id"] for f in o["failures"] if not f["signature"]["generic"]) for o in out]


def test_history_joins_a_log_without_code_and_keeps_two_codes_apart(capsys: pytest.CaptureFixture[str]) -> None:
    """The fault logged first without its code, then with it, is one pattern (which learns the code); the same
    message at another place, its code printed, is not (by key or by similarity)."""
    plain, a, moved, b, plain_again = _replayed(
        capsys, "flake8-a-plain", "flake8-a", "flake8-a-shifted", "flake8-b", "flake8-a-plain"
    )
    assert plain == a == moved == plain_again
    assert b != a


def test_history_keeps_two_throw_sites_of_one_test_apart(capsys: pytest.CaptureFixture[str]) -> None:
    a, b, moved = _replayed(capsys, "surefire-npe-a", "surefire-npe-b", "surefire-npe-a-shifted")
    assert a == moved and b != a


# Documented stack formats of runtimes not installed here (constructed, one per format): the innermost frame of the
# repository's code, innermost first (Go, Ruby, PHP, Rust, Elixir) or last (Python).
W = "/home/runner/work/app/app/"
STACKS = {
    "go": [
        "--- FAIL: TestAllow (0.00s)",
        "panic: runtime error: index out of range [3] with length 3 [recovered]",
        "goroutine 7 [running]:",
        "testing.tRunner.func1.2({0x5a1b20, 0xc000014150})",
        "\t/opt/hostedtoolcache/go/1.22.1/x64/src/testing/testing.go:1631 +0x24a",
        "github.com/acme/rl.(*Limiter).{func}(...)",
        f"\t{W}limiter.go:{{line}} +0x1d",
        "github.com/acme/rl.TestAllow(0xc0000a6820)",
        f"\t{W}limiter_test.go:12 +0x45",
    ],
    "ruby": [
        "  1) Error:",
        "TallyTest#test_add:",
        "NoMethodError: undefined method `+' for nil",
        f"    {W}lib/tally.rb:{{line}}:in '{{func}}'",
        f"    {W}test/tally_test.rb:8:in 'test_add'",
    ],
    "php": [
        "PHP Fatal error:  Uncaught TypeError: Acme\\Version::parse(): Argument #1 must be of type string",
        "Stack trace:",
        f"#0 {W}src/Version.php({{line}}): Acme\\Version->{{func}}(NULL)",
        f"#1 {W}tests/VersionTest.php(14): Acme\\Version->bump()",
        "#2 {main}",
    ],
    "rust": [
        "---- tests::area stdout ----",
        "thread 'tests::area' panicked at src/grid.rs:40:9:",
        "called `Option::unwrap()` on a `None` value",
        "stack backtrace:",
        "   0: rust_begin_unwind",
        "             at /rustc/abc/library/std/src/panicking.rs:652:5",
        "   1: floorplan::grid::{func}",
        "             at ./src/grid.rs:{line}:21",
        "   2: floorplan::tests::area",
        "             at ./src/lib.rs:30:9",
    ],
}


@pytest.mark.parametrize("runtime", sorted(STACKS))
def test_the_throwing_frame_is_read_from_each_documented_stack(runtime: str) -> None:
    from analysis.throw_site import thrown_identifiers

    def thrown(func: str, line: int) -> tuple[str, ...]:
        lines = [x.replace("{func}", func).replace("{line}", str(line)) for x in STACKS[runtime]]
        return thrown_identifiers("TypeError", lines)

    first = thrown("widen", 12)
    assert first and first[0].startswith("thrown:") and "widen" in first[0]
    assert thrown("widen", 19) == first  # moved by an edit above it
    assert thrown("narrow", 12) != first  # another function of the same file
    assert thrown_identifiers("AssertionFailedError", STACKS[runtime]) == ()  # an assertion's own site is the test's


def test_the_name_a_diagnostic_names_is_masked_in_its_code() -> None:
    """javac's typo retyped another way (``prise()``, then ``cost()``) is one fault at one place: the name the
    diagnostic names (its ``symbol:`` line, its message's words) is masked in the code; the code around it stays."""

    def javac(typo: str, statement: str) -> FailureSignature:
        detail = "\n".join(
            [
                "Invoice.java:12: error: cannot find symbol",
                f"            {statement.format(typo)}",
                "                           ^",
                f"  symbol:   method {typo}()",
                "  location: variable item of type LineItem",
            ]
        )
        failure = Failure(FailureKind.COMPILE, "javac", "cannot find symbol", file="Invoice.java", line=12)
        return signature(failure, detail=detail)

    prise = javac("prise", "sum += item.{}() * item.quantity();")
    assert prise.refinements == ("code:sum += item.<S>() * item.quantity();",)
    assert javac("cost", "sum += item.{}() * item.quantity();").key == prise.key
    assert javac("prise", "return item.{}();").key != prise.key


def test_a_typo_known_by_its_place_is_one_fault_however_it_is_retyped() -> None:
    """rustc's ``cannot find value `totl``` then ``tota`` in one function at one line: the name the diagnostic
    quotes is the typo; the function the source says it is in and the offending line (the name masked) are the
    place. The same typo in another function, or on another line, is another fault; without the function (no
    source), the name stays in the identity."""

    def rustc(typo: str, statement: str, symbol: str | None = "Ledger.total") -> FailureSignature:
        detail = "\n".join(
            [
                f"error[E0425]: cannot find value `{typo}` in this scope",
                "  --> src/ledger.rs:30:9",
                "   |",
                f"30 |         {statement.format(typo)}",
                "   |         ^^^^ help: a local variable with a similar name exists: `total`",
            ]
        )
        message = f"cannot find value `{typo}` in this scope"
        failure = Failure(FailureKind.COMPILE, "rustc", message, file="src/ledger.rs", line=30)
        return signature(failure, detail=detail, symbol=symbol)

    totl = rustc("totl", "{} + amount")
    assert totl.key == rustc("tota", "{} + amount").key
    assert not [i for i in totl.identifiers if i.startswith("symbol:")]
    assert rustc("totl", "{} + amount", symbol="Ledger.balance").key != totl.key  # another function
    assert rustc("totl", "{} - fee").key != totl.key  # another line of it
    assert rustc("totl", "{} + amount", symbol=None).key != rustc("tota", "{} + amount", symbol=None).key


@pytest.mark.parametrize(
    ("tool", "message", "code"),
    [
        ("go", "undefined: {}", "cfg.Timeout = {}"),  # go build names it unquoted; the line from the source
        ("elixirc", "undefined function {}/1 (expected Shelf to define such a function)", "Enum.map(items, &{}/1)"),
    ],
)
def test_an_unquoted_typo_known_by_its_place_is_one_fault(tool: str, message: str, code: str) -> None:
    def sig(typo: str, symbol: str = "Parse") -> FailureSignature:
        failure = Failure(FailureKind.COMPILE, tool, message.format(typo), file="src/config.x", line=47)
        return signature(failure, symbol=symbol, code_line=code.format(typo))

    assert sig("dur").key == sig("timeout").key
    assert sig("dur").key != sig("dur", symbol="Load").key


@pytest.mark.parametrize(
    ("message", "lines", "expected"),
    [
        ("org.opentest4j.AssertionFailedError: expected: <3.8> but was: <3.79>", [], "3.8"),
        ("matrix_test.cpp:12: FAIL: expected 4, got 5", [], "4"),  # a CTest program's own check
        ("Add(2, 2) = 5, want 4", [], "4"),  # Go's testing convention
        ("expect(received).toBe(expected) // Object.is equality", ["", "Expected: 90", "Received: 81"], "90"),
        ("got: 'a;b'", ["#          got: 'a;b'", "#     expected: 'a,b'"], "'a,b'"),  # Test::More
        ("Assertion with == failed", ["code:  assert add(2, 2) == 4", "left:  5", "right: 4"], "4"),  # ExUnit
    ],
)
def test_what_an_assertion_expected_is_read_from_each_runners_form(
    message: str, lines: list[str], expected: str
) -> None:
    """The expected value is the test's own: two assertions of one test differ by it, while the code under test
    returning another wrong value (a ``--data`` recurrence) changes only the actual one."""
    from analysis.assertion_site import expected_identifiers

    assert expected_identifiers(message, lines) == ("expected:" + expected,)
    other = [x.replace(expected, expected + "0") for x in lines]
    assert expected_identifiers(message.replace(expected, expected + "0"), other) != ("expected:" + expected,)


def test_an_assertion_is_told_apart_within_one_test_and_kept_when_its_value_changes() -> None:
    def junit(expected: str, actual: str) -> FailureSignature:
        message = f"org.opentest4j.AssertionFailedError: expected: <{expected}> but was: <{actual}>"
        return signature(
            Failure(FailureKind.TEST, "junit5", message, test_id="com.acme.ShippingTest.cost"), detail=message
        )

    assert conflicting(junit("3.8", "3.79").refinements, junit("25.5", "3.79").refinements)
    assert junit("3.8", "3.79").refinements == junit("3.8", "4.0").refinements == ("expected:3.8",)


def test_a_format_string_is_code_other_literals_are_data() -> None:
    # a printf template is the code's own text (what go vet's printf check judges); a plain literal is data, and so
    # is a brace template, which interpolates data (``${x}``, ``#{x}``, f-strings) more often than it is checked
    assert mask_code('return fmt.Errorf("bad port %d", value)') == 'return fmt.Errorf("bad port %d", value)'
    assert mask_code('log.Printf("took %8d ms", t)') == 'log.Printf("took %8d ms", t)'  # a verb's width is its own
    assert mask_code('echo "deploying ${version} to {region}"') == "echo <Q>"
    assert mask_code('raise ValueError(f"bad port {port}")') == mask_code('raise ValueError(f"bad host {host}")')
    assert mask_code('fmt.Errorf("bad port %d", v)') != mask_code('fmt.Errorf("bad timeout %d", v)')
    assert mask_code('name = "port 8080"') == "name = <Q>"


def test_the_repositorys_line_is_the_code_a_log_that_prints_it_gives() -> None:
    """A tool that prints no code (go vet) takes the line from the repository's file, masked alike: the same
    ``code:`` as a log that prints it, and the log's own snippet wins when it has one."""
    failure = Failure(FailureKind.LINT, "flake8", "E225 missing whitespace around operator", file="app/x.py", line=3)
    printed = "\n".join(["app/x.py:3:10: E225 missing whitespace around operator", "    total=price * 2", "         ^"])
    from_log = signature(failure, detail=printed)
    from_source = signature(failure, code_line="\ttotal=price * 2  ")
    assert from_log.refinements == from_source.refinements == ("code:total=price * <N>",)
    assert from_log.key == from_source.key
    assert signature(failure, detail=printed, code_line="other = 1").refinements == from_log.refinements
    assert signature(failure).refinements == ()
    # a test's failure is its test, never a line of code
    test = Failure(FailureKind.TEST, "pytest", "assert 1 == 2", test_id="t.py::test_x", file="t.py", line=3)
    assert signature(test, code_line="assert total == 2").refinements == ()
