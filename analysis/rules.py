"""Rule tables: which log lines explain a failure, in the tools' real output formats.

Shaped like Treeherder's log parser: exclusions are checked first, then rules in table order; the first
rule that matches a line wins. The rules are grouped by ecosystem (``PYTEST``, ``GO``, ``JVM``, ...) and
``RULES`` at the end states the groups' priority order, in one place. Every rule names the lowercase
``needles`` of which at least one must occur in the raw line, so the scanner runs a rule's regex only on the
few lines one multi-needle pass picked.

Patterns run on a cleaned line (no colours or timestamps, leading indentation kept). Named groups fill the
Failure: ``test``, ``file``, ``line``, ``msg``, ``code``, ``cmd``.

A rule describes itself: keyword arguments, and what the scanner does with its lines beyond its role as
flags (``verdict``, ``locates``, ``opens_alone``...) and hooks (``refine``, ``describe``, in
``analysis/refine.py``), so the scanner does not branch on rule names.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import Enum
from typing import Any

import ahocorasick

from . import refine as hooks
from .refine import Describe, Join, Refine
from .regex import IGNORECASE, LinearPattern, compile_linear
from .types import FailureKind as K


class Role(Enum):
    FAILURE = "failure"  # opens a failure: a failing test, a compiler/linter error, a crash
    DETAIL = "detail"  # explains the open failure: assertion, exception, expected/received
    LOCATION = "location"  # file:line of the open failure
    SUMMARY = "summary"  # the tool's own tally ("2 failed, 10 passed")
    EXIT = "exit"  # a command or the job ending with a non-zero status
    HINT = "hint"  # what to run to fix it ("please run prettier")
    GENERIC = "generic"  # any other error-looking line (fallback)
    STEP = "step"  # a step or command boundary (##[group]Run, Travis "$ cmd")
    DOCKER_STEP = "docker_step"  # a BuildKit step header "#12 [stage 2/5] RUN ..."
    COMMAND = "command"  # a command echoed inside a step ("> jest --ci" from npm): names the tool
    FRAME = "frame"  # one frame of a stack trace or traceback: where the open failure's code ran


class TestLog(Enum):
    """Which test a detail printed before its test's fail line belongs to (``go test``)."""

    RUNNING = "running"  # the test an "=== RUN" line started (-v), when one runs
    NAMED = "named"  # the test its ``test`` group names (-json's output events)


class Record(Enum):
    """What a line that says nothing wrong tells the scanner to remember for the lines after it."""

    LINK_SECTION = "link_section"  # awesome_bot's "> White listed" / "> Links" heading the link lines below
    DIFF_HUNK = "diff_hunk"  # a unified diff's hunk: the first line a formatter would change
    REQUIREMENT_SOURCE = "requirement_source"  # pip: the requirements file's line a package came from
    MIX_APP = "mix_app"  # mix compiled this application: the project's own
    GO_TEST_RUN = "go_test_run"  # go test -v: the test whose log the lines below are


@dataclass(frozen=True, eq=False)  # each rule is one object: identity is equality, and a cache key hashes fast
class Rule:
    name: str
    tool: str
    role: Role
    kind: K | None
    score: int
    pattern: LinearPattern
    needles: tuple[str, ...]
    after: int = 0  # lines after the anchor that belong to it (assertion bodies, code frames)
    before: int = 0
    unless: LinearPattern | None = None
    weak: bool = False  # its failure only stands when nothing more specific was found in the log
    starts: tuple[str, ...] = ()  # the line, indentation aside, starts with one of these: checked before the regex
    # How the scanner treats the rule's lines beyond its role: stated here so the scanner never asks for a name.
    verdict: bool = False  # EXIT: the runner's own word that a step failed
    says_why: bool = True  # DETAIL: its text can be the failure's message (not a heading like "Traceback")
    locates: bool = False  # DETAIL: its file:line is also a frame of the failure's stack
    innermost_last: bool = False  # its file:line or frames come outermost first (Python's order)
    jvm_class: bool = False  # FRAME: the file is found from the frame's class name (``jvm_path``)
    whole_line: bool = False  # DETAIL: the whole line is the message ("TypeError: x"), not just ``msg``
    names_tool: str | None = None  # DETAIL: under a numbered failure list, the tool that prints it
    opens_alone: K | None = None  # DETAIL with no failure open: opens one (this kind unless its words say)
    waits_for_test: bool = False  # DETAIL with no failure open: kept for the test named just after it
    one_per_line: bool = False  # a linter's problem: the same check on two lines is two problems
    kind_from_message: bool = False  # FAILURE: its words say the kind better than ``kind``
    heading: bool = False  # FAILURE: its text never says why ("Failed"): the first detail does
    file_from_heading: bool = False  # FAILURE: the file is the path printed alone above the problems
    heads_test_file: bool = False  # "FAIL file": the test file of the failing tests listed below it
    under_test_file: bool = False  # a failing test whose file is the "FAIL file" heading above it
    message: str | None = None  # FAILURE: a fixed message (the line itself says nothing a developer reads)
    under_tool: str | None = None  # a detail only of this tool's open failure (another tool's margin otherwise)
    in_ctest_output: bool = False  # DETAIL only in a failed CTest test's output (a compiler note elsewhere)
    starts_trace: bool = False  # DETAIL: a new stack trace starts ("Traceback ..."): its frames are one block
    project_apps_only: bool = False  # FRAME: kept only in an application mix compiled (the project's own)
    names_docker_step: bool = False  # DETAIL: "#12 ERROR: ...": BuildKit's step #12 is evidence
    crash_names_test: bool = False  # FAILURE: the crash's innermost test function is the failing test
    # a failing test whose panic locates it: assert!/assert_eq! panic where the test asserted (Rust)
    asserts_where_tested: bool = False
    refine: Refine | None = None  # FAILURE: reads what the format says beyond the line (``analysis.refine``)
    describe: Describe | None = None  # DETAIL: its message read on from the line (``analysis.refine``)
    joins: Join | None = None  # DETAIL: how its message joins the open failure's (``analysis.refine``)
    records: Record | None = None  # its line is remembered for later lines, nothing more
    white_listed_passes: bool = False  # awesome_bot's link: under "> White listed" it may fail
    # the tools that print this format: the words of the command that ran say which (``TOOL_ALTERNATIVES``)
    tools: tuple[str, ...] = ()
    # What a rule's line does with the scanner's memory of earlier lines (the open failure, what it kept):
    chains_causes: bool = False  # DETAIL: a "Caused by:" line starts a new stack trace (a chained cause)
    rust_func_above: bool = False  # FRAME: a Rust backtrace's "at src/x.rs:N" names its function the line above
    invocation_above: bool = False  # FAILURE: the display name above numbers a parametrized invocation ("[2]")
    class_colons: bool = False  # FAILURE: its test id is "Class::method" (PHPUnit), not "Class.method"
    output_below: bool = False  # FAILURE: a failed CTest test: what it printed right below is its detail
    detail_in_output: bool = False  # FAILURE: in an ``output_below`` test's output, that test's detail instead
    line_from_diff: bool = False  # FAILURE: a formatter's "would reformat F": the first line its printed diff changes
    takes_panic: bool = False  # FAILURE: a test heading whose panic, printed right below, is its message
    panic_of_test: bool = False  # FAILURE: a panic: the message of a ``takes_panic`` test just above, if open
    located_below: bool = False  # FAILURE: a location line right below it (``locates_above``) gives its file:line
    locates_above: bool = False  # FAILURE: "--> file:line": locates the ``located_below`` failure above, else
    # opens one for the code heading above it (ruff's full format)
    from_requirements: bool = False  # FAILURE: at the requirements file's line its package came from (pip)
    testdox_title: bool = False  # FAILURE: under PHPUnit's --testdox, "✘ Title" names ClassTest::testTitle
    test_below: Rule | None = None  # FAILURE: only a heading: the line below, matching this rule, names the test
    finds_docker_step: bool = False  # FAILURE: the BuildKit step whose command failed is evidence
    test_log: TestLog | None = None  # DETAIL: kept for the test it belongs to, whose fail line comes later
    adopts_test_log: bool = False  # FAILURE: what ``test_log`` details kept for its test is its detail
    kept_for_summary: bool = False  # LOCATION with no failure open: kept for the summary line repeating its text
    adopts_kept_location: bool = False  # FAILURE: a ``kept_for_summary`` location with its message is its frame
    numbered: bool = False  # FAILURE: an "N) title" list entry; a later "N)" entry is the same failure
    repeated_by_file: bool = False  # FAILURE: a file's collection error: a later test id naming the file repeats it
    keeps_merged_id: bool = False  # FAILURE: merged into a test reported before, it keeps that report's id
    names_merged_tool: bool = False  # FAILURE: merged into a test reported before, its tool names the failure
    script_died: bool = False  # DETAIL: a test script died: a failure of the script the harness names below
    # FAILURE: the test it is about is the one running (go test: -v's last "=== RUN", 1.21's "running tests:")
    names_running_test: bool = False
    takes_over_test_log: bool = False  # DETAIL kept for a test: replaces what it logged before (a panic ends it)
    # FAILURE: a subtest's failures are printed indented under it, then its own at the outer indent (Test::More)
    subtests_indented: bool = False
    yields_to: str | None = None  # FAILURE: a plain one is dropped where this tool reported failures in its step


# Tools that print the same format, by the tool a rule's name gives: the command that ran tells them apart.
TOOL_ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "ruff": ("flake8", "ruff", "pycodestyle", "pyflakes"),
    "gcc": ("clang", "gcc", "g++", "cc", "javac", "swiftc", "nvcc"),
    "jest": ("vitest", "jest", "xcodebuild", "xcpretty", "swift test"),  # xcpretty marks XCTest failures "✗" too
    "black": ("black", "ruff"),
    "numbered": ("playwright", "mocha", "rspec", "phpunit", "karma", "jasmine", "mix test"),
    "annotation": (
        *("ruff", "flake8", "pylint", "mypy", "pyright", "eslint", "stylelint", "golangci-lint", "tsc"),
        *("shellcheck", "actionlint", "rubocop", "markdownlint", "hadolint"),
    ),
    "node": ("mocha", "jest", "vitest", "node"),
    "generic": ("pytest", "jest", "mocha", "rspec", "phpunit", "go test", "cargo", "npm", "pnpm", "yarn"),
}


def _r(
    *,
    name: str,
    role: Role,
    kind: K | None,
    score: int,
    pattern: str,
    needles: str | tuple[str, ...],
    after: int = 0,
    before: int = 0,
    unless: str | None = None,
    flags: int = 0,
    weak: bool = False,
    starts: tuple[str, ...] = (),
    **behaviour: Any,  # the Rule's behaviour fields (``verdict``, ``locates``, ...): checked by Rule itself
) -> Rule:
    tool = name.split(".", 1)[0]
    return Rule(
        name=name,
        tool=tool,
        role=role,
        kind=kind,
        score=score,
        pattern=compile_linear(pattern, flags),
        needles=(needles,) if isinstance(needles, str) else needles,
        after=after,
        before=before,
        unless=compile_linear(unless, flags) if unless else None,
        weak=weak,
        starts=starts,
        tools=TOOL_ALTERNATIVES.get(tool, ()),
        **behaviour,
    )


def _line_start(*texts: str, indent: int = 4) -> tuple[str, ...]:
    """Needles for text at the start of a line: after a line break or a runner timestamp (``...Z ``)."""
    prefixes = ("\n", "z ", "m")  # line break, runner timestamp, end of a colour escape
    return tuple(f"{before}{' ' * n}{text}" for text in texts for before in prefixes for n in range(indent + 1))


IGNORE_CASE = IGNORECASE

# Lines that look like errors and are not: tallies of zero, flags, option echoes, file names.
# Lines that only look like errors, each pattern with the lowercase literals one of which it cannot match
# without: a line is tried against a pattern only when one of them occurs (``is_excluded``), which keeps the
# fallback's exclusion check off the profile. Ordered by how often they match real logs.
_EXCLUSION_PARTS: tuple[tuple[tuple[str, ...], str], ...] = (
    # "errors: 0" with no non-zero tally later in the line (``_ZERO_TALLY_LATER`` below)
    ((":0", ": 0", "=0", "= 0"), r"\b(?:errors?|failures?|failed)[:=] ?0(?:[^\w.]|$)"),
    # "0 errors" / "no failures" with no non-zero tally later in the same clause (up to "," or ";")
    (("0 error", "0 fail", "no error", "no fail"), r"\b(?:0|no) (?:errors?|failures?|failed|failing)\b"),
    (
        ("continue-on-error", "fail-fast", "fail_ci_if_error", "if-no-files-found", "ignore-error"),
        r"^(?:continue-on-error|fail-fast|fail_ci_if_error|if-no-files-found|ignore-errors?)\s*:",
    ),
    (
        (
            "##[debug]",
            "##[endgroup]",
            "travis_fold",
            "travis_time",
            "::debug",
            "::notice",
            "::group",
            "::endgroup",
            "::add-mask",
        ),
        r"^\s*(?:##\[(?:debug|endgroup)\]|travis_(?:fold|time)|::(?:debug|notice|group|endgroup|add-mask))",
    ),
    (  # compiler command lines
        ("-werror", "-wno-error", "-c"),
        r"-W(?:no-)?error\b.*\s-[Iowc]\s|\s-c\s+\S+\.c(?:c|pp|xx)?\s+-o\s",
    ),
    (("echo", "printf"), r"^\s*(?:\+\s+)?(?:echo|printf)\s"),
    (  # a test that passed, whatever its name says ("test_error_handling PASSED", "... ok", "✓ panics")
        ("pass", "ok", "✓", "✔", "√"),
        r"^\s*(?:PASS(?:ED)?|ok|✓|✔|√|\[\s*(?:OK|PASSED)\s*\])\s|\sPASSED\b|\s\.\.\.\s+ok$",
    ),
    (
        ("error", "fail"),
        r"(?:error|fail)\w*\.(?:go|py|rs|js|ts|java|c|cc|cpp|h|rb|php|cs|kt|scala|o|class|html|md)\b",
    ),
    (("w: ",), r"^\s*W: "),  # apt's warnings ("W: GPG error: ..."); its errors start with "E: "
    (
        ("with error", "without error", "expected_fail", "expected-fail"),
        r"\bwith(?:out)? errors?\b.*\b(?:ignored|allowed)\b|\bexpected(?:_|-)fail",
    ),
    (
        ("compiling", "downloading", "downloaded", "installing", "collecting", "requirement already", "checking"),
        r"^\s*(?:compiling|downloading|downloaded|installing|collecting|requirement already|checking)\b.*error",
    ),
)
_EXCLUSION_CHECKS = tuple((needles, compile_linear(p, IGNORECASE)) for needles, p in _EXCLUSION_PARTS)
# What undoes the first two exclusions when it follows their match (RE2 has no lookahead: checked apart).
_NONZERO_TALLY = compile_linear(r"\b(?:errors?|failures?|failed)[:=] ?[1-9]", IGNORECASE)
_NONZERO_COUNT = compile_linear(r"\b[1-9]\d* (?:errors?|failures?|failed)", IGNORECASE)


def _zero_tally(pattern: LinearPattern, line: str) -> bool:
    """Some "errors: 0" is not followed by a non-zero tally: the last one decides."""
    found = deque(pattern.finditer(line), maxlen=1)
    return bool(found) and _NONZERO_TALLY.search(line, found[0].end()) is None


def _zero_count(pattern: LinearPattern, line: str) -> bool:
    """Some "0 errors" has no non-zero count after it in its clause: the last one of each clause decides."""
    ends: dict[int, int] = {}
    for found in pattern.finditer(line):
        clause_end = min((i for i in (line.find(",", found.end()), line.find(";", found.end())) if i >= 0), default=-1)
        ends[clause_end if clause_end >= 0 else len(line)] = found.end()
    return any(_NONZERO_COUNT.search(line, start, end) is None for end, start in ends.items())


_EXCLUSION_TESTS = {0: _zero_tally, 1: _zero_count}


def _exclusion_automaton() -> tuple[ahocorasick.Automaton, list[int]]:
    """Every exclusion's needles in one automaton, each with the bits of the exclusions it belongs to."""
    parts: dict[str, int] = {}
    for index, (needles, _) in enumerate(_EXCLUSION_CHECKS):
        for needle in needles:
            parts[needle] = parts.get(needle, 0) | (1 << index)
    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    for number, needle in enumerate(parts):
        automaton.add_word(needle, number)
    automaton.make_automaton()
    return automaton, list(parts.values())


_EXCLUSION_AUTOMATON, _EXCLUSION_NEEDLE_PARTS = _exclusion_automaton()


def is_excluded(line: str) -> bool:
    """Whether any exclusion pattern matches, without running those whose literals are absent (one
    Aho-Corasick pass finds which: 1.5x faster than a substring test per literal, 3x on 700-character lines)."""
    found = 0
    for _, needle in _EXCLUSION_AUTOMATON.iter(line.lower()):
        found |= _EXCLUSION_NEEDLE_PARTS[needle]
    while found:  # in the table's order
        low = found & -found
        found ^= low
        index = low.bit_length() - 1
        pattern = _EXCLUSION_CHECKS[index][1]
        test = _EXCLUSION_TESTS.get(index)
        if (pattern.search(line) is not None) if test is None else test(pattern, line):
            return True
    return False


_PY_EXC = r"(?:[A-Za-z_][\w.]*\.)?[A-Z]\w*(?:Error|Exception|Exit|Interrupt|Warning|Failure|Fault)"
# Package roots of JVM class names (``java.lang.X``, ``org.junit.X``): such an exception line is the JVM's,
# left to ``java.exception`` so the tool (and the pattern text) says java, not python.
_JVM_ROOT = r"(?:java|javax|jdk|kotlin|kotlinx|scala|groovy|org|com|io|net|hudson|jenkins|android|akka)\."
_PATH = r"[^\s:'\"()\[\]]+"

# GitHub Actions runner markers and workflow commands
RUNNER: tuple[Rule, ...] = (
    _r(
        name="actions.step",
        role=Role.STEP,
        kind=None,
        score=0,
        pattern=r"^##\[group\](?P<cmd>Run .*)",
        needles="##[group]run",
    ),
    _r(
        name="actions.timeout",
        role=Role.FAILURE,
        kind=K.TIMEOUT,
        score=98,
        pattern=r"^##\[error\](?P<msg>The job running on runner .* has exceeded the maximum execution time .*)",
        needles="exceeded the maximum",
    ),
    _r(
        name="actions.cancelled",
        role=Role.FAILURE,
        kind=K.INFRA,
        score=80,
        pattern=r"^##\[error\](?P<msg>The operation was canceled\.?)$",
        needles="canceled",
        weak=True,
    ),
    _r(
        name="actions.runner_lost",
        role=Role.FAILURE,
        kind=K.INFRA,
        score=95,
        pattern=r"The runner has received a shutdown signal|lost communication with the server"
        r"|The hosted runner encountered an error|runner \S+ did not connect",
        needles=("shutdown signal", "lost communication", "hosted runner encountered", "did not connect"),
    ),
    _r(
        name="actions.exit",
        role=Role.EXIT,
        kind=None,
        score=70,
        pattern=r"^##\[error\](?P<msg>Process completed with exit code (?P<code>\d+)\.?)",
        needles="exit code",
        before=3,
        verdict=True,
    ),
    _r(
        name="actions.workflow_error",
        role=Role.FAILURE,
        kind=K.UNKNOWN,
        score=90,
        pattern=r"^::error(?: (?P<props>[^:]*))?::(?P<msg>.*)",
        needles="::error",
        refine=hooks.workflow_command,
    ),
    # yamllint's github format (its default under GitHub Actions): "::group::FILE", then per problem
    # "::error file=F,line=L,col=C::L:C [rule] message" (``::warning`` for warnings, no "[rule]" for a syntax
    # error), which the runner shows as "##[error]L:C [rule] message" under a "##[group]FILE" heading
    _r(
        name="yamllint.github",
        role=Role.FAILURE,
        kind=K.LINT,
        score=90,
        pattern=r"^##\[(?P<sev>error|warning)\](?P<line>\d+):\d+ (?:\[(?P<code>[\w-]+)\] )?(?P<msg>\S.*)$",
        needles=("##[error]", "##[warning]"),
        starts=("##[",),
        one_per_line=True,
        refine=hooks.yamllint,
    ),
    # a tool's own GitHub annotation (ruff/flake8 --output-format=github, eslint -f github, ...) as the runner
    # prints it in the log: "##[error]src/pkg/mod.py:15:49: E741 Ambiguous variable name: `l`"
    _r(
        name="annotation.error",
        role=Role.FAILURE,
        kind=K.LINT,
        score=88,
        pattern=r"^##\[error\](?P<file>[^\s:]+\.\w+):(?P<line>\d+)(?::\d+)?: "
        r"(?:(?P<code>[A-Z]{1,4}\d{2,4}) )?(?P<msg>\S.*)$",
        needles="##[error]",
        refine=hooks.annotation,
    ),
    _r(
        name="actions.error",
        role=Role.GENERIC,
        kind=None,
        score=78,
        pattern=r"^##\[error\](?P<msg>.+)",
        needles="##[error]",
    ),
)

# Stack frames (scored 0: they locate a failure, the excerpt keeps them through its anchors)
FRAMES: tuple[Rule, ...] = (
    # Python tracebacks; faulthandler prints "line N in f" without the comma, innermost call first
    _r(
        name="python.frame",
        role=Role.FRAME,
        kind=None,
        score=0,
        pattern=r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+)(?P<sep>,? in )(?P<func>\S+)',
        needles='file "',
    ),
    # pytest's own frames (--tb=long|short): "tests/test_x.py:13: in test_x" and a bare "src/m.py:7: "
    _r(
        name="pytest.frame",
        role=Role.FRAME,
        kind=None,
        score=0,
        pattern=r"^(?P<file>[^\s:'\"()\[\]]+\.py):(?P<line>\d+): (?:in (?P<func>\S+))?\s*$",
        needles=(".py:",),
        innermost_last=True,
    ),
    # JVM: "at com.example.ShapesTest.area(ShapesTest.java:14)" (a module prefix "java.base/" allowed)
    _r(
        name="jvm.frame",
        role=Role.FRAME,
        kind=None,
        score=0,
        pattern=r"^\s*at (?:[\w.-]+(?:@[\w.-]+)?/+)*(?P<cls>[\w$]+(?:\.[\w$]+)*)\.(?P<func>[\w$<>-]+)"
        r"\((?P<file>[\w$-]+\.(?:java|kt|kts|scala|groovy)):(?P<line>\d+)\)",
        needles=(*_line_start("at ", indent=16), "\tat "),
        jvm_class=True,
    ),
    # JUnit Platform console launcher's traces: the frame without "at " ("   com.example.FooTest.m(FooTest.java:21)")
    _r(
        name="junit5.frame",
        role=Role.FRAME,
        kind=None,
        score=0,
        pattern=r"^\s+(?:[\w.-]+(?:@[\w.-]+)?/+)?(?P<cls>[\w$]+(?:\.[\w$]+)+)\.(?P<func>[\w$<>-]+)"
        r"\((?P<file>[\w$-]+\.(?:java|kt|kts|scala|groovy)):(?P<line>\d+)\)\s*$",
        needles=(".java:", ".kt:", ".kts:", ".scala:", ".groovy:"),
        jvm_class=True,
    ),
    # ExUnit's stacktrace, innermost first: "test/foo_test.exs:25: (test)", "lib/foo.ex:13: Foo.total/1"; a
    # module of an application is prefixed "(app 1.2.3) ": the project's own app's frames are the repository's
    # (the scanner knows its name from mix's "Generated app app"), a dependency's or Elixir's never
    _r(
        name="exunit.frame",
        role=Role.FRAME,
        kind=None,
        score=0,
        pattern=r"^\s+(?:\((?P<app>\w+) [\w.+-]+\) )?(?P<file>[\w./-]+\.exs?):(?P<line>\d+): (?P<func>\S.*)$",
        needles=(".ex:", ".exs:"),
        project_apps_only=True,
    ),
    # mix compiled the project's application: "Generated roman app" (an umbrella's apps: "==> roman" first)
    _r(
        name="mix.generated",
        role=Role.COMMAND,
        kind=None,
        score=0,
        pattern=r"^Generated (?P<app>\w+) app\s*$",
        needles="generated ",
        records=Record.MIX_APP,
    ),
    # .NET: "at Ns.CalcTests.Adds() in /home/runner/work/r/r/tests/CalcTests.cs:line 12"
    _r(
        name="dotnet.frame",
        role=Role.FRAME,
        kind=None,
        score=0,
        pattern=r"^\s*at \S.* in (?P<file>\S+?\.(?:cs|fs|vb)):line (?P<line>\d+)\s*$",
        needles=_line_start("at ", indent=16),
    ),
    # node (jest, mocha, vitest's stack, plain node) and Rust backtraces: "at f (path:L:C)", "at path:L:C" (the
    # function, when named, is where a test's exception was thrown: ``analysis.throw_site``)
    _r(
        name="node.frame",
        role=Role.FRAME,
        kind=None,
        score=0,
        pattern=r"^\s*at (?:(?:async |new )?(?P<func>[^()\s][^()]*) \()?(?P<file>[^\s()]+?):(?P<line>\d+)(?::\d+)?"
        r"\)?\s*$",
        needles=(*_line_start("at ", indent=16), "\tat "),
        rust_func_above=True,
    ),
    # Go goroutine dumps: a tab, the file, its line and the frame's offset
    _r(
        name="go.frame",
        role=Role.FRAME,
        kind=None,
        score=0,
        pattern=r"^\s+(?P<file>\S+\.go):(?P<line>\d+)(?: \+0x[0-9a-f]+)?\s*$",
        needles=".go:",
    ),
    # PHPUnit's trace under a failure: the file and line alone, innermost call first (--testdox draws a
    # margin before it: "│ " plain, "╵ " with --colors, "┊ " beside a diff)
    _r(
        name="phpunit.frame",
        role=Role.FRAME,
        kind=None,
        score=0,
        pattern=r"^(?:\s*[│╵┊]\s*)?(?P<file>\S+\.php):(?P<line>\d+)\s*$",
        needles=".php:",
    ),
    # PHP's own stack trace (an uncaught exception's "Stack trace:", debug_print_backtrace), innermost call first:
    # "#0 /w/r/r/src/Money.php(12): Acme\Money->add(Object(Acme\Money))"
    _r(
        name="php.trace_frame",
        role=Role.FRAME,
        kind=None,
        score=0,
        pattern=r"^\s*#\d{1,4} (?P<file>\S+\.php)\((?P<line>\d+)\): (?P<func>[\w\\]+(?:->|::)?\w*)\(",
        needles=(".php(",),
    ),
    # Ruby's backtrace (minitest's "Error:" block, an uncaught exception's "from" lines), innermost call first:
    # "/w/r/r/lib/tally.rb:7:in `add'" (Ruby 3.4: "in 'Tally#add'")
    _r(
        name="ruby.frame",
        role=Role.FRAME,
        kind=None,
        score=0,
        pattern=r"^\s+(?:from )?(?P<file>[^\s:#]+\.rb):(?P<line>\d+):in [`'](?P<func>[^'`]+)'\s*$",
        needles=(".rb:",),
    ),
    # RSpec's backtrace under a failure: "# ./spec/calc_spec.rb:12:in 'block (2 levels) in <top>'"
    _r(
        name="rspec.frame",
        role=Role.FRAME,
        kind=None,
        score=0,
        pattern=r"^\s*# (?P<file>\S+\.rb):(?P<line>\d+)(?::in |\s*$)",
        needles=".rb:",
    ),
)

# Timeouts, kills, crashes, resources
RESOURCES: tuple[Rule, ...] = (
    _r(
        name="travis.stalled",
        role=Role.FAILURE,
        kind=K.TIMEOUT,
        score=96,
        pattern=r"(?P<msg>No output has been received in the last \S+.*"
        r"|The job exceeded the maximum (?:time limit|log length).*)",
        needles=("no output has been received", "exceeded the maximum"),
    ),
    _r(
        name="go.timeout",
        role=Role.FAILURE,
        kind=K.TIMEOUT,
        score=97,
        pattern=r"^panic: (?P<msg>test timed out after \S+)",
        needles="timed out",
        after=2,
        names_running_test=True,
    ),
    _r(
        name="timeout.generic",
        role=Role.FAILURE,
        kind=K.TIMEOUT,
        score=86,
        pattern=r"(?P<msg>(?:Exceeded timeout of \d+ ?ms|Timeout of \d+ms exceeded|Failed: Timeout >[\d.]+s"
        r"|\bTimed? ?out after \d|timed out after \d|\bcontext deadline exceeded|Tests? timed out"
        r"|Timeout \+{3,}).*)",
        needles=("timeout", "timed out", "deadline exceeded", "time out"),
        flags=0,
    ),
    _r(
        name="oom.killed",
        role=Role.FAILURE,
        kind=K.CRASH,
        score=95,
        pattern=r"JavaScript heap out of memory|java\.lang\.OutOfMemoryError|^MemoryError\b"
        r"|Out of memory: Killed process|\bOOMKilled\b|Killed process \d+|^Killed$|signal: killed"
        r"|\bexit(?:ed)? (?:with )?(?:code|status) 137\b|fatal error: runtime: out of memory"
        r"|[Cc]annot allocate memory",
        needles=(
            "out of memory",
            "outofmemory",
            "memoryerror",
            "killed",
            "code 137",
            "status 137",
            "cannot allocate memory",
        ),
    ),
    _r(
        name="crash.segfault",
        role=Role.FAILURE,
        kind=K.CRASH,
        score=95,
        pattern=r"Segmentation fault|SIGSEGV|SIGABRT|SIGBUS|core dumped|Fatal Python error|"
        r"==\d+==\s*ERROR: \w+Sanitizer|Aborted \(core|Abort trap|stack overflow|"
        r"exit(?:ed)? (?:with )?(?:code|status) 139\b",
        needles=(
            "segmentation",
            "sigsegv",
            "sigabrt",
            "sigbus",
            "core dumped",
            "fatal python error",
            "sanitizer",
            "abort",
            "stack overflow",
            "code 139",
            "status 139",
        ),
        after=3,
        # ``mono --version`` lists "SIGSEGV: altstack" (how it handles signals) among its features
        unless=r"\bulimit\b|--disable|-fsanitize|(?i:\bskip)|^\s*SIGSEGV:\s+altstack\s*$",
        crash_names_test=True,
    ),
    _r(
        name="infra.disk",
        role=Role.FAILURE,
        kind=K.INFRA,
        score=95,
        pattern=r"No space left on device|ENOSPC|disk quota exceeded",
        needles=("no space left", "enospc", "disk quota"),
        flags=IGNORE_CASE,
    ),
    _r(
        name="infra.network",
        role=Role.FAILURE,
        kind=K.INFRA,
        score=88,
        pattern=r"(?:Could not resolve host|Temporary failure in name resolution|Name or service not known"
        r"|Connection (?:reset by peer|refused|timed out)|ECONNRESET|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN"
        r"|ENOTFOUND|socket hang up|TLS handshake timeout|Max retries exceeded with url|rate limit exceeded"
        r"|toomanyrequests|502 Bad Gateway|503 Service Unavailable|504 Gateway Time-?out"
        r"|server returned error"
        r"|Bad Gateway|Service Unavailable|The requested URL returned error: 5\d\d"
        r"|unable to access '[^']*': )",
        needles=(
            "resolve host",
            "name resolution",
            "service not known",
            "connection reset",
            "connection refused",
            "connection timed out",
            "econn",
            "etimedout",
            "eai_again",
            "enotfound",
            "hang up",
            "handshake",
            "max retries",
            "rate limit",
            "toomanyrequests",
            "bad gateway",
            "unavailable",
            "gateway time",
            "returned error",
            "unable to access",
        ),
        unless=r"^\s*(?:WARNING|WARN|warn)\b.*Retrying",
    ),
)

# Pytest
PYTEST: tuple[Rule, ...] = (
    _r(
        name="pytest.summary_failed",
        role=Role.FAILURE,
        kind=K.TEST,
        score=96,
        pattern=r"^(?P<sev>FAILED|ERROR) (?P<test>[^\s:]+\.py(?:::[^\s\[]+(?:\[.*?\])?)*)(?: - (?P<msg>.*))?$",
        needles=("failed", "error"),
        starts=("FAILED ", "ERROR "),
        adopts_kept_location=True,
    ),
    _r(
        name="pytest.section",
        role=Role.FAILURE,
        kind=K.TEST,
        score=88,
        pattern=r"^_{3,} (?P<test>(?:ERROR (?:collecting|at setup of|at teardown of) )?[\w.:/\[\]-].*?) _{3,}$",
        needles="___ ",
        after=1,
        unless=r"^_+ (?:coverage|summary|captured|warnings)\b",
        starts=("_",),
        refine=hooks.pytest_section,
        repeated_by_file=True,
    ),
    # ("E    1 / 1 (100%)" is PHPUnit's progress line: one test, in error)
    _r(
        name="pytest.assert",
        role=Role.DETAIL,
        kind=None,
        score=92,
        pattern=r"^E {2,}(?P<msg>\S.*)",
        needles=_line_start("e   "),
        after=1,
        unless=r"^E +\d+ / \d+ \( *\d+%\)\s*$",
        waits_for_test=True,
    ),
    _r(
        name="pytest.location",
        role=Role.LOCATION,
        kind=None,
        score=84,
        # the exception's class ends the line (long, short), or its text follows (--tb=line); pytest names
        # any class: KeyError, Failed, InvalidOperation, StopIteration
        pattern=r"^(?P<file>"
        + _PATH
        + r"\.py):(?P<line>\d+): (?P<msg>(?:"
        + _PY_EXC
        + r"|Failed|AssertionError|assert)\b"
        r"|(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:\s*$|: ))",
        needles=(".py:",),
        locates=True,
        innermost_last=True,
        kept_for_summary=True,
    ),
    _r(
        name="pytest.tally",
        role=Role.SUMMARY,
        kind=None,
        score=86,
        pattern=r"^=+ .*\b\d+ (?:failed|errors?)\b.* in [\d.]+s.*=+$",
        needles=("failed", "error"),
        starts=("=",),
    ),
    _r(
        name="pytest.interrupted",
        role=Role.SUMMARY,
        kind=None,
        score=86,
        pattern=r"^(?:!+ )?Interrupted: \d+ errors? during collection",
        needles="interrupted",
    ),
    _r(
        name="pytest.section_header",
        role=Role.SUMMARY,
        kind=None,
        score=45,
        pattern=r"^=+ (?:FAILURES|ERRORS|short test summary info) =+$",
        needles=("failures", "errors", "short test summary"),
        starts=("=",),
    ),
)

# Unittest / Python tracebacks
PYTHON: tuple[Rule, ...] = (
    _r(
        name="unittest.fail",
        role=Role.FAILURE,
        kind=K.TEST,
        score=94,
        # a subtest adds its parameters: "FAIL: test_x (tests.t.C.test_x) (i=2)"; a module that failed to
        # import is "ERROR: tests.t (unittest.loader._FailedTest.tests.t)"
        pattern=r"^(?P<sev>FAIL|ERROR): (?P<test>[\w.]+) \((?P<cls>[\w.]+)\)(?: (?P<sub>\(.*\)|\[.*\]))?\s*$",
        needles=("fail:", "error:"),
        after=1,
        starts=("FAIL:", "ERROR:"),
        refine=hooks.unittest_fail,
    ),
    _r(
        name="unittest.tally",
        role=Role.SUMMARY,
        kind=None,
        score=85,
        pattern=r"^FAILED \((?:failures|errors)=\d+",
        needles="failed (",
    ),
    _r(
        name="python.traceback",
        role=Role.DETAIL,
        kind=None,
        score=60,
        pattern=r"^\s*Traceback \(most recent call last\):",
        needles="traceback",
        says_why=False,
        starts_trace=True,
    ),
    _r(
        name="python.exception",
        role=Role.DETAIL,
        kind=None,
        score=88,
        pattern=r"^(?P<exc>" + _PY_EXC + r")(?:: (?P<msg>.*))?$",
        needles=("error:", "error\n", "exception:", "exception\n", "systemexit", "interrupt", "failure:", "warning:"),
        unless=r"^" + _JVM_ROOT,
        whole_line=True,
        opens_alone=K.UNKNOWN,
        joins=hooks.import_error,
    ),
)

# Jest / vitest / mocha / node
JAVASCRIPT: tuple[Rule, ...] = (
    _r(
        name="jest.test",
        role=Role.FAILURE,
        kind=K.TEST,
        score=95,
        pattern=r"^\s*● (?P<test>.+?)\s*$",
        needles="●",
        after=2,
        unless=r"^\s*● Console\b",
        under_test_file=True,
        refine=hooks.jest_test,
    ),
    _r(
        name="vitest.fail",
        role=Role.FAILURE,
        kind=K.TEST,
        score=95,
        pattern=r"^\s*(?:FAIL|\u00d7|✗)\s+(?P<file>\S+\.[cm]?[jt]sx?)\s+>\s+(?P<test>.+?)(?:\s+\d+m?s)?$",
        needles=("fail", "\u00d7", "✗"),
        after=1,
    ),
    # vitest's code frame and stack (U+276F): "test/x.test.ts:6:27", "price src/cart.ts:5:11"
    _r(
        name="vitest.location",
        role=Role.LOCATION,
        kind=None,
        score=82,
        pattern=r"^\s*\u276f (?:\S+ )?(?P<file>\S+\.[cm]?[jt]sx?):(?P<line>\d+):\d+\s*$",
        needles="\u276f",
        locates=True,
    ),
    _r(
        name="jest.file",
        role=Role.FAILURE,
        kind=K.TEST,
        score=82,
        pattern=r"^\s*FAIL\s+(?P<file>\S+\.(?:[cm]?[jt]sx?|vue|svelte))\b",
        needles="fail",
        starts=("FAIL",),
        heads_test_file=True,
    ),
    _r(
        name="jest.failed_test",
        role=Role.FAILURE,
        kind=K.TEST,
        score=84,
        pattern=r"^\s*(?:✕|\u00d7|✗)\s+(?P<test>.+?)(?:\s+\(\d+(?:\.\d+)? ?m?s\))?$",
        needles=("✕", "\u00d7", "✗"),
        # lychee marks a dead link "✗ [404] https://...": a link checker's line, not a test
        unless=r"No solution found|Failed to (?:download|build|fetch|resolve)|\bdependencies\b"
        r"|^\s*✗ \[(?:\d{3}|ERR|ERROR|TIMEOUT)\] (?:https?|file)://",
        under_test_file=True,
        refine=hooks.failed_test_mark,
    ),
    _r(
        name="jest.matcher",
        role=Role.DETAIL,
        kind=None,
        score=85,
        pattern=r"^\s*expect\((?:received|jest\.fn\(\)|value)\)\.[\w.]+\(.*\)",
        needles="expect(",
    ),
    _r(
        name="jest.expect",
        role=Role.DETAIL,
        kind=None,
        score=86,
        pattern=r"^\s*(?:Expected|Received)(?: [\w ]{1,25})?:\s+\S",
        needles=("expected", "received"),
        after=1,
        names_tool="mocha",
        waits_for_test=True,
        describe=hooks.expected_actual,
        joins=hooks.matcher_values,
    ),
    _r(
        name="jest.no_tests",
        role=Role.FAILURE,
        kind=K.CONFIG,
        score=90,
        pattern=r"(?P<msg>No tests found, exiting with code \d+)",
        needles="no tests found",
    ),
    _r(
        name="jest.tally",
        role=Role.SUMMARY,
        kind=None,
        score=84,
        pattern=r"^\s*(?:Tests|Test Suites|Test Files):\s+.*\b\d+ failed\b",
        needles="failed",
        starts=("Tests:", "Test Suites:", "Test Files:"),
    ),
    _r(
        name="jest.retries",
        role=Role.FAILURE,
        kind=K.TEST,
        score=86,
        pattern=r"^(?P<test>\S+) failed to pass within \d+ retr",
        needles="failed to pass",
        under_test_file=True,
    ),
    _r(name="mocha.tally", role=Role.SUMMARY, kind=None, score=86, pattern=r"^\s*\d+ failing\b", needles="failing"),
    _r(
        name="node.error",
        role=Role.DETAIL,
        kind=None,
        score=82,
        pattern=r"^\s*(?P<exc>(?:Assertion|Type|Reference|Syntax|Range)?Error(?: \[\w+\])?): (?P<msg>.*)",
        needles=("error: ", "error ["),
        whole_line=True,
        names_tool="mocha",
        opens_alone=K.UNKNOWN,
        describe=hooks.node_assert,
    ),
)

# Go
GO: tuple[Rule, ...] = (
    _r(
        name="go.test",
        role=Role.FAILURE,
        kind=K.TEST,
        score=96,
        pattern=r"^\s*--- FAIL: (?P<test>\S+)(?: \([\d.]+s\))?",
        needles="fail",
        after=2,
        starts=("--- FAIL",),
        takes_panic=True,
        adopts_test_log=True,
        yields_to="ginkgo",
    ),
    # gotestsum's failure headings ("=== FAIL: ./pkg TestX (0.00s)") and `go test -json`'s fail events (test2json
    # writes Time, Action, Package, Test in that order)
    _r(
        name="go.gotestsum_fail",
        role=Role.FAILURE,
        kind=K.TEST,
        score=95,
        pattern=r"^=== FAIL: (?P<pkg>\S+) (?P<test>\S+)(?: \([\d.]+s\))?\s*$",
        needles="=== fail:",
        after=2,
        starts=("=== FAIL",),
    ),
    _r(
        name="go.json_fail",
        role=Role.FAILURE,
        kind=K.TEST,
        score=94,
        pattern=r"\"Action\":\"fail\",\"Package\":\"(?P<pkg>[^\"]*)\",\"Test\":\"(?P<test>[^\"]+)\"",
        needles='"action":"fail"',
        refine=hooks.go_json_fail,
        adopts_test_log=True,
    ),
    # go test -json: what a test logged ("Output":"    x_test.go:12: got 3, want 4\n"), keyed by its "Test"
    _r(
        name="go.json_assert",
        role=Role.DETAIL,
        kind=None,
        score=87,
        pattern=r"\"Action\":\"output\",\"Package\":\"[^\"]*\",\"Test\":\"(?P<test>[^\"]+)\",\"Output\":\"(?:\s|\\t)+"
        r"(?P<file>[\w./-]+_test\.go):(?P<line>\d+): (?P<msg>.*?)(?:\\n)?\"",
        needles="_test.go:",
        locates=True,
        describe=hooks.json_text,
        test_log=TestLog.NAMED,
    ),
    # go test -json: a panic in a test ("Output":"panic: assignment to entry in nil map [recovered]\n") and the
    # goroutine dump's frames under it ("Output":"\t/…/invoice.go:56 +0x1e5\n"), keyed by its "Test": what
    # -v prints under the test's "--- FAIL", wrapped by test2json
    _r(
        name="go.json_panic",
        role=Role.DETAIL,
        kind=None,
        score=90,
        pattern=r"\"Action\":\"output\",\"Package\":\"[^\"]*\",\"Test\":\"(?P<test>[^\"]+)\",\"Output\":\"panic: "
        r"(?P<msg>.*?)(?: \[recovered\])?(?:\\n)?\"",
        needles='"output":"panic: ',
        describe=hooks.json_text,
        test_log=TestLog.NAMED,
        takes_over_test_log=True,
    ),
    _r(
        name="go.json_frame",
        role=Role.FRAME,
        kind=None,
        score=0,
        pattern=r"\"Action\":\"output\",\"Package\":\"[^\"]*\",\"Test\":\"(?P<test>[^\"]+)\",\"Output\":\"\\t"
        r"(?P<file>[^\"\s]+\.go):(?P<line>\d+)(?: \+0x[0-9a-f]+)?(?:\\n)?\"",
        needles=('.go:',),
        test_log=TestLog.NAMED,
    ),
    # go test -v: a test starts; what it logs until its "--- FAIL" is its own
    _r(
        name="go.run",
        role=Role.COMMAND,
        kind=None,
        score=0,
        pattern=r"^=== (?:RUN|CONT|PAUSE|NAME)\s+(?P<test>\S+)",
        needles="=== ",
        starts=("===",),
        records=Record.GO_TEST_RUN,
    ),
    _r(
        name="go.assert",
        role=Role.DETAIL,
        kind=None,
        score=87,
        pattern=r"^\s+(?P<file>[\w./-]+_test\.go):(?P<line>\d+): (?P<msg>.*)",
        needles="_test.go:",
        locates=True,
        waits_for_test=True,
        test_log=TestLog.RUNNING,
    ),
    _r(
        name="go.pkg_fail",
        role=Role.SUMMARY,
        kind=None,
        score=72,
        pattern=r"^FAIL\s+(?P<pkg>\S+)\s+(?:[\d.]+s|\[build failed\]|\[setup failed\])",
        needles="fail",
        starts=("FAIL",),
    ),
    _r(
        name="go.panic",
        role=Role.FAILURE,
        kind=K.CRASH,
        score=95,
        pattern=r"^panic: (?P<msg>.*)",
        needles="panic",
        after=2,
        panic_of_test=True,
    ),
    # Ginkgo v2: "• [FAILED] [0.01 seconds]", the spec's name on the next line; "[FAILED] message" and
    # "In [It] at: file:line" under it; the summary's "[FAIL] name" repeats it
    _r(
        name="ginkgo.spec",
        role=Role.FAILURE,
        kind=K.TEST,
        score=94,
        pattern=r"^\s*• \[(?P<state>FAILED|PANICKED|TIMEDOUT|INTERRUPTED|ABORTED)\] \[[\d.]+ seconds?\]",
        needles="• [",
        after=2,
        refine=hooks.ginkgo_spec,
    ),
    _r(
        name="ginkgo.summary",
        role=Role.FAILURE,
        kind=K.TEST,
        score=90,
        pattern=r"^\s*\[(?:FAIL|PANICKED!?|TIMEDOUT|INTERRUPTED|ABORTED)\] "
        r"(?P<test>.*\[(?:It|BeforeEach|AfterEach|JustBeforeEach|BeforeAll|AfterAll|BeforeSuite|AfterSuite|SynchronizedBeforeSuite|SynchronizedAfterSuite|DeferCleanup)"
        r"\] .*?)\s*$",
        needles=("[fail] ", "[panicked] ", "[panicked!] ", "[timedout] ", "[interrupted] ", "[aborted] "),
    ),
    _r(
        name="ginkgo.failed",
        role=Role.DETAIL,
        kind=None,
        score=90,
        pattern=r"^\s*\[(?:FAILED|PANICKED|TIMEDOUT|ABORTED)\] (?P<msg>\S.*)$",
        needles=("[failed] ", "[panicked] ", "[timedout] ", "[aborted] "),
        after=4,
        describe=hooks.gomega,
    ),
    _r(
        name="ginkgo.location",
        role=Role.LOCATION,
        kind=None,
        score=84,
        pattern=r"^\s*In \[\w+\] at: (?P<file>\S+\.go):(?P<line>\d+)",
        needles="] at: ",
        locates=True,
    ),
)

# Rust: rustc, cargo test, nextest, trybuild
RUST: tuple[Rule, ...] = (
    _r(
        name="rustc.error",
        role=Role.FAILURE,
        kind=K.COMPILE,
        score=94,
        pattern=r"^\s*error(?:\[(?P<code>E\d{4})\])?: (?P<msg>.*)",
        needles="error",
        after=1,
        unless=r"^\s*error: (?:could not compile|aborting due to|test failed, to rerun|Recipe"
        r"|process didn't exit|\d+ targets? failed"
        r"|build failed|failed to run custom build command|test run failed"
        r"|Failed to (?:download|build|fetch|resolve))",
        starts=("error",),
    ),
    # ruff's full format: "F841 Local variable ..." (no "[*]" when there is no safe fix), then "  --> FILE:L:C"
    _r(
        name="ruff.full_location",
        role=Role.FAILURE,
        kind=K.LINT,
        score=89,
        pattern=r"^\s*--> (?P<file>" + _PATH + r"\.pyi?):(?P<line>\d+):\d+\s*$",
        needles="-->",
        locates_above=True,
    ),
    _r(
        name="rustc.location",
        role=Role.LOCATION,
        kind=None,
        score=90,
        pattern=r"^\s*--> (?P<file>[^\s:]+):(?P<line>\d+):(?P<col>\d+)",
        needles="-->",
    ),
    _r(
        name="cargo.test",
        role=Role.FAILURE,
        kind=K.TEST,
        score=93,
        pattern=r"^test (?P<test>\S+) \.\.\. (?:FAILED|mismatch|error)",
        needles=("failed", "mismatch", "error"),
        starts=("test ",),
        asserts_where_tested=True,
        keeps_merged_id=True,
    ),
    # cargo test -q (libtest's terse format) names each failing test as it finishes
    _r(
        name="cargo.terse",
        role=Role.FAILURE,
        kind=K.TEST,
        score=92,
        pattern=r"^(?P<test>[\w:]+) --- FAILED\s*$",
        needles="--- failed",
        asserts_where_tested=True,
    ),
    _r(
        name="cargo.stdout",
        role=Role.FAILURE,
        kind=K.TEST,
        score=88,
        pattern=r"^---- (?P<test>\S+) stdout ----$",
        needles="stdout ----",
        after=2,
        asserts_where_tested=True,
    ),
    _r(
        name="rust.panic",
        role=Role.DETAIL,
        kind=None,
        score=92,
        pattern=r"thread '(?P<thread>[^']*)'(?: \(\d+\))? panicked at (?:(?P<file>[^\s:']+\.rs):(?P<line>\d+):\d+:?\s*$"
        r"|'(?P<quoted>.*)', (?P<file2>[^\s:']+\.rs):(?P<line2>\d+):\d+\s*$|(?P<msg>.*))",
        needles="panicked",
        after=3,
        locates=True,
        opens_alone=K.CRASH,
        waits_for_test=True,
        describe=hooks.rust_panic,
        asserts_where_tested=True,
    ),
    # libtest: a #[should_panic] test that returned ("note: test did not panic as expected at src/lib.rs:28:8";
    # the location since Rust 1.80)
    _r(
        name="cargo.no_panic",
        role=Role.DETAIL,
        kind=None,
        score=90,
        pattern=r"^note: (?P<msg>test did not panic as expected)(?: at (?P<file>[^\s:]+\.rs):(?P<line>\d+):\d+)?\s*$",
        needles="did not panic",
        locates=True,
    ),
    _r(
        name="nextest.fail",
        role=Role.FAILURE,
        kind=K.TEST,
        score=96,
        pattern=r"^\s*(?:FAIL|SIGSEGV|SIGABRT|TIMEOUT|LEAK-FAIL) \[\s*[\d.]+s\] "
        r"(?:\(\s*\d+/\d+\) )?(?P<test>.+?)\s*$",
        needles=("fail", "sigsegv", "sigabrt", "timeout"),
        starts=("FAIL", "SIGSEGV", "SIGABRT", "TIMEOUT", "LEAK-FAIL"),
        asserts_where_tested=True,
    ),
    _r(
        name="cargo.tally",
        role=Role.SUMMARY,
        kind=None,
        score=86,
        pattern=r"^\s*(?:test result: FAILED\.|Summary \[.*\d+ failed|\d+ of \d+ tests? failed"
        r"|error: test failed, to rerun)",
        needles=("failed",),
    ),
    _r(
        name="rustc.abort",
        role=Role.SUMMARY,
        kind=None,
        score=70,
        pattern=r"^\s*error: (?:could not compile|aborting due to) .*",
        needles="error",
        starts=("error:",),
    ),
)

# TypeScript, MSBuild/C#, javac, gcc/clang, go build, linters with file:line[:col]
COMPILERS_AND_LINTERS: tuple[Rule, ...] = (
    _r(
        name="tsc.error",
        role=Role.FAILURE,
        kind=K.TYPE,
        score=94,
        pattern=r"^(?P<file>[^\s(]+)(?:\((?P<line>\d+),\d+\):|:(?P<line2>\d+):\d+ -) "
        r"error (?P<code>TS\d+): (?P<msg>.*)",
        needles="error ts",
    ),
    # pyright's CLI: "  /path/src/x.py:5:15 - error: Type "int" is not assignable ..." (the rule on a later line)
    _r(
        name="pyright.error",
        role=Role.FAILURE,
        kind=K.TYPE,
        score=93,
        pattern=r"^\s*(?P<file>[^\s:]+\.pyi?):(?P<line>\d+):\d+ - error: (?P<msg>.+?)(?: \((?P<code>report\w+)\))?\s*$",
        needles=" - error: ",
    ),
    _r(
        name="dotnet.compile",
        role=Role.FAILURE,
        kind=K.COMPILE,
        score=94,
        pattern=r"^\s*(?P<file>[^\s(]+)\((?P<line>\d+),\d+\): error (?P<code>[A-Z]+\d+): "
        r"(?P<msg>.*?)(?: \[[^\]]+\])?$",
        needles="): error ",
    ),
    _r(
        name="mypy.error",
        role=Role.FAILURE,
        kind=K.TYPE,
        score=93,
        pattern=r"^(?P<file>"
        + _PATH
        + r"\.pyi?):(?P<line>\d+)(?::\d+)?: error: (?P<msg>.*?)(?:\s+\[(?P<code>[\w-]+)\])?$",
        needles="error:",
    ),
    _r(
        name="maven.compile",
        role=Role.FAILURE,
        kind=K.COMPILE,
        score=94,
        pattern=r"^\[ERROR\] (?P<file>\S+\.(?:java|kt|scala|groovy)):\[(?P<line>\d+),\d+\] (?P<msg>.*)",
        needles="error",
        starts=("[ERROR] ",),
        refine=hooks.maven_compile,
    ),
    # XCTest's own output (swift test, xcodebuild without xcpretty): "-[Module.Class test]" on macOS,
    # "Class.test" with swift-corelibs-xctest on Linux
    _r(
        name="xctest.failure",
        role=Role.FAILURE,
        kind=K.TEST,
        score=94,
        pattern=r"^(?P<file>\S+\.swift):(?P<line>\d+): error: "
        r"(?:-\[(?P<cls>[\w.]+) (?P<test>\w+)\]|(?P<cls2>[\w.]+)\.(?P<test2>\w+)) : (?P<msg>.*)$",
        needles=".swift:",
    ),
    # C/C++ assert(): glibc "prog: file:line: func: Assertion `expr' failed.", musl "Assertion failed: expr
    # (file: func: line)", BSD/macOS "Assertion failed: (expr), function func, file file, line N."
    _r(
        name="c.assert",
        role=Role.FAILURE,
        kind=K.TEST,
        score=93,
        pattern=r"^(?:[^\s:]+: )?(?P<file>[^\s:]+\.(?:c|cc|cpp|cxx|h|hh|hpp)):(?P<line>\d+): (?P<func>[^`'\u2018]+?): "
        r"(?P<msg>Assertion [`'\u2018].*['\u2019] failed\.?)\s*$"
        r"|^(?P<msg2>Assertion failed: .*?),? \(?(?:function (?P<func2>\S+), file (?P<file2>\S+), line (?P<line2>\d+)\."
        r"|(?P<file3>[^\s:]+): (?P<func3>[^:]+): (?P<line3>\d+)\))\s*$",
        needles=("assertion ",),
        locates=True,
        refine=hooks.c_assert,
        describe=hooks.c_assert_message,
        detail_in_output=True,
    ),
    _r(
        name="gcc.error",
        role=Role.FAILURE,
        kind=K.COMPILE,
        score=94,
        pattern=r"^(?P<file>[^\s:]+\.\w+):(?P<line>\d+):(?:\d+:)? (?:fatal )?error:(?: (?P<msg>.*)|\s*$)",
        needles="error:",
        after=2,
        refine=hooks.gcc_format,
    ),
    _r(
        name="eslint.unix",
        role=Role.FAILURE,
        kind=K.LINT,
        score=86,
        pattern=r"^(?P<file>[^\s:]+\.(?:[cm]?[jt]sx?|vue|svelte)):(?P<line>\d+)(?::\d+)?"
        r"(?: (?P<msg>.+) \((?P<code>[\w@/-]+)\)"
        r"|: (?P<msg2>.+) \[Error/(?P<code2>[\w@/-]+)\])$",
        needles=(".js:", ".ts:", ".jsx:", ".tsx:", ".mjs:", ".cjs:", ".vue:", ".svelte:"),
    ),
    _r(
        name="kotlin.error",
        role=Role.FAILURE,
        kind=K.COMPILE,
        score=93,
        pattern=r"^e: (?:file://)?(?P<file>\S+\.kts?)(?::(?P<line>\d+):\d+:?|: \((?P<line2>\d+), \d+\):) (?P<msg>.*)",
        needles=("e: file:", "e: /"),
    ),
    _r(
        name="scala.error",
        role=Role.FAILURE,
        kind=K.COMPILE,
        score=92,
        pattern=r"^\[error\] (?:-- .*Error: )?(?P<file>/\S+\.scala):(?P<line>\d+):(?:\d+:)? (?P<msg>.*)",
        needles="[error]",
    ),
    _r(
        name="linker.error",
        role=Role.FAILURE,
        kind=K.COMPILE,
        score=90,
        pattern=r"^(?:(?P<file>[^\s:]+\.\w+):(?P<line>\d+): )?.*?(?P<msg>undefined reference to .*)"
        r"|Undefined symbols for architecture|ld: symbol\(s\) not found"
        r"|cannot find -l\w+",
        needles=("undefined reference", "undefined symbols", "symbol(s) not found", "cannot find -l"),
    ),
    _r(
        name="linker.exit",
        role=Role.SUMMARY,
        kind=None,
        score=70,
        pattern=r"ld returned \d+ exit status|linker command failed with exit code",
        needles=("ld returned", "linker command"),
    ),
    _r(
        name="cmake.error",
        role=Role.FAILURE,
        kind=K.CONFIG,
        score=93,
        pattern=r"^CMake Error(?: at (?P<file>[^\s:]+):(?P<line>\d+))?.*",
        needles="cmake error",
        after=2,
        refine=hooks.cmake,
    ),
    _r(
        name="ruff.error",
        role=Role.FAILURE,
        kind=K.LINT,
        score=90,
        pattern=r"^(?P<file>"
        + _PATH
        + r"\.pyi?):(?P<line>\d+):\d+: (?P<code>[A-Z]{1,3}\d{2,4}) (?:\[\*\] )?(?P<msg>.*)",
        needles=".py:",
    ),
    _r(
        name="ruff.concise",
        role=Role.FAILURE,
        kind=K.LINT,
        score=89,
        pattern=r"^(?:error\[)?(?P<code>[A-Z]{1,4}\d{3,4})\]?:? (?:\[\*\] )?(?P<msg>.+)$",
        needles=("[*]", "error["),
        located_below=True,
    ),
    _r(
        name="pylint.error",
        role=Role.FAILURE,
        kind=K.LINT,
        score=88,
        pattern=r"^(?P<file>"
        + _PATH
        + r"\.py):(?P<line>\d+):\d+: (?P<code>[CRWEF]\d{4}): (?P<msg>.*?)(?: \([\w-]+\))?$",
        needles=".py:",
    ),
    _r(
        name="pylint.score",
        role=Role.SUMMARY,
        kind=None,
        score=60,
        pattern=r"^Your code has been rated at [\d.-]+/10",
        needles="rated at",
    ),
    _r(
        name="golint.error",
        role=Role.FAILURE,
        kind=K.LINT,
        score=88,
        pattern=r"^(?P<file>[^\s:]+\.go):(?P<line>\d+):\d+: (?P<msg>.*\(\w+\))$",
        needles=".go:",
    ),
    _r(
        name="go.build",
        role=Role.FAILURE,
        kind=K.COMPILE,
        score=91,
        pattern=r"^(?:\.\.?/)?(?P<file>[^\s:]+\.go):(?P<line>\d+):(?:\d+:)? (?P<msg>.*)",
        needles=".go:",
        unless=r"_test\.go:\d+: ",
        refine=hooks.go_build,
    ),
    # yamllint (parsable columns, the rule in parentheses; its file heads the block like eslint's). Warnings
    # do not fail a yamllint run unless --strict, so only errors open failures.
    _r(
        name="yamllint.error",
        role=Role.FAILURE,
        kind=K.LINT,
        score=90,
        pattern=r"^\s+(?P<line>\d+):\d+\s+error\s+(?P<msg>.+?)\s+\((?P<code>[\w-]+)\)\s*$",
        needles="error",
        starts=tuple("0123456789"),
        file_from_heading=True,
    ),
    # yamllint -f parsable: "FILE:L:C: [error] message (rule)"
    _r(
        name="yamllint.parsable",
        role=Role.FAILURE,
        kind=K.LINT,
        score=90,
        pattern=r"^(?P<file>[^\s:]+\.ya?ml):(?P<line>\d+):\d+: \[(?P<sev>error|warning)\] "
        r"(?P<msg>.+?)(?: \((?P<code>[\w-]+)\))?$",
        needles=(": [error]", ": [warning]"),
        one_per_line=True,
        refine=hooks.yamllint,
    ),
    _r(
        name="eslint.error",
        role=Role.FAILURE,
        kind=K.LINT,
        score=90,
        pattern=r"^\s+(?P<line>\d+):\d+\s+error\s+(?P<msg>.+?)\s{2,}(?P<code>[\w@/-]+)$",
        needles="error",
        starts=tuple("0123456789"),
        file_from_heading=True,
    ),
    _r(
        name="eslint.tally",
        role=Role.SUMMARY,
        kind=None,
        score=84,
        pattern=r"^\s*✖ \d+ problems? \(\d+ errors?",
        needles="problem",
    ),
    _r(
        name="stylelint.error",
        role=Role.FAILURE,
        kind=K.LINT,
        score=86,
        pattern=r"^\s+(?P<line>\d+):\d+\s+✖\s+(?P<msg>.+)$",
        needles="✖",
        file_from_heading=True,
    ),
    _r(
        name="typecheck.tally",
        role=Role.SUMMARY,
        kind=None,
        score=85,
        pattern=r"^Found \d+ errors?(?: in \d+ files?)?(?: \(checked \d+ source files?\))?\.?|^Found \d+ errors? in ",
        needles=_line_start("found ", indent=0),
    ),
)

# Formatters
FORMATTERS: tuple[Rule, ...] = (
    # a unified diff's hunk (black --diff, ruff format --diff): the first line a formatter would change
    _r(
        name="diff.hunk",
        role=Role.COMMAND,
        kind=None,
        score=0,
        pattern=r"^@@ -(?P<line>\d+)(?:,\d+)? \+\d+(?:,\d+)? @@",
        needles="@@ -",
        starts=("@@",),
        records=Record.DIFF_HUNK,
    ),
    _r(
        name="black.would_reformat",
        role=Role.FAILURE,
        kind=K.LINT,
        score=90,
        pattern=r"^would reformat (?P<file>\S.*)$",
        needles="would reformat",
        line_from_diff=True,
    ),
    _r(
        name="ruff.would_reformat",
        role=Role.FAILURE,
        kind=K.LINT,
        score=90,
        pattern=r"^Would reformat: (?P<file>\S.*)$",
        needles="would reformat",
        line_from_diff=True,
    ),
    _r(
        name="format.tally",
        role=Role.SUMMARY,
        kind=None,
        score=84,
        pattern=r"^(?:Oh no! .*|\d+ files? would be reformatted.*|\[warn\] Code style issues found.*"
        r"|Code style issues found in \d+ files?.*|All matched files use Prettier.*)$",
        needles=("oh no", "would be reformatted", "code style issues"),
    ),
    _r(
        name="prettier.file",
        role=Role.FAILURE,
        kind=K.LINT,
        score=88,
        pattern=r"^\[warn\] (?P<file>[^\s\[]\S*\.\w+)$",
        needles="[warn]",
    ),
    _r(
        name="gofmt.diff",
        role=Role.FAILURE,
        kind=K.LINT,
        score=80,
        pattern=r"^diff -u (?P<file>\S+)\.orig \S+$",
        needles="diff -u",
    ),
)

# minitest's "Class#test [file:line]": the scanner reads it below a "Failure:" heading (``minitest.header``)
MINITEST_TEST = _r(
    name="minitest.test",
    role=Role.FAILURE,
    kind=K.TEST,
    score=94,
    pattern=r"^(?P<cls>[\w:]+)#(?P<test>\w+)(?: \[(?P<file>[^\]:\s]+):(?P<line>\d+)\])?:?\s*$",
    needles=(),  # tried on the line after a ``Failure:``/``Error:`` heading, never on its own
    after=1,
)

# Maven / Surefire / Gradle / JVM
JVM: tuple[Rule, ...] = (
    _r(
        name="surefire.test",
        role=Role.FAILURE,
        kind=K.TEST,
        score=96,
        pattern=r"^(?:\[ERROR\] )?(?:(?P<test>\w+)\((?P<cls>[\w.$]+)\)|(?P<cls2>[\w.$]+)\.(?P<test2>\w+)(?:\(\))?)"
        r"(?: \S+)?\s+Time elapsed: .*<<< (?:FAILURE|ERROR)!",
        needles=("<<< failure", "<<< error"),
        after=1,
    ),
    _r(
        name="surefire.class",
        role=Role.SUMMARY,
        kind=None,
        score=74,
        pattern=r"^(?:\[ERROR\] )?Tests run: \d+, Failures: \d+, Errors: \d+, Skipped: \d+.*<<< (?:FAILURE|ERROR)!",
        needles=("<<< failure", "<<< error"),
    ),
    _r(
        name="surefire.list",
        role=Role.DETAIL,
        kind=None,
        score=86,
        pattern=r"^(?:\[ERROR\])?\s{2,}(?:Run \d+: )?(?P<cls>[\w.$]+)\.(?P<test>\w+):(?P<line>\d+)(?: (?P<msg>.*))?$",
        needles=("error", "expected", "but was", "exception"),
    ),
    _r(
        name="surefire.tally",
        role=Role.SUMMARY,
        kind=None,
        score=84,
        pattern=r"^(?:\[(?:ERROR|WARNING|INFO)\] )?Tests run: \d+, Failures: \d+, Errors: \d+(?:, Skipped: \d+)?$",
        needles=("failures",),
        unless=r"Failures: 0, Errors: 0",
        starts=("[", "Tests run"),
    ),
    # JUnit Platform console launcher's "Failures (n):" list: the test's source names its class and method
    _r(
        name="junit5.source",
        role=Role.FAILURE,
        kind=K.TEST,
        score=96,
        pattern=r"^\s*MethodSource \[className = '(?P<cls>[\w.$]+)', methodName = '(?P<test>[\w$]+)'",
        needles="methodsource [",
        after=1,
        heading=True,
        invocation_above=True,
    ),
    _r(
        name="maven.build_failure",
        role=Role.SUMMARY,
        kind=None,
        score=72,
        pattern=r"^\[INFO\] BUILD FAILURE\s*$|^BUILD FAILURE$",
        needles="build failure",
    ),
    _r(
        name="maven.dependency",
        role=Role.FAILURE,
        kind=K.DEPENDENCY,
        score=93,
        pattern=r"^\[ERROR\] (?P<msg>Failed to execute goal .*(?:Could not resolve dependencies|"
        r"Could not transfer artifact|Could not find artifact|Non-resolvable).*)",
        needles=("could not",),
    ),
    _r(
        name="maven.goal",
        role=Role.FAILURE,
        kind=K.UNKNOWN,
        score=86,
        pattern=r"^\[ERROR\] (?P<msg>Failed to execute goal (?P<goal>\S+) .*)",
        needles="failed to execute goal",
        after=1,
        weak=True,
        kind_from_message=True,
    ),
    _r(
        name="maven.compilation",
        role=Role.SUMMARY,
        kind=None,
        score=75,
        pattern=r"^\[ERROR\] COMPILATION ERROR\s*:?\s*$",
        needles="compilation error",
    ),
    _r(
        name="gradle.test",
        role=Role.FAILURE,
        kind=K.TEST,
        score=96,
        pattern=r"^(?P<cls>[\w.$]+) > (?P<test>.+?) FAILED$",
        needles="failed",
        after=2,
    ),
    _r(
        name="gradle.what_went_wrong",
        role=Role.DETAIL,
        kind=None,
        score=86,
        pattern=r"^\* What went wrong:",
        needles="what went wrong",
        after=3,
        says_why=False,
    ),
    _r(
        name="gradle.task_failed",
        role=Role.SUMMARY,
        kind=None,
        score=78,
        pattern=r"^(?:> Task (?P<task>\S+) FAILED|Execution failed for task '[^']+'.*)",
        needles=("failed",),
    ),
    _r(
        name="gradle.tally",
        role=Role.SUMMARY,
        kind=None,
        score=84,
        pattern=r"^\d+ tests? completed, \d+ failed",
        needles="failed",
    ),
    _r(
        name="gradle.build_failed",
        role=Role.SUMMARY,
        kind=None,
        score=68,
        pattern=r"^(?:FAILURE: Build failed with an exception\.|BUILD FAILED\b.*)",
        needles="failed",
    ),
    _r(
        name="java.exception",
        role=Role.DETAIL,
        kind=None,
        score=84,
        # "=> ": the JUnit Platform console launcher's failure list
        pattern=r"^\s*(?:=> )?(?:Caused by: |Exception in thread \"[^\"]*\" )?"
        r"(?P<exc>(?:[a-z_]\w*\.)+[A-Z]\w*(?:Exception|Error|Failure))"
        r"(?:: (?P<msg>.*)| at (?P<file>[\w$]+\.(?:java|kt|scala|groovy)):(?P<line>\d+))?$",
        needles=("exception", "error:", "error\n", "error at ", "failure:", "failure\n"),
        whole_line=True,
        opens_alone=K.UNKNOWN,
        chains_causes=True,
    ),
    _r(
        name="scalatest.failed",
        role=Role.FAILURE,
        kind=K.TEST,
        score=93,
        pattern=r"^(?:\[info\] )?\s*- (?P<test>.+?) \*\*\* FAILED \*\*\*",
        needles="*** failed ***",
        after=1,
        refine=hooks.scalatest_failed,
    ),
    _r(
        name="gtest.failed",
        role=Role.FAILURE,
        kind=K.TEST,
        score=95,
        pattern=r"^\[  FAILED  \] (?P<test>[\w/.]+(?:\.\w+|/\d+)+)(?:, where .*)?(?: \(\d+ ms\))?$",
        needles="[  failed  ]",
        detail_in_output=True,  # under CTest, the test CTest names (by its parameter's value, not its index)
    ),
    _r(
        name="gtest.failure",
        role=Role.DETAIL,
        kind=None,
        score=88,
        # googletest says "unknown file" where no assertion is: an exception thrown in the test body
        pattern=r"^(?:(?P<file>[^\s:]+\.(?:cc|cpp|cxx|c|h|hpp)):(?P<line>\d+)|unknown file): (?:Failure|error: .*)$",
        needles=(": failure", ": error: "),
        after=3,
        waits_for_test=True,
        describe=hooks.message_below,
    ),
    _r(
        name="gtest.tally",
        role=Role.SUMMARY,
        kind=None,
        score=82,
        pattern=r"^\[  FAILED  \] \d+ tests?, listed below:",
        needles="[  failed  ]",
    ),
    _r(
        name="busted.tally",
        role=Role.SUMMARY,
        kind=None,
        score=82,
        pattern=r"^\[  (?:ERROR|FAILED)   ?\] \d+ (?:errors?|failures?), listed below:",
        needles="listed below",
    ),
    _r(
        name="common_test.failed",
        role=Role.FAILURE,
        kind=K.TEST,
        score=92,
        pattern=r"^(?P<test>\w+:\w+) failed on line (?P<line>\d+)",
        needles="failed on line",
        after=1,
    ),
    # a suite's configuration function (init_per_suite/group/testcase) failing: "Reason: {...}" follows
    _r(
        name="common_test.config_failed",
        role=Role.FAILURE,
        kind=K.TEST,
        score=92,
        pattern=r"^(?P<test>\w+_SUITE:(?:init|end)_per_\w+) failed\s*$",
        needles="_suite:",
        after=10,
        refine=hooks.common_test_config,
    ),
    _r(
        name="xcpretty.error",
        role=Role.FAILURE,
        kind=K.COMPILE,
        score=92,
        pattern=r"(?:❌|error:?)\s+(?P<file>/?[^\s:]+\.(?:swift|m|mm|h|c|cpp)):(?P<line>\d+):\d+: (?P<msg>.*)",
        needles=("❌",),
    ),
    # xcpretty's failure summary: the assertion's file:line alone on an indented line under the test
    _r(
        name="xcpretty.location",
        role=Role.LOCATION,
        kind=None,
        score=70,
        pattern=r"^\s+(?P<file>/\S+\.(?:swift|m|mm)):(?P<line>\d+)\s*$",
        needles=(".swift:", ".m:", ".mm:"),
    ),
    _r(
        name="vim.test",
        role=Role.FAILURE,
        kind=K.TEST,
        score=88,
        pattern=r"^\s*Found errors in (?P<test>\w+)\(\):",
        needles="found errors in",
        after=2,
    ),
    _r(
        name="test.name_failed",
        role=Role.FAILURE,
        kind=K.TEST,
        score=80,
        pattern=r"^\s*(?P<test>[\w./:-]+) FAILED\s*$",
        needles="failed",
    ),
    MINITEST_TEST,
    _r(
        name="minitest.header",
        role=Role.FAILURE,
        kind=K.TEST,
        score=70,
        pattern=r"^\s*(?:\d+\) )?(?:Failure|Error):\s*$",
        needles=("failure:", "error:"),
        after=2,
        test_below=MINITEST_TEST,
    ),
    _r(
        name="minitest.assertion",
        role=Role.DETAIL,
        kind=None,
        score=88,
        pattern=r"^(?P<exc>Minitest::\w+): (?P<msg>.*)",
        needles="minitest::",
    ),
    _r(
        name="rubocop.offense",
        role=Role.FAILURE,
        kind=K.LINT,
        score=89,
        pattern=r"^(?P<file>[^\s:]+\.(?:rb|rake|gemspec)):(?P<line>\d+):\d+: (?P<sev>[CWEF]): "
        r"(?P<code>[\w/]+): (?P<msg>.*)",
        needles=(".rb:", ".rake:", ".gemspec:"),
    ),
    _r(
        name="rubocop.tally",
        role=Role.SUMMARY,
        kind=None,
        score=84,
        pattern=r"^\d+ files? inspected, [1-9]\d* offenses? detected",
        needles="offense",
    ),
)

# Repository linters: workflows, Dockerfiles, shell scripts, Kotlin, Terraform, Markdown, rustfmt
REPOSITORY_LINTERS: tuple[Rule, ...] = (
    _r(
        name="markdownlint.rule",
        role=Role.FAILURE,
        kind=K.LINT,
        score=88,
        pattern=r"^(?P<file>[^\s:]+\.(?:md|markdown)):(?P<line>\d+)(?::\d+)? "
        r"(?P<msg>(?P<code>MD\d{3})(?:/[\w-]+)+ .*)$",
        needles=(".md:", ".markdown:"),
    ),
    _r(
        name="rustfmt.diff",
        role=Role.FAILURE,
        kind=K.LINT,
        score=88,
        pattern=r"^Diff in (?P<file>\S+?\.rs)(?: at line (?P<line>\d+)|:(?P<line2>\d+)):\s*$",
        needles="diff in ",
        after=8,
        message="not formatted as rustfmt formats it (run cargo fmt)",
    ),
    _r(
        name="actionlint.error",
        role=Role.FAILURE,
        kind=K.LINT,
        score=88,
        pattern=r"^(?P<file>[^\s:]+\.ya?ml):(?P<line>\d+):\d+: (?P<msg>.+?) \[(?P<code>[a-z][\w-]*)\]\s*$",
        needles=(".yml:", ".yaml:"),
    ),
    _r(
        name="hadolint.rule",
        role=Role.FAILURE,
        kind=K.LINT,
        score=88,
        pattern=r"^(?P<file>\S*Dockerfile[\w.-]*):(?P<line>\d+) "
        r"(?P<msg>(?P<code>(?:DL|SC)\d{4}) (?:error|warning|info|style): .*)$",
        needles="dockerfile",
    ),
    # shellcheck's default format: "In FILE line N:", the code, a caret line naming the check
    _r(
        name="shellcheck.in",
        role=Role.FAILURE,
        kind=K.LINT,
        score=86,
        pattern=r"^In (?P<file>\S+) line (?P<line>\d+):\s*$",
        needles=" line ",
        after=3,
        starts=("In ",),
        one_per_line=True,
    ),
    # shellcheck -f gcc: "FILE:L:C: warning: message [SC2086]" (any level fails shellcheck)
    _r(
        name="shellcheck.gcc",
        role=Role.FAILURE,
        kind=K.LINT,
        score=88,
        pattern=r"^(?P<file>[^\s:]+):(?P<line>\d+):\d+: (?:error|warning|note|info|style): "
        r"(?P<msg>.+ \[(?P<code>SC\d{4})\])\s*$",
        needles=("[sc",),
        one_per_line=True,
    ),
    _r(
        name="shellcheck.check",
        role=Role.DETAIL,
        kind=None,
        score=86,
        pattern=r"^\s*\^[-^]* (?P<msg>(?P<code>SC\d{4}) \((?:error|warning|info|style)\): .*)$",
        needles=("^ sc", "^-- sc"),
    ),
    _r(
        name="terraform.error",
        role=Role.FAILURE,
        kind=K.CONFIG,
        score=88,
        pattern=r"^│ Error: (?P<msg>.+?)\s*$",
        needles="│ error: ",
    ),
    _r(
        name="terraform.location",
        role=Role.LOCATION,
        kind=None,
        score=84,
        pattern=r"^│\s+on (?P<file>\S+\.tf(?:vars)?) line (?P<line>\d+)",
        needles=".tf line",
    ),
    _r(
        name="ktlint.rule",
        role=Role.FAILURE,
        kind=K.LINT,
        score=88,
        pattern=r"^(?P<file>\S+\.kts?):(?P<line>\d+):\d+ (?P<msg>.+?) \((?P<code>[\w-]+:[\w-]+)\)\s*$",
        needles=(".kt:", ".kts:"),
    ),
    # the Elixir compiler (1.14 and earlier): "** (CompileError) lib/shelf.ex:13: undefined function f/1 ..."
    _r(
        name="elixirc.error",
        role=Role.FAILURE,
        kind=K.COMPILE,
        score=93,
        pattern=r"^\*\* \((?P<code>CompileError|SyntaxError|TokenMissingError|MismatchedDelimiterError|KeyError)\) "
        r"(?P<file>[^\s:]+\.exs?):(?P<line>\d+)(?::\d+)?: (?P<msg>.+)$",
        needles="** (",
    ),
    # ExUnit: the failing test's location and assertion under its "  1) test ... (Module)" heading
    # (test files only: compiler warnings print bare "lib/x.ex:16" locations too)
    _r(
        name="exunit.location",
        role=Role.LOCATION,
        kind=None,
        score=84,
        pattern=r"^\s+(?P<file>\S*_test\.exs):(?P<line>\d+)\s*$",
        needles="_test.exs:",
    ),
    _r(
        name="exunit.assertion",
        role=Role.DETAIL,
        kind=None,
        score=86,
        pattern=r"^\s+(?P<msg>(?:Assertion with \S+ failed|Expected truthy, got \S+|\*\* \(\w[\w.]*\) .*))$",
        needles=("assertion with", "expected truthy", "** ("),
        describe=hooks.exunit_assertion,
    ),
)

# Link checkers: a dead link fails a docs or awesome-list build with no error word on its line
LINK_CHECKERS: tuple[Rule, ...] = (
    _r(
        name="awesome_bot.link",
        role=Role.FAILURE,
        kind=K.LINT,
        score=86,
        pattern=r"^\s*\d+\. \[L(?P<line>\d+)\] (?P<msg>(?P<code>-?\d{1,3}|[A-Za-z]\w*) https?://\S+.*?)\s*$",
        needles="[l",
        refine=hooks.awesome_bot_link,
        white_listed_passes=True,
    ),
    # "> White listed:" lists links that may fail; "> Links" (after "Issues :-(") the ones that failed the build
    _r(
        name="awesome_bot.section",
        role=Role.COMMAND,
        kind=None,
        score=0,
        pattern=r"^> (?P<cmd>White listed|Links|Dupes):?\s*$",
        needles="> ",
        records=Record.LINK_SECTION,
    ),
    _r(
        name="awesome_bot.tally",
        role=Role.SUMMARY,
        kind=None,
        score=84,
        pattern=r"^Issues :-\(\s*$",
        needles="issues :-(",
    ),
    _r(
        name="markdown-link-check.dead",
        role=Role.FAILURE,
        kind=K.LINT,
        score=86,
        pattern=r"^\s*\[✖\] (?P<msg>\S+.*?)(?: → Status: (?P<code>\d+))?\s*$",
        needles="[✖]",
    ),
    _r(
        name="lychee.error",
        role=Role.FAILURE,
        kind=K.LINT,
        score=86,
        pattern=r"^\s*(?:[✗✖] )?(?P<msg>\[(?P<code>\d{3}|ERR|ERROR|TIMEOUT)\] (?:https?|file)://\S+.*?)\s*$",
        needles=("[4", "[5", "[err", "[timeout"),
    ),
    _r(
        name="htmlproofer.check",
        role=Role.FAILURE,
        kind=K.LINT,
        score=86,
        pattern=r"^\s*\*\s+(?P<msg>(?:External link \S+ failed\b|internally linking to \S+, which does not exist"
        r"|image \S+ does not have an alt attribute|\S+ is not an HTTPS link).*?)\s*$",
        needles=("external link", "internally linking", "does not have an alt", "not an https link"),
    ),
)

# .NET
DOTNET: tuple[Rule, ...] = (
    _r(
        name="dotnet.test",
        role=Role.FAILURE,
        kind=K.TEST,
        score=96,
        pattern=r"^\s*(?:Failed|X) (?P<test>[\w.`<>,\[\]()\" '=-]+?) \[(?:[\d.]+ ?m?s|< ?1 ?ms)\]$",
        needles=("failed ",),
        after=2,
    ),
    _r(
        name="xunit.test",
        role=Role.FAILURE,
        kind=K.TEST,
        score=95,
        pattern=r"^\s*(?P<test>\S+) \[FAIL\]$",
        needles="[fail]",
        after=2,
    ),
    _r(
        name="dotnet.error_message",
        role=Role.DETAIL,
        kind=None,
        score=80,
        pattern=r"^\s*Error Message:\s*$",
        needles="error message",
        after=1,
        describe=hooks.message_below,
    ),
    _r(
        name="dotnet.tally",
        role=Role.SUMMARY,
        kind=None,
        score=85,
        pattern=r"^\s*(?:Failed!\s+- Failed:\s+\d+|Total tests: \d+.*Failed: [1-9]|Test Run Failed\.)",
        needles="failed",
    ),
    _r(
        name="msbuild.failed",
        role=Role.SUMMARY,
        kind=None,
        score=68,
        pattern=r"^\s*Build FAILED\.",
        needles="build failed",
    ),
)

# RSpec / PHPUnit / mocha numbered failures
NUMBERED_LISTS: tuple[Rule, ...] = (
    _r(
        name="rspec.failure_error",
        role=Role.DETAIL,
        kind=None,
        score=92,
        pattern=r"^\s*Failure/Error: (?P<msg>.*)",
        needles="failure/error",
        after=2,
        names_tool="rspec",
    ),
    _r(
        name="rspec.rerun",
        role=Role.FAILURE,
        kind=K.TEST,
        score=93,
        pattern=r"^rspec (?P<file>\./\S+?):(?P<line>\d+) # (?P<test>.*)$",
        needles="rspec ",
        names_merged_tool=True,
    ),
    _r(
        name="rspec.tally",
        role=Role.SUMMARY,
        kind=None,
        score=86,
        pattern=r"^\d+ examples?, [1-9]\d* failures?",
        needles="failure",
        starts=tuple("0123456789"),
    ),
    _r(
        name="phpunit.test",
        role=Role.FAILURE,
        kind=K.TEST,
        score=95,
        # the data set is part of the test's name (JUnit XML's too): one data set fails, its siblings pass
        pattern=r"^\d+\) (?P<cls>[\w\\]+)::(?P<test>\w+(?: with data set (?:#\d+|\"[^\"]*\"))?)(?: \(.*\))?$",
        needles="::",
        after=1,
        class_colons=True,
    ),
    _r(
        name="phpunit.assert",
        role=Role.DETAIL,
        kind=None,
        score=90,
        pattern=r"^Failed asserting that (?P<msg>.*)",
        needles="failed asserting",
        whole_line=True,
        names_tool="phpunit",
        waits_for_test=True,
    ),
    # PHPUnit --testdox: what a "✘ test" failed with, inside its margin ("│ TypeError: ...", "├ Failed
    # asserting that ..." with --colors); the margin's paths are frames (phpunit.frame)
    _r(
        name="phpunit.testdox_detail",
        role=Role.DETAIL,
        kind=None,
        score=88,
        pattern=r"^\s*[│├] (?P<msg>[^\s/│].*?)\s*$",
        needles=("│ ", "├ "),
        under_tool="phpunit",
    ),
    _r(
        name="phpunit.tally",
        role=Role.SUMMARY,
        kind=None,
        score=85,
        pattern=r"^(?:Tests: \d+, Assertions: \d+, (?:Failures|Errors): [1-9]|FAILURES!$|ERRORS!$)",
        needles=("failures", "errors"),
        starts=("Tests:", "FAILURES!", "ERRORS!"),
    ),
    _r(
        name="php.fatal",
        role=Role.FAILURE,
        kind=K.CRASH,
        score=94,
        pattern=r"^(?:PHP )?(?:Fatal|Parse) error: (?P<msg>.*)",
        needles=("fatal error", "parse error"),
    ),
    # JUnitCore (JUnit 4's text listener): "1) method(com.example.ClassTest)", "1) m[0](C)" parametrized
    _r(
        name="junit4.test",
        role=Role.FAILURE,
        kind=K.TEST,
        score=95,
        pattern=r"^\d+\) (?P<test>[\w$]+(?:\[[^\]]*\])?)\((?P<cls>[\w$]+(?:\.[\w$]+)*)\)\s*$",
        needles=_line_start(*(f"{n}) " for n in range(1, 100)), indent=0),
        after=1,
    ),
    # ExUnit: "  1) test does x (MyApp.FooTest)", also "doctest ..." and StreamData's "property ..."
    _r(
        name="exunit.test",
        role=Role.FAILURE,
        kind=K.TEST,
        score=95,
        pattern=r"^\s{0,4}\d+\) (?P<test>(?:test|doctest|property) \S.*?) \((?P<cls>[A-Z][\w.]*)\)\s*$",
        needles=("test ", "doctest ", "property "),
        after=3,  # its location, the assertion and its code
    ),
    _r(
        name="numbered.failure",
        role=Role.FAILURE,
        kind=K.TEST,
        score=86,
        pattern=r"^\s{0,4}\d+\) (?P<test>\S.*?):?$",
        needles=_line_start(*(f"{n}) " for n in range(1, 100)), indent=6),
        after=3,
        unless=r"^\s*\d+\) (?:Run|Step|Task)\b",
        refine=hooks.numbered_failure,
        numbered=True,
    ),
)

# Package managers
PACKAGE_MANAGERS: tuple[Rule, ...] = (
    _r(
        name="npm.code",
        role=Role.FAILURE,
        kind=K.DEPENDENCY,
        score=88,
        pattern=r"^npm (?:ERR!|error) code (?P<code>\S+)",
        needles=("err!", "error code"),
        after=3,
        unless=r"code (?:1|ELIFECYCLE)\s*$",
        weak=True,
        refine=hooks.npm_code,
    ),
    _r(
        name="npm.missing_script",
        role=Role.FAILURE,
        kind=K.CONFIG,
        score=90,
        pattern=r"^npm (?:ERR!|error) (?P<msg>Missing script: .*)",
        needles="missing script",
    ),
    _r(
        name="npm.err",
        role=Role.GENERIC,
        kind=None,
        score=62,
        pattern=r"^npm (?:ERR!|error) (?P<msg>\S.*)",
        needles=("err!", "npm error"),
    ),
    _r(
        name="pnpm.err",
        role=Role.FAILURE,
        kind=K.DEPENDENCY,
        score=90,
        pattern=r"(?:^|\s)(?P<code>ERR_PNPM_\w+)\s*(?P<msg>.*)",
        needles="err_pnpm_",
    ),
    _r(
        name="yarn.dependency",
        role=Role.FAILURE,
        kind=K.DEPENDENCY,
        score=90,
        pattern=r"^error (?P<msg>(?:Couldn't find (?:package|any versions)|Package \".*\" not found"
        r"|.*Integrity check failed"
        r"|Incorrect integrity|.*doesn't satisfy found match|.*no such package available).*)",
        needles=("couldn't find", "not found", "integrity", "doesn't satisfy", "no such package"),
    ),
    _r(
        name="yarn.error",
        role=Role.GENERIC,
        kind=None,
        score=66,
        pattern=r"^error (?P<msg>.*)",
        needles="error ",
        unless=r"^error Command failed with exit code",
    ),
    _r(
        name="yarn.exit",
        role=Role.EXIT,
        kind=None,
        score=58,
        pattern=r"^error Command failed with exit code (?P<code>\d+)\.",
        needles="command failed",
    ),
    _r(
        name="yarn.berry",
        role=Role.FAILURE,
        kind=K.DEPENDENCY,
        score=86,
        pattern=r"^➤ YN\d{4}: .*(?:[Ee]rror|[Ff]ailed|[Cc]ouldn't|not found).*",
        needles="yn0",
    ),
    _r(
        name="pip.resolution",
        role=Role.FAILURE,
        kind=K.DEPENDENCY,
        score=94,
        pattern=r"^(?:ERROR: )?(?P<msg>(?:Could not find a version that satisfies the requirement|"
        r"Cannot install .* because these package versions have "
        r"conflicting dependencies|Failed building wheel for|Could not install "
        r"packages due to).*)",
        needles=("could not", "no matching", "resolutionimpossible", "cannot install", "failed building wheel"),
        from_requirements=True,
    ),
    # pip names where each requirement came from: "Collecting x==1.0 (from -r requirements.txt (line 4))",
    # "Processing ./wheels/x-1.0-py3-none-any.whl (from -r requirements.txt (line 4))"
    _r(
        name="pip.source",
        role=Role.COMMAND,
        kind=None,
        score=0,
        pattern=r"^(?:Collecting|Processing|Requirement already satisfied:|Obtaining) (?P<pkg>\S+).*"
        r"\(from -r (?P<file>[^\s()]+) \(line (?P<line>\d+)\)\)",
        needles="(from -r ",
        records=Record.REQUIREMENT_SOURCE,
    ),
    _r(
        name="pip.python",
        role=Role.FAILURE,
        kind=K.DEPENDENCY,
        score=93,
        pattern=r"^(?:ERROR: )?(?P<msg>Package '(?P<pkg>[^']+)' requires a different Python: .*)$",
        needles="requires a different python",
        from_requirements=True,
    ),
    _r(
        name="pip.followup",
        role=Role.DETAIL,
        kind=None,
        score=80,
        pattern=r"^(?:ERROR: )?(?P<msg>(?:No matching distribution found for|ResolutionImpossible"
        r"|Could not build wheels for).*)",
        needles=("no matching", "resolutionimpossible", "could not build wheels"),
        opens_alone=K.DEPENDENCY,
    ),
    _r(
        name="poetry.solver",
        role=Role.FAILURE,
        kind=K.DEPENDENCY,
        score=93,
        pattern=r"version solving failed|SolverProblemError"
        r"|Unable to find installation candidates|^\s*Because \S+ depends on ",
        needles=(
            "version solving failed",
            "solverproblemerror",
            "installation candidates",
            "depends on",
        ),
    ),
    _r(
        name="uv.no_solution",
        role=Role.FAILURE,
        kind=K.DEPENDENCY,
        score=92,
        pattern=r"^\s*(?:\u00d7|error:) (?P<msg>No solution found when resolving.*)",
        needles="no solution found",
    ),
    _r(name="uv.because", role=Role.DETAIL, kind=None, score=84, pattern=r"^\s*╰─▶ (?P<msg>.*)", needles="╰─▶"),
    _r(
        name="uv.error",
        role=Role.FAILURE,
        kind=K.DEPENDENCY,
        score=86,
        pattern=r"^\s*(?:\u00d7|error:) (?P<msg>Failed to (?:download|build|fetch|resolve).*)",
        needles=("failed to",),
    ),
    _r(
        name="bundler.error",
        role=Role.FAILURE,
        kind=K.DEPENDENCY,
        score=88,
        pattern=r"^(?P<msg>Could not find gem .*|Bundler could not find .*)",
        needles="could not find",
    ),
)

# Docker; a BuildKit step header is also the evidence the scanner adds for a failed step
DOCKER_STEP = _r(
    name="docker.step",
    role=Role.DOCKER_STEP,
    kind=None,
    score=0,
    pattern=r"^#(?P<n>\d+) \[[^\]]+\] (?P<cmd>\S.*)",
    needles=("] run ", "] copy ", "] add ", "] from "),
)
DOCKER: tuple[Rule, ...] = (
    DOCKER_STEP,
    _r(
        name="docker.failed_to_solve",
        role=Role.FAILURE,
        kind=K.CONFIG,
        score=92,
        pattern=r"^(?:ERROR|error): (?P<msg>failed to (?:solve|build).*)",
        needles="failed to",
        weak=True,
        kind_from_message=True,
        finds_docker_step=True,
    ),
    _r(
        name="docker.step_error",
        role=Role.DETAIL,
        kind=None,
        score=88,
        pattern=r"^#(?P<n>\d+) ERROR: (?P<msg>.*)",
        needles="error:",
        says_why=False,
        names_docker_step=True,
    ),
    _r(
        name="docker.summary",
        role=Role.DETAIL,
        kind=None,
        score=80,
        pattern=r"^ERROR \[(?P<stage>[^\]]+)\] (?P<cmd>.*)",
        needles="error [",
        says_why=False,
    ),
    _r(
        name="docker.legacy",
        role=Role.FAILURE,
        kind=K.CONFIG,
        score=91,
        pattern=r"^The command '(?P<cmd>.*)' returned a non-zero code: (?P<code>\d+)",
        needles="returned a non-zero code",
        weak=True,
        kind_from_message=True,
        finds_docker_step=True,
    ),
)

# Shell, make, git, Travis
SHELL_AND_CI: tuple[Rule, ...] = (
    # bash running a script: "./scripts/release.sh: line 6: helmfile-lint: command not found"
    _r(
        name="bash.not_found",
        role=Role.FAILURE,
        kind=K.CONFIG,
        score=93,
        pattern=r"^(?P<file>(?:[^\s:/]*/)+[^\s:/]+|[^\s:/]+\.(?:sh|bash)): line (?P<line>\d+): "
        r"(?P<msg>(?P<cmd>[^\s:]+): command not found)\s*$",
        needles="command not found",
        weak=True,  # like shell.not_found: beside a test or build failure it is setup chatter
    ),
    _r(
        name="bash.error",
        role=Role.FAILURE,
        kind=K.CONFIG,
        score=90,
        pattern=r"^(?P<file>[^\s:]+\.(?:sh|bash)): line (?P<line>\d+): (?P<msg>.*(?:unbound variable|syntax error.*"
        r"|No such file or directory|Permission denied|bad substitution|ambiguous redirect))\s*$",
        needles=(": line ",),
    ),
    _r(
        name="shell.not_found",
        role=Role.FAILURE,
        kind=K.CONFIG,
        score=93,
        pattern=r"(?:^|[\s:])(?P<cmd>[^\s:]+): command not found",
        needles="command not found",
        # a test whose name says it ("test_match[git: command not found] PASSED") did not fail
        unless=r"\sPASSED\b|^\s*(?:PASS(?:ED)?|ok|✓|✔)\s",
        # a missing helper in a script that went on is setup chatter beside a test or build failure
        weak=True,
    ),
    _r(
        name="shell.no_such_file",
        role=Role.DETAIL,
        kind=None,
        score=70,
        pattern=r"No such file or directory",
        needles="no such file",
    ),
    _r(
        name="shell.permission",
        role=Role.DETAIL,
        kind=None,
        score=72,
        pattern=r": Permission denied$",
        needles="permission denied",
    ),
    # GNU make's error in a makefile: "Makefile:9: *** missing separator.  Stop."
    _r(
        name="make.makefile",
        role=Role.FAILURE,
        kind=K.CONFIG,
        score=90,
        pattern=r"^(?P<file>(?:[^\s:]*/)?(?:GNUmakefile|[Mm]akefile|[^\s:/]+\.mk)):(?P<line>\d+): "
        r"\*\*\* (?P<msg>.+?)\s*$",
        needles="*** ",
    ),
    # GNU make with no rule for a prerequisite: "make: *** No rule to make target 'x.o', needed by 'lib.a'.  Stop."
    _r(
        name="make.no_rule",
        role=Role.FAILURE,
        kind=K.CONFIG,
        score=88,
        pattern=r"^(?:g?make|mingw32-make)(?:\[\d+\])?: \*\*\* (?P<msg>No rule to make target .*?)\s*$",
        needles="no rule to make target",
    ),
    _r(
        name="make.error",
        role=Role.EXIT,
        kind=None,
        score=62,
        pattern=r"^(?:g?make|mingw32-make)(?:\[\d+\])?: \*\*\* .*Error \d+",
        needles="*** ",
    ),
    _r(
        name="git.fatal",
        role=Role.FAILURE,
        kind=K.CONFIG,
        score=86,
        pattern=r"^fatal: (?P<msg>.*)",
        needles="fatal:",
        weak=True,
        kind_from_message=True,
    ),
    _r(
        name="travis.exit",
        role=Role.EXIT,
        kind=None,
        score=74,
        pattern=r"^The command \"(?P<cmd>.*)\" (?:failed and )?exited with (?P<code>[1-9]\d*)\.",
        needles="exited with",
        before=4,
        verdict=True,
    ),
    _r(
        name="npm.script",
        role=Role.COMMAND,
        kind=None,
        score=0,
        pattern=r"^> (?P<cmd>\S.*)$",
        needles=_line_start("> ", indent=0),
        unless=r"^> [\w@/.-]+@\d",  # "> pkg@1.0.0 test": npm's banner, not the command
    ),
    _r(
        name="jenkins.exit",
        role=Role.EXIT,
        kind=None,
        score=72,
        pattern=r"^(?:Build step '.*' marked build as failure|Finished: (?:FAILURE|ABORTED|UNSTABLE)"
        r"|ERROR: script returned exit code \d+)",
        needles=("marked build as failure", "finished: ", "script returned exit code"),
        before=4,
        verdict=True,
    ),
    _r(
        name="travis.step",
        role=Role.STEP,
        kind=None,
        score=0,
        pattern=r"^\$ (?P<cmd>\S.*)",
        needles=_line_start("$ ", indent=0),
    ),
    _r(
        name="script.exit",
        role=Role.EXIT,
        kind=None,
        score=60,
        pattern=r"(?:exited|exit(?:ing)?|failed) with (?:exit )?(?:code|status) (?P<code>[1-9]\d*)",
        needles=("exited with", "exit code", "exit status", "with code", "with status", "exiting with"),
    ),
    _r(
        name="hint.run",
        role=Role.HINT,
        kind=None,
        score=72,
        pattern=r"(?i:\bplease run\b|\brun `[^`]+` to (?:fix|update|format)|files listed below)",
        needles=("please run", "to fix", "to update", "to format", "listed below"),
        after=4,
    ),
    _r(
        name="precommit.failed",
        role=Role.SUMMARY,
        kind=None,
        score=84,
        pattern=r"^(?P<hook>\S(?:.*[^.])?)\.{3,}(?:\(no files to check\))?Failed$",
        needles="failed",
    ),
    _r(
        name="r.check",
        role=Role.SUMMARY,
        kind=None,
        score=82,
        pattern=r"^\s*(?:Running the tests in .* failed\.|Status: \d+ ERRORs?)",
        needles=("failed", "error"),
        starts=("Running the tests in", "Status:"),
    ),
    # Test::More (prove prints its diagnostics without -v): "#   Failed test 'name'" then "#   at t/x.t line 9.",
    # or an unnamed test's "#   Failed test at t/x.t line 9."
    _r(
        name="prove.failed_test",
        role=Role.FAILURE,
        kind=K.TEST,
        score=90,
        pattern=r"^\s*#\s+Failed test (?:'(?P<test>.*)'|at (?P<file>\S+) line (?P<line>\d+)\.)\s*$",
        needles="failed test",
        after=4,
        subtests_indented=True,
    ),
    _r(
        name="prove.at",
        role=Role.LOCATION,
        kind=None,
        score=84,
        pattern=r"^\s*#\s+at (?P<file>\S+) line (?P<line>\d+)\.\s*$",
        needles="#   at ",
    ),
    # Test::More's got/expected diagnostics under a failed test ("#          got: '3'", "#     expected: '2'")
    _r(
        name="prove.got",
        role=Role.DETAIL,
        kind=None,
        score=80,
        pattern=r"^\s*#\s+(?P<msg>(?:got|expected): .*)$",
        needles=("got: ", "expected: "),
        starts=("#",),
        joins=hooks.got_expected,
    ),
    # Perl's die/warn without a trailing newline: "MESSAGE at lib/Csv/Lite.pm line 7." (", <FH> line 3." when a
    # file was being read): where the code under test died; the compiler's errors end where the parser gave up
    # instead (", near "TEXT"", ", at end of line", ", at EOF"), and a compilation that failed is a fault of its own
    _r(
        name="perl.died",
        role=Role.DETAIL,
        kind=None,
        score=86,
        pattern=r"^(?P<msg>[^#\s].*?) at (?P<file>\S+\.(?:pm|pl|t|cgi|psgi)) line (?P<line>\d+)"
        r"(?:, <[^>]*> (?:line|chunk) \d+)?(?:\.|, near \S.*|, at end of line|, at EOF)$",
        needles=(".pm line ", ".pl line ", ".t line "),
        script_died=True,
    ),
    # CTest: "1/3 Test #1: matrix_test ......***Failed  0.01 sec" and its summary "  1 - matrix_test (Failed)"
    _r(
        name="ctest.test",
        role=Role.FAILURE,
        kind=K.TEST,
        score=92,
        # a name may hold blanks: gtest_discover_tests names a parameterized test by its value, "Suite.T/(1, "a")"
        pattern=r"^\s*\d+/\d+ Test\s+#\d+: (?P<test>\S.*?) \.*\s*(?:Subprocess aborted|Child aborted)?\*\*\*"
        r"(?P<msg>Failed|Exception: .*?|Timeout|Not Run)\s+[\d.]+ sec\s*$",
        needles="***",
        heading=True,
        output_below=True,
    ),
    _r(
        name="ctest.summary",
        role=Role.FAILURE,
        kind=K.TEST,
        score=88,
        pattern=r"^\s*\d+ - (?P<test>\S.*?) \((?P<msg>Failed|SEGFAULT|Timeout|Subprocess aborted|Child aborted"
        r"|Not Run|OTHER_FAULT|ILLEGAL|INTERRUPT|NUMERICAL|Exception)\)(?:\s+\S.*)?$",
        needles=(
            "(failed)",
            "(segfault)",
            "(timeout)",
            "aborted)",
            "(not run)",
            "(other_fault)",
            "(illegal)",
            "(exception)",
        ),
        heading=True,
    ),
    # what a failed CTest test printed (--output-on-failure) below its "***Failed" line: a check's
    # "path/test.cpp:12: message" (a C/C++ file and line opening the line, or after the program's name)
    _r(
        name="ctest.output",
        role=Role.DETAIL,
        kind=None,
        score=80,
        pattern=r"^(?:[^\s:]+: )?(?P<file>[^\s:]+\.(?:c|cc|cpp|cxx|c\+\+|h|hh|hpp|hxx)):"
        r"(?P<line>\d+):(?:\d+:)? (?P<msg>\S.*)$",
        needles=(".c:", ".cc:", ".cpp:", ".cxx:", ".c++:", ".h:", ".hh:", ".hpp:", ".hxx:"),
        locates=True,
        in_ctest_output=True,
    ),
    _r(
        name="tap.not_ok",
        role=Role.FAILURE,
        kind=K.TEST,
        score=84,
        pattern=r"^\s*not ok \d+ (?:- )?(?P<test>.*)$",
        needles="not ok",
        refine=hooks.tap_not_ok,
    ),
    # Bazel: "FAIL: //pkg:target (see .../test.log)" and the summary's "//pkg:target   FAILED in 0.4s"
    _r(
        name="bazel.test_failed",
        role=Role.FAILURE,
        kind=K.TEST,
        score=88,
        pattern=r"^FAIL: (?P<test>//\S*:\S+) \(see \S+\)",
        needles="fail: //",
    ),
    _r(
        name="bazel.summary_failed",
        role=Role.FAILURE,
        kind=K.TEST,
        score=86,
        pattern=r"^(?P<test>//\S*:\S+)\s+(?:\(cached\) )?(?:FAILED(?: TO BUILD)?|TIMEOUT|FLAKY)\b.*$",
        needles=("failed", "timeout", "flaky"),
        starts=("//",),
    ),
    _r(
        name="generic.check_mark",
        role=Role.FAILURE,
        kind=K.TEST,
        score=78,
        pattern=r"^\s*(?:✗|✘|✖|❌|\[-\]|\[FAIL\]|FAIL:?)\s+(?P<test>\S.*)$",
        needles=("✗", "✘", "✖", "❌", "[-]", "[fail]", "fail"),
        testdox_title=True,
    ),
)

# Fallbacks: strong (line starts like an error), then any error word
FALLBACKS: tuple[Rule, ...] = (
    _r(
        name="generic.error_prefix",
        role=Role.GENERIC,
        kind=None,
        score=58,
        pattern=r"^\s*(?:\[(?:ERROR|FATAL|FAIL|FAILED|error|fatal)\]|(?:ERROR|FATAL|Error|error|fatal|FAILED|FAIL|Fatal"
        r"|Exception|Uncaught \w+|Unhandled \w+)\b[:!]?|\*\* \((?:throw|exit|[A-Z][\w.]*)\))\s*(?P<msg>.*)",
        needles=("error", "fatal", "fail", "exception", "uncaught", "unhandled", "** ("),
    ),
    _r(
        name="generic.error_word",
        role=Role.GENERIC,
        kind=None,
        score=40,
        pattern=r"(?:^|[^\w/.-])(?:errors?|fail(?:ed|ure|ures|ing|s)?|fatal|exception|panic(?:ked)?|traceback|abort(?:ed)?"
        r"|cannot|could not|unable to|not found|denied|invalid|unexpected|missing|refused|mismatch"
        r")(?:$|[^\w/-])",
        needles=(
            "error",
            "fail",
            "fatal",
            "exception",
            "panic",
            "traceback",
            "abort",
            "cannot",
            "could not",
            "unable to",
            "not found",
            "denied",
            "invalid",
            "unexpected",
            "missing",
            "refused",
            "mismatch",
        ),
        flags=IGNORE_CASE,
    ),
)

# THE priority order, in one place: exclusions aside, the first rule of this table that matches a line wins
# (``scanner._first_rule``), and the one-pass engine (``multipattern``) and the byte scanner number the rules
# by their place here. Specific formats come before the generic ones that would also match them: the runner's
# own markers, stack frames and resource failures first, then each ecosystem's tools, the build tools and
# shells that run them, and the catch-all fallbacks last.
RULES: tuple[Rule, ...] = (
    *RUNNER,
    *FRAMES,
    *RESOURCES,
    *PYTEST,
    *PYTHON,
    *JAVASCRIPT,
    *GO,
    *RUST,
    *COMPILERS_AND_LINTERS,
    *FORMATTERS,
    *JVM,
    *REPOSITORY_LINTERS,
    *LINK_CHECKERS,
    *DOTNET,
    *NUMBERED_LISTS,
    *PACKAGE_MANAGERS,
    *DOCKER,
    *SHELL_AND_CI,
    *FALLBACKS,
)
