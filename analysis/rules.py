"""Rule tables: which log lines explain a failure, in the tools' real output formats.

Shaped like Treeherder's log parser: exclusions are checked first, then rules in table order; the first
rule that matches a line wins. Every rule names the lowercase ``needles`` of which at least one must occur
in the raw line, so the scanner runs a rule's regex only on the few lines one multi-needle pass picked.

Patterns run on a cleaned line (no colours or timestamps, leading indentation kept). Named groups fill the
Failure: ``test``, ``file``, ``line``, ``msg``, ``code``, ``cmd``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import Enum

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


@dataclass(frozen=True)
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


def _r(
    name: str,
    role: Role,
    kind: K | None,
    score: int,
    pattern: str,
    needles: str | tuple[str, ...],
    *,
    after: int = 0,
    before: int = 0,
    unless: str | None = None,
    flags: int = 0,
    weak: bool = False,
    starts: tuple[str, ...] = (),
) -> Rule:
    tool = name.split(".", 1)[0]
    return Rule(
        name,
        tool,
        role,
        kind,
        score,
        compile_linear(pattern, flags),
        (needles,) if isinstance(needles, str) else needles,
        after,
        before,
        compile_linear(unless, flags) if unless else None,
        weak,
        starts,
    )


def _line_start(*texts: str, indent: int = 4) -> tuple[str, ...]:
    """Needles for text at the start of a line: after a line break or a runner timestamp (``...Z ``)."""
    prefixes = ("\n", "z ", "m")  # line break, runner timestamp, end of a colour escape
    return tuple(f"{before}{' ' * n}{text}" for text in texts for before in prefixes for n in range(indent + 1))


F, D, L, S, X, H, G = (
    Role.FAILURE,
    Role.DETAIL,
    Role.LOCATION,
    Role.SUMMARY,
    Role.EXIT,
    Role.HINT,
    Role.GENERIC,
)
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


def is_excluded(line: str) -> bool:
    """Whether any exclusion pattern matches, without running those whose literals are absent."""
    low = line.lower()
    for index, (needles, pattern) in enumerate(_EXCLUSION_CHECKS):  # plain loops: on every fallback candidate
        for needle in needles:
            if needle in low:
                test = _EXCLUSION_TESTS.get(index)
                if (pattern.search(line) is not None) if test is None else test(pattern, line):
                    return True
                break
    return False


_PY_EXC = r"(?:[A-Za-z_][\w.]*\.)?[A-Z]\w*(?:Error|Exception|Exit|Interrupt|Warning|Failure|Fault)"
# Package roots of JVM class names (``java.lang.X``, ``org.junit.X``): such an exception line is the JVM's,
# left to ``java.exception`` so the tool (and the pattern text) says java, not python.
_JVM_ROOT = r"(?:java|javax|jdk|kotlin|kotlinx|scala|groovy|org|com|io|net|hudson|jenkins|android|akka)\."
_PATH = r"[^\s:'\"()\[\]]+"

RULES: tuple[Rule, ...] = (
    # --- GitHub Actions runner markers and workflow commands ---
    _r("actions.step", Role.STEP, None, 0, r"^##\[group\](?P<cmd>Run .*)", "##[group]run"),
    _r(
        "actions.timeout",
        F,
        K.TIMEOUT,
        98,
        r"^##\[error\](?P<msg>The job running on runner .* has exceeded the maximum execution time .*)",
        "exceeded the maximum",
    ),
    _r(
        "actions.cancelled",
        F,
        K.INFRA,
        80,
        r"^##\[error\](?P<msg>The operation was canceled\.?)$",
        "canceled",
        weak=True,
    ),
    _r(
        "actions.runner_lost",
        F,
        K.INFRA,
        95,
        r"The runner has received a shutdown signal|lost communication with the server"
        r"|The hosted runner encountered an error|runner \S+ did not connect",
        ("shutdown signal", "lost communication", "hosted runner encountered", "did not connect"),
    ),
    _r(
        "actions.exit",
        X,
        None,
        70,
        r"^##\[error\](?P<msg>Process completed with exit code (?P<code>\d+)\.?)",
        "exit code",
        before=3,
    ),
    _r(
        "actions.workflow_error",
        F,
        K.UNKNOWN,
        90,
        r"^::error(?: (?P<props>[^:]*))?::(?P<msg>.*)",
        "::error",
    ),
    # yamllint's github format (its default under GitHub Actions): "::group::FILE", then per problem
    # "::error file=F,line=L,col=C::L:C [rule] message" (``::warning`` for warnings, no "[rule]" for a syntax
    # error), which the runner shows as "##[error]L:C [rule] message" under a "##[group]FILE" heading
    _r(
        "yamllint.github",
        F,
        K.LINT,
        90,
        r"^##\[(?P<sev>error|warning)\](?P<line>\d+):\d+ (?:\[(?P<code>[\w-]+)\] )?(?P<msg>\S.*)$",
        ("##[error]", "##[warning]"),
        starts=("##[",),
    ),
    # a tool's own GitHub annotation (ruff/flake8 --output-format=github, eslint -f github, ...) as the runner
    # prints it in the log: "##[error]src/pkg/mod.py:15:49: E741 Ambiguous variable name: `l`"
    _r(
        "annotation.error",
        F,
        K.LINT,
        88,
        r"^##\[error\](?P<file>[^\s:]+\.\w+):(?P<line>\d+)(?::\d+)?: (?:(?P<code>[A-Z]{1,4}\d{2,4}) )?(?P<msg>\S.*)$",
        "##[error]",
    ),
    _r("actions.error", G, None, 78, r"^##\[error\](?P<msg>.+)", "##[error]"),
    # --- stack frames (scored 0: they locate a failure, the excerpt keeps them through its anchors) ---
    # Python tracebacks; faulthandler prints "line N in f" without the comma, innermost call first
    _r(
        "python.frame",
        Role.FRAME,
        None,
        0,
        r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+)(?P<sep>,? in )(?P<func>\S+)',
        'file "',
    ),
    # pytest's own frames (--tb=long|short): "tests/test_x.py:13: in test_x" and a bare "src/m.py:7: "
    _r(
        "pytest.frame",
        Role.FRAME,
        None,
        0,
        r"^(?P<file>[^\s:'\"()\[\]]+\.py):(?P<line>\d+): (?:in (?P<func>\S+))?\s*$",
        (".py:",),
    ),
    # JVM: "at com.example.ShapesTest.area(ShapesTest.java:14)" (a module prefix "java.base/" allowed)
    _r(
        "jvm.frame",
        Role.FRAME,
        None,
        0,
        r"^\s*at (?:[\w.-]+(?:@[\w.-]+)?/+)*(?P<cls>[\w$]+(?:\.[\w$]+)*)\.(?P<func>[\w$<>-]+)"
        r"\((?P<file>[\w$-]+\.(?:java|kt|kts|scala|groovy)):(?P<line>\d+)\)",
        (*_line_start("at ", indent=16), "\tat "),
    ),
    # JUnit Platform console launcher's traces: the frame without "at " ("   com.example.FooTest.m(FooTest.java:21)")
    _r(
        "junit5.frame",
        Role.FRAME,
        None,
        0,
        r"^\s+(?:[\w.-]+(?:@[\w.-]+)?/+)?(?P<cls>[\w$]+(?:\.[\w$]+)+)\.(?P<func>[\w$<>-]+)"
        r"\((?P<file>[\w$-]+\.(?:java|kt|kts|scala|groovy)):(?P<line>\d+)\)\s*$",
        (".java:", ".kt:", ".kts:", ".scala:", ".groovy:"),
    ),
    # ExUnit's stacktrace, innermost first: "test/foo_test.exs:25: (test)", "lib/foo.ex:13: Foo.total/1"; a
    # module of an application is prefixed "(app 1.2.3) ": the project's own app's frames are the repository's
    # (the scanner knows its name from mix's "Generated app app"), a dependency's or Elixir's never
    _r(
        "exunit.frame",
        Role.FRAME,
        None,
        0,
        r"^\s+(?:\((?P<app>\w+) [\w.+-]+\) )?(?P<file>[\w./-]+\.exs?):(?P<line>\d+): (?P<func>\S.*)$",
        (".ex:", ".exs:"),
    ),
    # mix compiled the project's application: "Generated roman app" (an umbrella's apps: "==> roman" first)
    _r("mix.generated", Role.COMMAND, None, 0, r"^Generated (?P<app>\w+) app\s*$", "generated "),
    # .NET: "at Ns.CalcTests.Adds() in /home/runner/work/r/r/tests/CalcTests.cs:line 12"
    _r(
        "dotnet.frame",
        Role.FRAME,
        None,
        0,
        r"^\s*at \S.* in (?P<file>\S+?\.(?:cs|fs|vb)):line (?P<line>\d+)\s*$",
        _line_start("at ", indent=16),
    ),
    # node (jest, mocha, vitest's stack, plain node) and Rust backtraces: "at f (path:L:C)", "at path:L:C"
    _r(
        "node.frame",
        Role.FRAME,
        None,
        0,
        r"^\s*at (?:(?:async |new )?[^()\s][^()]* \()?(?P<file>[^\s()]+?):(?P<line>\d+)(?::\d+)?\)?\s*$",
        (*_line_start("at ", indent=16), "\tat "),
    ),
    # Go goroutine dumps: a tab, the file, its line and the frame's offset
    _r("go.frame", Role.FRAME, None, 0, r"^\s+(?P<file>\S+\.go):(?P<line>\d+)(?: \+0x[0-9a-f]+)?\s*$", ".go:"),
    # PHPUnit's trace under a failure: the file and line alone, innermost call first (--testdox draws a
    # margin before it: "│ " plain, "╵ " with --colors, "┊ " beside a diff)
    _r("phpunit.frame", Role.FRAME, None, 0, r"^(?:\s*[│╵┊]\s*)?(?P<file>\S+\.php):(?P<line>\d+)\s*$", ".php:"),
    # Ruby's backtrace (minitest's "Error:" block, an uncaught exception's "from" lines), innermost call first:
    # "/w/r/r/lib/tally.rb:7:in `add'" (Ruby 3.4: "in 'Tally#add'")
    _r(
        "ruby.frame",
        Role.FRAME,
        None,
        0,
        r"^\s+(?:from )?(?P<file>[^\s:#]+\.rb):(?P<line>\d+):in [`'](?P<func>[^'`]+)'\s*$",
        (".rb:",),
    ),
    # RSpec's backtrace under a failure: "# ./spec/calc_spec.rb:12:in 'block (2 levels) in <top>'"
    _r("rspec.frame", Role.FRAME, None, 0, r"^\s*# (?P<file>\S+\.rb):(?P<line>\d+)(?::in |\s*$)", ".rb:"),
    # --- timeouts, kills, crashes, resources ---
    _r(
        "travis.stalled",
        F,
        K.TIMEOUT,
        96,
        r"(?P<msg>No output has been received in the last \S+.*"
        r"|The job exceeded the maximum (?:time limit|log length).*)",
        ("no output has been received", "exceeded the maximum"),
    ),
    _r(
        "go.timeout",
        F,
        K.TIMEOUT,
        97,
        r"^panic: (?P<msg>test timed out after \S+)",
        "timed out",
        after=2,
    ),
    _r(
        "timeout.generic",
        F,
        K.TIMEOUT,
        86,
        r"(?P<msg>(?:Exceeded timeout of \d+ ?ms|Timeout of \d+ms exceeded|Failed: Timeout >[\d.]+s"
        r"|\bTimed? ?out after \d|timed out after \d|\bcontext deadline exceeded|Tests? timed out"
        r"|Timeout \+{3,}).*)",
        ("timeout", "timed out", "deadline exceeded", "time out"),
        flags=0,
    ),
    _r(
        "oom.killed",
        F,
        K.CRASH,
        95,
        r"JavaScript heap out of memory|java\.lang\.OutOfMemoryError|^MemoryError\b"
        r"|Out of memory: Killed process|\bOOMKilled\b|Killed process \d+|^Killed$|signal: killed"
        r"|\bexit(?:ed)? (?:with )?(?:code|status) 137\b|fatal error: runtime: out of memory"
        r"|[Cc]annot allocate memory",
        (
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
        "crash.segfault",
        F,
        K.CRASH,
        95,
        r"Segmentation fault|SIGSEGV|SIGABRT|SIGBUS|core dumped|Fatal Python error|"
        r"==\d+==\s*ERROR: \w+Sanitizer|Aborted \(core|Abort trap|stack overflow|"
        r"exit(?:ed)? (?:with )?(?:code|status) 139\b",
        (
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
    ),
    _r(
        "infra.disk",
        F,
        K.INFRA,
        95,
        r"No space left on device|ENOSPC|disk quota exceeded",
        ("no space left", "enospc", "disk quota"),
        flags=IGNORE_CASE,
    ),
    _r(
        "infra.network",
        F,
        K.INFRA,
        88,
        r"(?:Could not resolve host|Temporary failure in name resolution|Name or service not known"
        r"|Connection (?:reset by peer|refused|timed out)|ECONNRESET|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN"
        r"|ENOTFOUND|socket hang up|TLS handshake timeout|Max retries exceeded with url|rate limit exceeded"
        r"|toomanyrequests|502 Bad Gateway|503 Service Unavailable|504 Gateway Time-?out"
        r"|server returned error"
        r"|Bad Gateway|Service Unavailable|The requested URL returned error: 5\d\d"
        r"|unable to access '[^']*': )",
        (
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
    # --- pytest ---
    _r(
        "pytest.summary_failed",
        F,
        K.TEST,
        96,
        r"^(?P<sev>FAILED|ERROR) (?P<test>[^\s:]+\.py(?:::[^\s\[]+(?:\[.*?\])?)*)(?: - (?P<msg>.*))?$",
        ("failed", "error"),
        starts=("FAILED ", "ERROR "),
    ),
    _r(
        "pytest.section",
        F,
        K.TEST,
        88,
        r"^_{3,} (?P<test>(?:ERROR (?:collecting|at setup of|at teardown of) )?[\w.:/\[\]-].*?) _{3,}$",
        "___ ",
        after=1,
        unless=r"^_+ (?:coverage|summary|captured|warnings)\b",
        starts=("_",),
    ),
    # ("E    1 / 1 (100%)" is PHPUnit's progress line: one test, in error)
    _r(
        "pytest.assert",
        D,
        None,
        92,
        r"^E {2,}(?P<msg>\S.*)",
        _line_start("e   "),
        after=1,
        unless=r"^E +\d+ / \d+ \( *\d+%\)\s*$",
    ),
    _r(
        "pytest.location",
        L,
        None,
        84,
        # the exception's class ends the line (long, short), or its text follows (--tb=line); pytest names
        # any class: KeyError, Failed, InvalidOperation, StopIteration
        r"^(?P<file>" + _PATH + r"\.py):(?P<line>\d+): (?P<msg>(?:" + _PY_EXC + r"|Failed|AssertionError|assert)\b"
        r"|(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:\s*$|: ))",
        (".py:",),
    ),
    _r(
        "pytest.tally",
        S,
        None,
        86,
        r"^=+ .*\b\d+ (?:failed|errors?)\b.* in [\d.]+s.*=+$",
        ("failed", "error"),
        starts=("=",),
    ),
    _r(
        "pytest.interrupted",
        S,
        None,
        86,
        r"^(?:!+ )?Interrupted: \d+ errors? during collection",
        "interrupted",
    ),
    _r(
        "pytest.section_header",
        S,
        None,
        45,
        r"^=+ (?:FAILURES|ERRORS|short test summary info) =+$",
        ("failures", "errors", "short test summary"),
        starts=("=",),
    ),
    # --- unittest / Python tracebacks ---
    _r(
        "unittest.fail",
        F,
        K.TEST,
        94,
        # a subtest adds its parameters: "FAIL: test_x (tests.t.C.test_x) (i=2)"; a module that failed to
        # import is "ERROR: tests.t (unittest.loader._FailedTest.tests.t)"
        r"^(?P<sev>FAIL|ERROR): (?P<test>[\w.]+) \((?P<cls>[\w.]+)\)(?: (?P<sub>\(.*\)|\[.*\]))?\s*$",
        ("fail:", "error:"),
        after=1,
        starts=("FAIL:", "ERROR:"),
    ),
    _r("unittest.tally", S, None, 85, r"^FAILED \((?:failures|errors)=\d+", "failed ("),
    _r("python.traceback", D, None, 60, r"^\s*Traceback \(most recent call last\):", "traceback"),
    _r(
        "python.exception",
        D,
        None,
        88,
        r"^(?P<exc>" + _PY_EXC + r")(?:: (?P<msg>.*))?$",
        ("error:", "error\n", "exception:", "exception\n", "systemexit", "interrupt", "failure:", "warning:"),
        unless=r"^" + _JVM_ROOT,
    ),
    # --- jest / vitest / mocha / node ---
    _r(
        "jest.test",
        F,
        K.TEST,
        95,
        r"^\s*● (?P<test>.+?)\s*$",
        "●",
        after=2,
        unless=r"^\s*● Console\b",
    ),
    _r(
        "vitest.fail",
        F,
        K.TEST,
        95,
        r"^\s*(?:FAIL|\u00d7|✗)\s+(?P<file>\S+\.[cm]?[jt]sx?)\s+>\s+(?P<test>.+?)(?:\s+\d+m?s)?$",
        ("fail", "\u00d7", "✗"),
        after=1,
    ),
    # vitest's code frame and stack (U+276F): "test/x.test.ts:6:27", "price src/cart.ts:5:11"
    _r(
        "vitest.location",
        L,
        None,
        82,
        r"^\s*\u276f (?:\S+ )?(?P<file>\S+\.[cm]?[jt]sx?):(?P<line>\d+):\d+\s*$",
        "\u276f",
    ),
    _r(
        "jest.file",
        F,
        K.TEST,
        82,
        r"^\s*FAIL\s+(?P<file>\S+\.(?:[cm]?[jt]sx?|vue|svelte))\b",
        "fail",
        starts=("FAIL",),
    ),
    _r(
        "jest.failed_test",
        F,
        K.TEST,
        84,
        r"^\s*(?:✕|\u00d7|✗)\s+(?P<test>.+?)(?:\s+\(\d+(?:\.\d+)? ?m?s\))?$",
        ("✕", "\u00d7", "✗"),
        # lychee marks a dead link "✗ [404] https://...": a link checker's line, not a test
        unless=r"No solution found|Failed to (?:download|build|fetch|resolve)|\bdependencies\b"
        r"|^\s*✗ \[(?:\d{3}|ERR|ERROR|TIMEOUT)\] (?:https?|file)://",
    ),
    _r("jest.matcher", D, None, 85, r"^\s*expect\((?:received|jest\.fn\(\)|value)\)\.[\w.]+\(.*\)", "expect("),
    _r(
        "jest.expect",
        D,
        None,
        86,
        r"^\s*(?:Expected|Received)(?: [\w ]{1,25})?:\s+\S",
        ("expected", "received"),
        after=1,
    ),
    _r("jest.no_tests", F, K.CONFIG, 90, r"(?P<msg>No tests found, exiting with code \d+)", "no tests found"),
    _r(
        "jest.tally",
        S,
        None,
        84,
        r"^\s*(?:Tests|Test Suites|Test Files):\s+.*\b\d+ failed\b",
        "failed",
        starts=("Tests:", "Test Suites:", "Test Files:"),
    ),
    _r(
        "jest.retries",
        F,
        K.TEST,
        86,
        r"^(?P<test>\S+) failed to pass within \d+ retr",
        "failed to pass",
    ),
    _r("mocha.tally", S, None, 86, r"^\s*\d+ failing\b", "failing"),
    _r(
        "node.error",
        D,
        None,
        82,
        r"^\s*(?P<exc>(?:Assertion|Type|Reference|Syntax|Range)?Error(?: \[\w+\])?): (?P<msg>.*)",
        ("error: ", "error ["),
    ),
    # --- go ---
    _r(
        "go.test", F, K.TEST, 96, r"^\s*--- FAIL: (?P<test>\S+)(?: \([\d.]+s\))?", "fail", after=2, starts=("--- FAIL",)
    ),
    # gotestsum's failure headings ("=== FAIL: ./pkg TestX (0.00s)") and `go test -json`'s fail events (test2json
    # writes Time, Action, Package, Test in that order)
    _r(
        "go.gotestsum_fail",
        F,
        K.TEST,
        95,
        r"^=== FAIL: (?P<pkg>\S+) (?P<test>\S+)(?: \([\d.]+s\))?\s*$",
        "=== fail:",
        after=2,
        starts=("=== FAIL",),
    ),
    _r(
        "go.json_fail",
        F,
        K.TEST,
        94,
        r"\"Action\":\"fail\",\"Package\":\"(?P<pkg>[^\"]*)\",\"Test\":\"(?P<test>[^\"]+)\"",
        '"action":"fail"',
    ),
    # go test -json: what a test logged ("Output":"    x_test.go:12: got 3, want 4\n"), keyed by its "Test"
    _r(
        "go.json_assert",
        D,
        None,
        87,
        r"\"Action\":\"output\",\"Package\":\"[^\"]*\",\"Test\":\"(?P<test>[^\"]+)\",\"Output\":\"(?:\s|\\t)+"
        r"(?P<file>[\w./-]+_test\.go):(?P<line>\d+): (?P<msg>.*?)(?:\\n)?\"",
        "_test.go:",
    ),
    # go test -v: a test starts; what it logs until its "--- FAIL" is its own
    _r("go.run", Role.COMMAND, None, 0, r"^=== (?:RUN|CONT|PAUSE|NAME)\s+(?P<test>\S+)", "=== ", starts=("===",)),
    _r(
        "go.assert",
        D,
        None,
        87,
        r"^\s+(?P<file>[\w./-]+_test\.go):(?P<line>\d+): (?P<msg>.*)",
        "_test.go:",
    ),
    _r(
        "go.pkg_fail",
        S,
        None,
        72,
        r"^FAIL\s+(?P<pkg>\S+)\s+(?:[\d.]+s|\[build failed\]|\[setup failed\])",
        "fail",
        starts=("FAIL",),
    ),
    _r("go.panic", F, K.CRASH, 95, r"^panic: (?P<msg>.*)", "panic", after=2),
    # Ginkgo v2: "• [FAILED] [0.01 seconds]", the spec's name on the next line; "[FAILED] message" and
    # "In [It] at: file:line" under it; the summary's "[FAIL] name" repeats it
    _r(
        "ginkgo.spec",
        F,
        K.TEST,
        94,
        r"^\s*• \[(?P<state>FAILED|PANICKED|TIMEDOUT|INTERRUPTED|ABORTED)\] \[[\d.]+ seconds?\]",
        "• [",
        after=2,
    ),
    _r(
        "ginkgo.summary",
        F,
        K.TEST,
        90,
        r"^\s*\[(?:FAIL|PANICKED!?|TIMEDOUT|INTERRUPTED|ABORTED)\] "
        r"(?P<test>.*\[(?:It|BeforeEach|AfterEach|JustBeforeEach|BeforeAll|AfterAll|BeforeSuite|AfterSuite|SynchronizedBeforeSuite|SynchronizedAfterSuite|DeferCleanup)"
        r"\] .*?)\s*$",
        ("[fail] ", "[panicked] ", "[panicked!] ", "[timedout] ", "[interrupted] ", "[aborted] "),
    ),
    _r(
        "ginkgo.failed",
        D,
        None,
        90,
        r"^\s*\[(?:FAILED|PANICKED|TIMEDOUT|ABORTED)\] (?P<msg>\S.*)$",
        ("[failed] ", "[panicked] ", "[timedout] ", "[aborted] "),
        after=4,
    ),
    _r(
        "ginkgo.location",
        L,
        None,
        84,
        r"^\s*In \[\w+\] at: (?P<file>\S+\.go):(?P<line>\d+)",
        "] at: ",
    ),
    # --- rust: rustc, cargo test, nextest, trybuild ---
    _r(
        "rustc.error",
        F,
        K.COMPILE,
        94,
        r"^\s*error(?:\[(?P<code>E\d{4})\])?: (?P<msg>.*)",
        "error",
        after=1,
        unless=r"^\s*error: (?:could not compile|aborting due to|test failed, to rerun|Recipe"
        r"|process didn't exit|\d+ targets? failed"
        r"|build failed|failed to run custom build command|test run failed"
        r"|Failed to (?:download|build|fetch|resolve))",
        starts=("error",),
    ),
    # ruff's full format: "F841 Local variable ..." (no "[*]" when there is no safe fix), then "  --> FILE:L:C"
    _r(
        "ruff.full_location",
        F,
        K.LINT,
        89,
        r"^\s*--> (?P<file>" + _PATH + r"\.pyi?):(?P<line>\d+):\d+\s*$",
        "-->",
    ),
    _r(
        "rustc.location",
        L,
        None,
        90,
        r"^\s*--> (?P<file>[^\s:]+):(?P<line>\d+):(?P<col>\d+)",
        "-->",
    ),
    _r(
        "cargo.test",
        F,
        K.TEST,
        93,
        r"^test (?P<test>\S+) \.\.\. (?:FAILED|mismatch|error)",
        ("failed", "mismatch", "error"),
        starts=("test ",),
    ),
    # cargo test -q (libtest's terse format) names each failing test as it finishes
    _r("cargo.terse", F, K.TEST, 92, r"^(?P<test>[\w:]+) --- FAILED\s*$", "--- failed"),
    _r("cargo.stdout", F, K.TEST, 88, r"^---- (?P<test>\S+) stdout ----$", "stdout ----", after=2),
    _r(
        "rust.panic",
        D,
        None,
        92,
        r"thread '(?P<thread>[^']*)'(?: \(\d+\))? panicked at (?:(?P<file>[^\s:']+\.rs):(?P<line>\d+):\d+:?\s*$"
        r"|'(?P<quoted>.*)', (?P<file2>[^\s:']+\.rs):(?P<line2>\d+):\d+\s*$|(?P<msg>.*))",
        "panicked",
        after=3,
    ),
    # libtest: a #[should_panic] test that returned ("note: test did not panic as expected at src/lib.rs:28:8";
    # the location since Rust 1.80)
    _r(
        "cargo.no_panic",
        D,
        None,
        90,
        r"^note: (?P<msg>test did not panic as expected)(?: at (?P<file>[^\s:]+\.rs):(?P<line>\d+):\d+)?\s*$",
        "did not panic",
    ),
    _r(
        "nextest.fail",
        F,
        K.TEST,
        96,
        r"^\s*(?:FAIL|SIGSEGV|SIGABRT|TIMEOUT|LEAK-FAIL) \[\s*[\d.]+s\] "
        r"(?:\(\s*\d+/\d+\) )?(?P<test>.+?)\s*$",
        ("fail", "sigsegv", "sigabrt", "timeout"),
        starts=("FAIL", "SIGSEGV", "SIGABRT", "TIMEOUT", "LEAK-FAIL"),
    ),
    _r(
        "cargo.tally",
        S,
        None,
        86,
        r"^\s*(?:test result: FAILED\.|Summary \[.*\d+ failed|\d+ of \d+ tests? failed"
        r"|error: test failed, to rerun)",
        ("failed",),
    ),
    _r("rustc.abort", S, None, 70, r"^\s*error: (?:could not compile|aborting due to) .*", "error", starts=("error:",)),
    # --- TypeScript, MSBuild/C#, javac, gcc/clang, go build, linters with file:line[:col] ---
    _r(
        "tsc.error",
        F,
        K.TYPE,
        94,
        r"^(?P<file>[^\s(]+)(?:\((?P<line>\d+),\d+\):|:(?P<line2>\d+):\d+ -) "
        r"error (?P<code>TS\d+): (?P<msg>.*)",
        "error ts",
    ),
    # pyright's CLI: "  /path/src/x.py:5:15 - error: Type "int" is not assignable ..." (the rule on a later line)
    _r(
        "pyright.error",
        F,
        K.TYPE,
        93,
        r"^\s*(?P<file>[^\s:]+\.pyi?):(?P<line>\d+):\d+ - error: (?P<msg>.+?)(?: \((?P<code>report\w+)\))?\s*$",
        " - error: ",
    ),
    _r(
        "dotnet.compile",
        F,
        K.COMPILE,
        94,
        r"^\s*(?P<file>[^\s(]+)\((?P<line>\d+),\d+\): error (?P<code>[A-Z]+\d+): "
        r"(?P<msg>.*?)(?: \[[^\]]+\])?$",
        "): error ",
    ),
    _r(
        "mypy.error",
        F,
        K.TYPE,
        93,
        r"^(?P<file>" + _PATH + r"\.pyi?):(?P<line>\d+)(?::\d+)?: error: (?P<msg>.*?)(?:\s+\[(?P<code>[\w-]+)\])?$",
        "error:",
    ),
    _r(
        "maven.compile",
        F,
        K.COMPILE,
        94,
        r"^\[ERROR\] (?P<file>\S+\.(?:java|kt|scala|groovy)):\[(?P<line>\d+),\d+\] (?P<msg>.*)",
        "error",
        starts=("[ERROR] ",),
    ),
    # XCTest's own output (swift test, xcodebuild without xcpretty): "-[Module.Class test]" on macOS,
    # "Class.test" with swift-corelibs-xctest on Linux
    _r(
        "xctest.failure",
        F,
        K.TEST,
        94,
        r"^(?P<file>\S+\.swift):(?P<line>\d+): error: "
        r"(?:-\[(?P<cls>[\w.]+) (?P<test>\w+)\]|(?P<cls2>[\w.]+)\.(?P<test2>\w+)) : (?P<msg>.*)$",
        ".swift:",
    ),
    # C/C++ assert(): glibc "prog: file:line: func: Assertion `expr' failed.", musl "Assertion failed: expr
    # (file: func: line)", BSD/macOS "Assertion failed: (expr), function func, file file, line N."
    _r(
        "c.assert",
        F,
        K.TEST,
        93,
        r"^(?:[^\s:]+: )?(?P<file>[^\s:]+\.(?:c|cc|cpp|cxx|h|hh|hpp)):(?P<line>\d+): (?P<func>[^`'\u2018]+?): "
        r"(?P<msg>Assertion [`'\u2018].*['\u2019] failed\.?)\s*$"
        r"|^(?P<msg2>Assertion failed: .*?),? \(?(?:function (?P<func2>\S+), file (?P<file2>\S+), line (?P<line2>\d+)\."
        r"|(?P<file3>[^\s:]+): (?P<func3>[^:]+): (?P<line3>\d+)\))\s*$",
        ("assertion ",),
    ),
    _r(
        "gcc.error",
        F,
        K.COMPILE,
        94,
        r"^(?P<file>[^\s:]+\.\w+):(?P<line>\d+):(?:\d+:)? (?:fatal )?error:(?: (?P<msg>.*)|\s*$)",
        "error:",
        after=2,
    ),
    _r(
        "eslint.unix",
        F,
        K.LINT,
        86,
        r"^(?P<file>[^\s:]+\.(?:[cm]?[jt]sx?|vue|svelte)):(?P<line>\d+)(?::\d+)?(?: (?P<msg>.+) \((?P<code>[\w@/-]+)\)"
        r"|: (?P<msg2>.+) \[Error/(?P<code2>[\w@/-]+)\])$",
        (".js:", ".ts:", ".jsx:", ".tsx:", ".mjs:", ".cjs:", ".vue:", ".svelte:"),
    ),
    _r(
        "kotlin.error",
        F,
        K.COMPILE,
        93,
        r"^e: (?:file://)?(?P<file>\S+\.kts?)(?::(?P<line>\d+):\d+:?|: \((?P<line2>\d+), \d+\):) (?P<msg>.*)",
        ("e: file:", "e: /"),
    ),
    _r(
        "scala.error",
        F,
        K.COMPILE,
        92,
        r"^\[error\] (?:-- .*Error: )?(?P<file>/\S+\.scala):(?P<line>\d+):(?:\d+:)? (?P<msg>.*)",
        "[error]",
    ),
    _r(
        "linker.error",
        F,
        K.COMPILE,
        90,
        r"^(?:(?P<file>[^\s:]+\.\w+):(?P<line>\d+): )?.*?(?P<msg>undefined reference to .*)"
        r"|Undefined symbols for architecture|ld: symbol\(s\) not found"
        r"|cannot find -l\w+",
        ("undefined reference", "undefined symbols", "symbol(s) not found", "cannot find -l"),
    ),
    _r(
        "linker.exit",
        S,
        None,
        70,
        r"ld returned \d+ exit status|linker command failed with exit code",
        ("ld returned", "linker command"),
    ),
    _r(
        "cmake.error",
        F,
        K.CONFIG,
        93,
        r"^CMake Error(?: at (?P<file>[^\s:]+):(?P<line>\d+))?.*",
        "cmake error",
        after=2,
    ),
    _r(
        "ruff.error",
        F,
        K.LINT,
        90,
        r"^(?P<file>" + _PATH + r"\.pyi?):(?P<line>\d+):\d+: (?P<code>[A-Z]{1,3}\d{2,4}) (?:\[\*\] )?(?P<msg>.*)",
        ".py:",
    ),
    _r(
        "ruff.concise",
        F,
        K.LINT,
        89,
        r"^(?:error\[)?(?P<code>[A-Z]{1,4}\d{3,4})\]?:? (?:\[\*\] )?(?P<msg>.+)$",
        ("[*]", "error["),
    ),
    _r(
        "pylint.error",
        F,
        K.LINT,
        88,
        r"^(?P<file>" + _PATH + r"\.py):(?P<line>\d+):\d+: (?P<code>[CRWEF]\d{4}): (?P<msg>.*?)(?: \([\w-]+\))?$",
        ".py:",
    ),
    _r("pylint.score", S, None, 60, r"^Your code has been rated at [\d.-]+/10", "rated at"),
    _r(
        "golint.error",
        F,
        K.LINT,
        88,
        r"^(?P<file>[^\s:]+\.go):(?P<line>\d+):\d+: (?P<msg>.*\(\w+\))$",
        ".go:",
    ),
    _r(
        "go.build",
        F,
        K.COMPILE,
        91,
        r"^(?:\.\.?/)?(?P<file>[^\s:]+\.go):(?P<line>\d+):(?:\d+:)? (?P<msg>.*)",
        ".go:",
        unless=r"_test\.go:\d+: ",
    ),
    # yamllint (parsable columns, the rule in parentheses; its file heads the block like eslint's). Warnings
    # do not fail a yamllint run unless --strict, so only errors open failures.
    _r(
        "yamllint.error",
        F,
        K.LINT,
        90,
        r"^\s+(?P<line>\d+):\d+\s+error\s+(?P<msg>.+?)\s+\((?P<code>[\w-]+)\)\s*$",
        "error",
        starts=tuple("0123456789"),
    ),
    # yamllint -f parsable: "FILE:L:C: [error] message (rule)"
    _r(
        "yamllint.parsable",
        F,
        K.LINT,
        90,
        r"^(?P<file>[^\s:]+\.ya?ml):(?P<line>\d+):\d+: \[(?P<sev>error|warning)\] "
        r"(?P<msg>.+?)(?: \((?P<code>[\w-]+)\))?$",
        (": [error]", ": [warning]"),
    ),
    _r(
        "eslint.error",
        F,
        K.LINT,
        90,
        r"^\s+(?P<line>\d+):\d+\s+error\s+(?P<msg>.+?)\s{2,}(?P<code>[\w@/-]+)$",
        "error",
        starts=tuple("0123456789"),
    ),
    _r("eslint.tally", S, None, 84, r"^\s*✖ \d+ problems? \(\d+ errors?", "problem"),
    _r(
        "stylelint.error",
        F,
        K.LINT,
        86,
        r"^\s+(?P<line>\d+):\d+\s+✖\s+(?P<msg>.+)$",
        "✖",
    ),
    _r(
        "typecheck.tally",
        S,
        None,
        85,
        r"^Found \d+ errors?(?: in \d+ files?)?(?: \(checked \d+ source files?\))?\.?|^Found \d+ errors? in ",
        _line_start("found ", indent=0),
    ),
    # --- formatters ---
    # a unified diff's hunk (black --diff, ruff format --diff): the first line a formatter would change
    _r(
        "diff.hunk", Role.COMMAND, None, 0, r"^@@ -(?P<line>\d+)(?:,\d+)? \+\d+(?:,\d+)? @@", "@@ -", starts=("@@",)
    ),
    _r("black.would_reformat", F, K.LINT, 90, r"^would reformat (?P<file>\S.*)$", "would reformat"),
    _r("ruff.would_reformat", F, K.LINT, 90, r"^Would reformat: (?P<file>\S.*)$", "would reformat"),
    _r(
        "format.tally",
        S,
        None,
        84,
        r"^(?:Oh no! .*|\d+ files? would be reformatted.*|\[warn\] Code style issues found.*"
        r"|Code style issues found in \d+ files?.*|All matched files use Prettier.*)$",
        ("oh no", "would be reformatted", "code style issues"),
    ),
    _r("prettier.file", F, K.LINT, 88, r"^\[warn\] (?P<file>[^\s\[]\S*\.\w+)$", "[warn]"),
    _r("gofmt.diff", F, K.LINT, 80, r"^diff -u (?P<file>\S+)\.orig \S+$", "diff -u"),
    # --- Maven / Surefire / Gradle / JVM ---
    _r(
        "surefire.test",
        F,
        K.TEST,
        96,
        r"^(?:\[ERROR\] )?(?:(?P<test>\w+)\((?P<cls>[\w.$]+)\)|(?P<cls2>[\w.$]+)\.(?P<test2>\w+)(?:\(\))?)"
        r"(?: \S+)?\s+Time elapsed: .*<<< (?:FAILURE|ERROR)!",
        ("<<< failure", "<<< error"),
        after=1,
    ),
    _r(
        "surefire.class",
        S,
        None,
        74,
        r"^(?:\[ERROR\] )?Tests run: \d+, Failures: \d+, Errors: \d+, Skipped: \d+.*<<< (?:FAILURE|ERROR)!",
        ("<<< failure", "<<< error"),
    ),
    _r(
        "surefire.list",
        D,
        None,
        86,
        r"^(?:\[ERROR\])?\s{2,}(?:Run \d+: )?(?P<cls>[\w.$]+)\.(?P<test>\w+):(?P<line>\d+)(?: (?P<msg>.*))?$",
        ("error", "expected", "but was", "exception"),
    ),
    _r(
        "surefire.tally",
        S,
        None,
        84,
        r"^(?:\[(?:ERROR|WARNING|INFO)\] )?Tests run: \d+, Failures: \d+, Errors: \d+(?:, Skipped: \d+)?$",
        ("failures",),
        unless=r"Failures: 0, Errors: 0",
        starts=("[", "Tests run"),
    ),
    # JUnit Platform console launcher's "Failures (n):" list: the test's source names its class and method
    _r(
        "junit5.source",
        F,
        K.TEST,
        96,
        r"^\s*MethodSource \[className = '(?P<cls>[\w.$]+)', methodName = '(?P<test>[\w$]+)'",
        "methodsource [",
        after=1,
    ),
    _r("maven.build_failure", S, None, 72, r"^\[INFO\] BUILD FAILURE\s*$|^BUILD FAILURE$", "build failure"),
    _r(
        "maven.dependency",
        F,
        K.DEPENDENCY,
        93,
        r"^\[ERROR\] (?P<msg>Failed to execute goal .*(?:Could not resolve dependencies|"
        r"Could not transfer artifact|Could not find artifact|Non-resolvable).*)",
        ("could not",),
    ),
    _r(
        "maven.goal",
        F,
        K.UNKNOWN,
        86,
        r"^\[ERROR\] (?P<msg>Failed to execute goal (?P<goal>\S+) .*)",
        "failed to execute goal",
        after=1,
        weak=True,
    ),
    _r("maven.compilation", S, None, 75, r"^\[ERROR\] COMPILATION ERROR\s*:?\s*$", "compilation error"),
    _r(
        "gradle.test",
        F,
        K.TEST,
        96,
        r"^(?P<cls>[\w.$]+) > (?P<test>.+?) FAILED$",
        "failed",
        after=2,
    ),
    _r("gradle.what_went_wrong", D, None, 86, r"^\* What went wrong:", "what went wrong", after=3),
    _r(
        "gradle.task_failed",
        S,
        None,
        78,
        r"^(?:> Task (?P<task>\S+) FAILED|Execution failed for task '[^']+'.*)",
        ("failed",),
    ),
    _r("gradle.tally", S, None, 84, r"^\d+ tests? completed, \d+ failed", "failed"),
    _r(
        "gradle.build_failed",
        S,
        None,
        68,
        r"^(?:FAILURE: Build failed with an exception\.|BUILD FAILED\b.*)",
        "failed",
    ),
    _r(
        "java.exception",
        D,
        None,
        84,
        # "=> ": the JUnit Platform console launcher's failure list
        r"^\s*(?:=> )?(?:Caused by: |Exception in thread \"[^\"]*\" )?"
        r"(?P<exc>(?:[a-z_]\w*\.)+[A-Z]\w*(?:Exception|Error|Failure))"
        r"(?:: (?P<msg>.*)| at (?P<file>[\w$]+\.(?:java|kt|scala|groovy)):(?P<line>\d+))?$",
        ("exception", "error:", "error\n", "error at ", "failure:", "failure\n"),
    ),
    _r(
        "scalatest.failed",
        F,
        K.TEST,
        93,
        r"^(?:\[info\] )?\s*- (?P<test>.+?) \*\*\* FAILED \*\*\*",
        "*** failed ***",
        after=1,
    ),
    _r(
        "gtest.failed",
        F,
        K.TEST,
        95,
        r"^\[  FAILED  \] (?P<test>[\w/.]+(?:\.\w+|/\d+)+)(?:, where .*)?(?: \(\d+ ms\))?$",
        "[  failed  ]",
    ),
    _r(
        "gtest.failure",
        D,
        None,
        88,
        r"^(?P<file>[^\s:]+\.(?:cc|cpp|cxx|c|h|hpp)):(?P<line>\d+): (?:Failure|error: .*)$",
        (": failure", ": error: "),
        after=3,
    ),
    _r("gtest.tally", S, None, 82, r"^\[  FAILED  \] \d+ tests?, listed below:", "[  failed  ]"),
    _r(
        "busted.tally",
        S,
        None,
        82,
        r"^\[  (?:ERROR|FAILED)   ?\] \d+ (?:errors?|failures?), listed below:",
        "listed below",
    ),
    _r(
        "common_test.failed",
        F,
        K.TEST,
        92,
        r"^(?P<test>\w+:\w+) failed on line (?P<line>\d+)",
        "failed on line",
        after=1,
    ),
    # a suite's configuration function (init_per_suite/group/testcase) failing: "Reason: {...}" follows
    _r(
        "common_test.config_failed",
        F,
        K.TEST,
        92,
        r"^(?P<test>\w+_SUITE:(?:init|end)_per_\w+) failed\s*$",
        "_suite:",
        after=10,
    ),
    _r(
        "xcpretty.error",
        F,
        K.COMPILE,
        92,
        r"(?:❌|error:?)\s+(?P<file>/?[^\s:]+\.(?:swift|m|mm|h|c|cpp)):(?P<line>\d+):\d+: (?P<msg>.*)",
        ("❌",),
    ),
    # xcpretty's failure summary: the assertion's file:line alone on an indented line under the test
    _r(
        "xcpretty.location",
        L,
        None,
        70,
        r"^\s+(?P<file>/\S+\.(?:swift|m|mm)):(?P<line>\d+)\s*$",
        (".swift:", ".m:", ".mm:"),
    ),
    _r("vim.test", F, K.TEST, 88, r"^\s*Found errors in (?P<test>\w+)\(\):", "found errors in", after=2),
    _r("test.name_failed", F, K.TEST, 80, r"^\s*(?P<test>[\w./:-]+) FAILED\s*$", "failed"),
    _r(
        "minitest.test",
        F,
        K.TEST,
        94,
        r"^(?P<cls>[\w:]+)#(?P<test>\w+)(?: \[(?P<file>[^\]:\s]+):(?P<line>\d+)\])?:?\s*$",
        (),  # tried on the line after a ``Failure:``/``Error:`` heading, never on its own
        after=1,
    ),
    _r(
        "minitest.header",
        F,
        K.TEST,
        70,
        r"^\s*(?:\d+\) )?(?:Failure|Error):\s*$",
        ("failure:", "error:"),
        after=2,
    ),
    _r("minitest.assertion", D, None, 88, r"^(?P<exc>Minitest::\w+): (?P<msg>.*)", "minitest::"),
    _r(
        "rubocop.offense",
        F,
        K.LINT,
        89,
        r"^(?P<file>[^\s:]+\.(?:rb|rake|gemspec)):(?P<line>\d+):\d+: (?P<sev>[CWEF]): "
        r"(?P<code>[\w/]+): (?P<msg>.*)",
        (".rb:", ".rake:", ".gemspec:"),
    ),
    _r("rubocop.tally", S, None, 84, r"^\d+ files? inspected, [1-9]\d* offenses? detected", "offense"),
    # --- repository linters: workflows, Dockerfiles, shell scripts, Kotlin, Terraform, Markdown, rustfmt ---
    _r(
        "markdownlint.rule",
        F,
        K.LINT,
        88,
        r"^(?P<file>[^\s:]+\.(?:md|markdown)):(?P<line>\d+)(?::\d+)? "
        r"(?P<msg>(?P<code>MD\d{3})(?:/[\w-]+)+ .*)$",
        (".md:", ".markdown:"),
    ),
    _r(
        "rustfmt.diff",
        F,
        K.LINT,
        88,
        r"^Diff in (?P<file>\S+?\.rs)(?: at line (?P<line>\d+)|:(?P<line2>\d+)):\s*$",
        "diff in ",
        after=8,
    ),
    _r(
        "actionlint.error",
        F,
        K.LINT,
        88,
        r"^(?P<file>[^\s:]+\.ya?ml):(?P<line>\d+):\d+: (?P<msg>.+?) \[(?P<code>[a-z][\w-]*)\]\s*$",
        (".yml:", ".yaml:"),
    ),
    _r(
        "hadolint.rule",
        F,
        K.LINT,
        88,
        r"^(?P<file>\S*Dockerfile[\w.-]*):(?P<line>\d+) "
        r"(?P<msg>(?P<code>(?:DL|SC)\d{4}) (?:error|warning|info|style): .*)$",
        "dockerfile",
    ),
    # shellcheck's default format: "In FILE line N:", the code, a caret line naming the check
    _r(
        "shellcheck.in",
        F,
        K.LINT,
        86,
        r"^In (?P<file>\S+) line (?P<line>\d+):\s*$",
        " line ",
        after=3,
        starts=("In ",),
    ),
    # shellcheck -f gcc: "FILE:L:C: warning: message [SC2086]" (any level fails shellcheck)
    _r(
        "shellcheck.gcc",
        F,
        K.LINT,
        88,
        r"^(?P<file>[^\s:]+):(?P<line>\d+):\d+: (?:error|warning|note|info|style): "
        r"(?P<msg>.+ \[(?P<code>SC\d{4})\])\s*$",
        ("[sc",),
    ),
    _r(
        "shellcheck.check",
        D,
        None,
        86,
        r"^\s*\^[-^]* (?P<msg>(?P<code>SC\d{4}) \((?:error|warning|info|style)\): .*)$",
        ("^ sc", "^-- sc"),
    ),
    _r("terraform.error", F, K.CONFIG, 88, r"^│ Error: (?P<msg>.+?)\s*$", "│ error: "),
    _r("terraform.location", L, None, 84, r"^│\s+on (?P<file>\S+\.tf(?:vars)?) line (?P<line>\d+)", ".tf line"),
    _r(
        "ktlint.rule",
        F,
        K.LINT,
        88,
        r"^(?P<file>\S+\.kts?):(?P<line>\d+):\d+ (?P<msg>.+?) \((?P<code>[\w-]+:[\w-]+)\)\s*$",
        (".kt:", ".kts:"),
    ),
    # the Elixir compiler (1.14 and earlier): "** (CompileError) lib/shelf.ex:13: undefined function f/1 ..."
    _r(
        "elixirc.error",
        F,
        K.COMPILE,
        93,
        r"^\*\* \((?P<code>CompileError|SyntaxError|TokenMissingError|MismatchedDelimiterError|KeyError)\) "
        r"(?P<file>[^\s:]+\.exs?):(?P<line>\d+)(?::\d+)?: (?P<msg>.+)$",
        "** (",
    ),
    # ExUnit: the failing test's location and assertion under its "  1) test ... (Module)" heading
    # (test files only: compiler warnings print bare "lib/x.ex:16" locations too)
    _r("exunit.location", L, None, 84, r"^\s+(?P<file>\S*_test\.exs):(?P<line>\d+)\s*$", "_test.exs:"),
    _r(
        "exunit.assertion",
        D,
        None,
        86,
        r"^\s+(?P<msg>(?:Assertion with \S+ failed|Expected truthy, got \S+|\*\* \(\w[\w.]*\) .*))$",
        ("assertion with", "expected truthy", "** ("),
    ),
    # --- link checkers: a dead link fails a docs or awesome-list build with no error word on its line ---
    _r(
        "awesome_bot.link",
        F,
        K.LINT,
        86,
        r"^\s*\d+\. \[L(?P<line>\d+)\] (?P<msg>(?P<code>-?\d{1,3}|[A-Za-z]\w*) https?://\S+.*?)\s*$",
        "[l",
    ),
    # "> White listed:" lists links that may fail; "> Links" (after "Issues :-(") the ones that failed the build
    _r("awesome_bot.section", Role.COMMAND, None, 0, r"^> (?P<cmd>White listed|Links|Dupes):?\s*$", "> "),
    _r("awesome_bot.tally", S, None, 84, r"^Issues :-\(\s*$", "issues :-("),
    _r(
        "markdown-link-check.dead",
        F,
        K.LINT,
        86,
        r"^\s*\[✖\] (?P<msg>\S+.*?)(?: → Status: (?P<code>\d+))?\s*$",
        "[✖]",
    ),
    _r(
        "lychee.error",
        F,
        K.LINT,
        86,
        r"^\s*(?:[✗✖] )?(?P<msg>\[(?P<code>\d{3}|ERR|ERROR|TIMEOUT)\] (?:https?|file)://\S+.*?)\s*$",
        ("[4", "[5", "[err", "[timeout"),
    ),
    _r(
        "htmlproofer.check",
        F,
        K.LINT,
        86,
        r"^\s*\*\s+(?P<msg>(?:External link \S+ failed\b|internally linking to \S+, which does not exist"
        r"|image \S+ does not have an alt attribute|\S+ is not an HTTPS link).*?)\s*$",
        ("external link", "internally linking", "does not have an alt", "not an https link"),
    ),
    # --- .NET ---
    _r(
        "dotnet.test",
        F,
        K.TEST,
        96,
        r"^\s*(?:Failed|X) (?P<test>[\w.`<>,\[\]()\" '=-]+?) \[(?:[\d.]+ ?m?s|< ?1 ?ms)\]$",
        ("failed ",),
        after=2,
    ),
    _r("xunit.test", F, K.TEST, 95, r"^\s*(?P<test>\S+) \[FAIL\]$", "[fail]", after=2),
    _r("dotnet.error_message", D, None, 80, r"^\s*Error Message:\s*$", "error message", after=1),
    _r(
        "dotnet.tally",
        S,
        None,
        85,
        r"^\s*(?:Failed!\s+- Failed:\s+\d+|Total tests: \d+.*Failed: [1-9]|Test Run Failed\.)",
        "failed",
    ),
    _r("msbuild.failed", S, None, 68, r"^\s*Build FAILED\.", "build failed"),
    # --- RSpec / PHPUnit / mocha numbered failures ---
    _r("rspec.failure_error", D, None, 92, r"^\s*Failure/Error: (?P<msg>.*)", "failure/error", after=2),
    _r(
        "rspec.rerun",
        F,
        K.TEST,
        93,
        r"^rspec (?P<file>\./\S+?):(?P<line>\d+) # (?P<test>.*)$",
        "rspec ",
    ),
    _r("rspec.tally", S, None, 86, r"^\d+ examples?, [1-9]\d* failures?", "failure", starts=tuple("0123456789")),
    _r(
        "phpunit.test",
        F,
        K.TEST,
        95,
        # the data set is part of the test's name (JUnit XML's too): one data set fails, its siblings pass
        r"^\d+\) (?P<cls>[\w\\]+)::(?P<test>\w+(?: with data set (?:#\d+|\"[^\"]*\"))?)(?: \(.*\))?$",
        "::",
        after=1,
    ),
    _r("phpunit.assert", D, None, 90, r"^Failed asserting that (?P<msg>.*)", "failed asserting"),
    # PHPUnit --testdox: what a "✘ test" failed with, inside its margin ("│ TypeError: ...", "├ Failed
    # asserting that ..." with --colors); the margin's paths are frames (phpunit.frame)
    _r("phpunit.testdox_detail", D, None, 88, r"^\s*[│├] (?P<msg>[^\s/│].*?)\s*$", ("│ ", "├ ")),
    _r(
        "phpunit.tally",
        S,
        None,
        85,
        r"^(?:Tests: \d+, Assertions: \d+, (?:Failures|Errors): [1-9]|FAILURES!$|ERRORS!$)",
        ("failures", "errors"),
        starts=("Tests:", "FAILURES!", "ERRORS!"),
    ),
    _r(
        "php.fatal",
        F,
        K.CRASH,
        94,
        r"^(?:PHP )?(?:Fatal|Parse) error: (?P<msg>.*)",
        ("fatal error", "parse error"),
    ),
    # JUnitCore (JUnit 4's text listener): "1) method(com.example.ClassTest)", "1) m[0](C)" parametrized
    _r(
        "junit4.test",
        F,
        K.TEST,
        95,
        r"^\d+\) (?P<test>[\w$]+(?:\[[^\]]*\])?)\((?P<cls>[\w$]+(?:\.[\w$]+)*)\)\s*$",
        _line_start(*(f"{n}) " for n in range(1, 100)), indent=0),
        after=1,
    ),
    # ExUnit: "  1) test does x (MyApp.FooTest)", also "doctest ..." and StreamData's "property ..."
    _r(
        "exunit.test",
        F,
        K.TEST,
        95,
        r"^\s{0,4}\d+\) (?P<test>(?:test|doctest|property) \S.*?) \((?P<cls>[A-Z][\w.]*)\)\s*$",
        ("test ", "doctest ", "property "),
        after=3,  # its location, the assertion and its code
    ),
    _r(
        "numbered.failure",
        F,
        K.TEST,
        86,
        r"^\s{0,4}\d+\) (?P<test>\S.*?):?$",
        _line_start(*(f"{n}) " for n in range(1, 100)), indent=6),
        after=3,
        unless=r"^\s*\d+\) (?:Run|Step|Task)\b",
    ),
    # --- package managers ---
    _r(
        "npm.code",
        F,
        K.DEPENDENCY,
        88,
        r"^npm (?:ERR!|error) code (?P<code>\S+)",
        ("err!", "error code"),
        after=3,
        unless=r"code (?:1|ELIFECYCLE)\s*$",
        weak=True,
    ),
    _r(
        "npm.missing_script",
        F,
        K.CONFIG,
        90,
        r"^npm (?:ERR!|error) (?P<msg>Missing script: .*)",
        "missing script",
    ),
    _r("npm.err", G, None, 62, r"^npm (?:ERR!|error) (?P<msg>\S.*)", ("err!", "npm error")),
    _r("pnpm.err", F, K.DEPENDENCY, 90, r"(?:^|\s)(?P<code>ERR_PNPM_\w+)\s*(?P<msg>.*)", "err_pnpm_"),
    _r(
        "yarn.dependency",
        F,
        K.DEPENDENCY,
        90,
        r"^error (?P<msg>(?:Couldn't find (?:package|any versions)|Package \".*\" not found"
        r"|.*Integrity check failed"
        r"|Incorrect integrity|.*doesn't satisfy found match|.*no such package available).*)",
        ("couldn't find", "not found", "integrity", "doesn't satisfy", "no such package"),
    ),
    _r(
        "yarn.error",
        G,
        None,
        66,
        r"^error (?P<msg>.*)",
        "error ",
        unless=r"^error Command failed with exit code",
    ),
    _r("yarn.exit", X, None, 58, r"^error Command failed with exit code (?P<code>\d+)\.", "command failed"),
    _r("yarn.berry", F, K.DEPENDENCY, 86, r"^➤ YN\d{4}: .*(?:[Ee]rror|[Ff]ailed|[Cc]ouldn't|not found).*", "yn0"),
    _r(
        "pip.resolution",
        F,
        K.DEPENDENCY,
        94,
        r"^(?:ERROR: )?(?P<msg>(?:Could not find a version that satisfies the requirement|"
        r"Cannot install .* because these package versions have "
        r"conflicting dependencies|Failed building wheel for|Could not install "
        r"packages due to).*)",
        ("could not", "no matching", "resolutionimpossible", "cannot install", "failed building wheel"),
    ),
    # pip names where each requirement came from: "Collecting x==1.0 (from -r requirements.txt (line 4))",
    # "Processing ./wheels/x-1.0-py3-none-any.whl (from -r requirements.txt (line 4))"
    _r(
        "pip.source",
        Role.COMMAND,
        None,
        0,
        r"^(?:Collecting|Processing|Requirement already satisfied:|Obtaining) (?P<pkg>\S+).*"
        r"\(from -r (?P<file>[^\s()]+) \(line (?P<line>\d+)\)\)",
        "(from -r ",
    ),
    _r(
        "pip.python",
        F,
        K.DEPENDENCY,
        93,
        r"^(?:ERROR: )?(?P<msg>Package '(?P<pkg>[^']+)' requires a different Python: .*)$",
        "requires a different python",
    ),
    _r(
        "pip.followup",
        D,
        None,
        80,
        r"^(?:ERROR: )?(?P<msg>(?:No matching distribution found for|ResolutionImpossible"
        r"|Could not build wheels for).*)",
        ("no matching", "resolutionimpossible", "could not build wheels"),
    ),
    _r(
        "poetry.solver",
        F,
        K.DEPENDENCY,
        93,
        r"version solving failed|SolverProblemError"
        r"|Unable to find installation candidates|^\s*Because \S+ depends on ",
        (
            "version solving failed",
            "solverproblemerror",
            "installation candidates",
            "depends on",
        ),
    ),
    _r(
        "uv.no_solution",
        F,
        K.DEPENDENCY,
        92,
        r"^\s*(?:\u00d7|error:) (?P<msg>No solution found when resolving.*)",
        "no solution found",
    ),
    _r("uv.because", D, None, 84, r"^\s*╰─▶ (?P<msg>.*)", "╰─▶"),
    _r(
        "uv.error",
        F,
        K.DEPENDENCY,
        86,
        r"^\s*(?:\u00d7|error:) (?P<msg>Failed to (?:download|build|fetch|resolve).*)",
        ("failed to",),
    ),
    _r(
        "bundler.error",
        F,
        K.DEPENDENCY,
        88,
        r"^(?P<msg>Could not find gem .*|Bundler could not find .*)",
        "could not find",
    ),
    # --- docker ---
    _r(
        "docker.step",
        Role.DOCKER_STEP,
        None,
        0,
        r"^#(?P<n>\d+) \[[^\]]+\] (?P<cmd>\S.*)",
        ("] run ", "] copy ", "] add ", "] from "),
    ),
    _r(
        "docker.failed_to_solve",
        F,
        K.CONFIG,
        92,
        r"^(?:ERROR|error): (?P<msg>failed to (?:solve|build).*)",
        "failed to",
        weak=True,
    ),
    _r("docker.step_error", D, None, 88, r"^#(?P<n>\d+) ERROR: (?P<msg>.*)", "error:"),
    _r("docker.summary", D, None, 80, r"^ERROR \[(?P<stage>[^\]]+)\] (?P<cmd>.*)", "error ["),
    _r(
        "docker.legacy",
        F,
        K.CONFIG,
        91,
        r"^The command '(?P<cmd>.*)' returned a non-zero code: (?P<code>\d+)",
        "returned a non-zero code",
        weak=True,
    ),
    # --- shell, make, git, Travis ---
    # bash running a script: "./scripts/release.sh: line 6: helmfile-lint: command not found"
    _r(
        "bash.not_found",
        F,
        K.CONFIG,
        93,
        r"^(?P<file>(?:[^\s:/]*/)+[^\s:/]+|[^\s:/]+\.(?:sh|bash)): line (?P<line>\d+): "
        r"(?P<msg>(?P<cmd>[^\s:]+): command not found)\s*$",
        "command not found",
        weak=True,  # like shell.not_found: beside a test or build failure it is setup chatter
    ),
    _r(
        "bash.error",
        F,
        K.CONFIG,
        90,
        r"^(?P<file>[^\s:]+\.(?:sh|bash)): line (?P<line>\d+): (?P<msg>.*(?:unbound variable|syntax error.*"
        r"|No such file or directory|Permission denied|bad substitution|ambiguous redirect))\s*$",
        (": line ",),
    ),
    _r(
        "shell.not_found",
        F,
        K.CONFIG,
        93,
        r"(?:^|[\s:])(?P<cmd>[^\s:]+): command not found",
        "command not found",
        # a test whose name says it ("test_match[git: command not found] PASSED") did not fail
        unless=r"\sPASSED\b|^\s*(?:PASS(?:ED)?|ok|✓|✔)\s",
        # a missing helper in a script that went on is setup chatter beside a test or build failure
        weak=True,
    ),
    _r("shell.no_such_file", D, None, 70, r"No such file or directory", "no such file"),
    _r("shell.permission", D, None, 72, r": Permission denied$", "permission denied"),
    # GNU make's error in a makefile: "Makefile:9: *** missing separator.  Stop."
    _r(
        "make.makefile",
        F,
        K.CONFIG,
        90,
        r"^(?P<file>(?:[^\s:]*/)?(?:GNUmakefile|[Mm]akefile|[^\s:/]+\.mk)):(?P<line>\d+): \*\*\* (?P<msg>.+?)\s*$",
        "*** ",
    ),
    # GNU make with no rule for a prerequisite: "make: *** No rule to make target 'x.o', needed by 'lib.a'.  Stop."
    _r(
        "make.no_rule",
        F,
        K.CONFIG,
        88,
        r"^(?:g?make|mingw32-make)(?:\[\d+\])?: \*\*\* (?P<msg>No rule to make target .*?)\s*$",
        "no rule to make target",
    ),
    _r("make.error", X, None, 62, r"^(?:g?make|mingw32-make)(?:\[\d+\])?: \*\*\* .*Error \d+", "*** "),
    _r("git.fatal", F, K.CONFIG, 86, r"^fatal: (?P<msg>.*)", "fatal:", weak=True),
    _r(
        "travis.exit",
        X,
        None,
        74,
        r"^The command \"(?P<cmd>.*)\" (?:failed and )?exited with (?P<code>[1-9]\d*)\.",
        "exited with",
        before=4,
    ),
    _r(
        "npm.script",
        Role.COMMAND,
        None,
        0,
        r"^> (?P<cmd>\S.*)$",
        _line_start("> ", indent=0),
        unless=r"^> [\w@/.-]+@\d",  # "> pkg@1.0.0 test": npm's banner, not the command
    ),
    _r(
        "jenkins.exit",
        X,
        None,
        72,
        r"^(?:Build step '.*' marked build as failure|Finished: (?:FAILURE|ABORTED|UNSTABLE)"
        r"|ERROR: script returned exit code \d+)",
        ("marked build as failure", "finished: ", "script returned exit code"),
        before=4,
    ),
    _r("travis.step", Role.STEP, None, 0, r"^\$ (?P<cmd>\S.*)", _line_start("$ ", indent=0)),
    _r(
        "script.exit",
        X,
        None,
        60,
        r"(?:exited|exit(?:ing)?|failed) with (?:exit )?(?:code|status) (?P<code>[1-9]\d*)",
        ("exited with", "exit code", "exit status", "with code", "with status", "exiting with"),
    ),
    _r(
        "hint.run",
        H,
        None,
        72,
        r"(?i:\bplease run\b|\brun `[^`]+` to (?:fix|update|format)|files listed below)",
        ("please run", "to fix", "to update", "to format", "listed below"),
        after=4,
    ),
    _r("precommit.failed", S, None, 84, r"^(?P<hook>\S(?:.*[^.])?)\.{3,}(?:\(no files to check\))?Failed$", "failed"),
    _r(
        "r.check",
        S,
        None,
        82,
        r"^\s*(?:Running the tests in .* failed\.|Status: \d+ ERRORs?)",
        ("failed", "error"),
        starts=("Running the tests in", "Status:"),
    ),
    # Test::More (prove prints its diagnostics without -v): "#   Failed test 'name'" then "#   at t/x.t line 9.",
    # or an unnamed test's "#   Failed test at t/x.t line 9."
    _r(
        "prove.failed_test",
        F,
        K.TEST,
        90,
        r"^\s*#\s+Failed test (?:'(?P<test>.*)'|at (?P<file>\S+) line (?P<line>\d+)\.)\s*$",
        "failed test",
        after=4,
    ),
    _r("prove.at", L, None, 84, r"^\s*#\s+at (?P<file>\S+) line (?P<line>\d+)\.\s*$", "#   at "),
    # Test::More's got/expected diagnostics under a failed test ("#          got: '3'", "#     expected: '2'")
    _r("prove.got", D, None, 80, r"^\s*#\s+(?P<msg>(?:got|expected): .*)$", ("got: ", "expected: "), starts=("#",)),
    # Perl's die/warn without a trailing newline: "MESSAGE at lib/Csv/Lite.pm line 7." (", <FH> line 3." when a
    # file was being read): where the code under test died
    _r(
        "perl.died",
        D,
        None,
        86,
        r"^(?P<msg>[^#\s].*?) at (?P<file>\S+\.(?:pm|pl|t|cgi|psgi)) line (?P<line>\d+)"
        r"(?:, <[^>]*> (?:line|chunk) \d+)?\.$",
        (".pm line ", ".pl line ", ".t line "),
    ),
    # CTest: "1/3 Test #1: matrix_test ......***Failed  0.01 sec" and its summary "  1 - matrix_test (Failed)"
    _r(
        "ctest.test",
        F,
        K.TEST,
        92,
        r"^\s*\d+/\d+ Test\s+#\d+: (?P<test>\S+) \.*\s*(?:Subprocess aborted|Child aborted)?\*\*\*"
        r"(?P<msg>Failed|Exception: .*?|Timeout|Not Run)\s+[\d.]+ sec\s*$",
        "***",
    ),
    _r(
        "ctest.summary",
        F,
        K.TEST,
        88,
        r"^\s*\d+ - (?P<test>\S+) \((?P<msg>Failed|SEGFAULT|Timeout|Subprocess aborted|Child aborted"
        r"|Not Run|OTHER_FAULT|ILLEGAL|INTERRUPT|NUMERICAL|Exception)\)(?:\s+\S.*)?$",
        ("(failed)", "(segfault)", "(timeout)", "aborted)", "(not run)", "(other_fault)", "(illegal)", "(exception)"),
    ),
    # what a failed CTest test printed (--output-on-failure) below its "***Failed" line: a check's
    # "path/test.cpp:12: message" (a C/C++ file and line opening the line, or after the program's name)
    _r(
        "ctest.output",
        D,
        None,
        80,
        r"^(?:[^\s:]+: )?(?P<file>[^\s:]+\.(?:c|cc|cpp|cxx|c\+\+|h|hh|hpp|hxx)):(?P<line>\d+):(?:\d+:)? (?P<msg>\S.*)$",
        (".c:", ".cc:", ".cpp:", ".cxx:", ".c++:", ".h:", ".hh:", ".hpp:", ".hxx:"),
    ),
    _r("tap.not_ok", F, K.TEST, 84, r"^\s*not ok \d+ (?:- )?(?P<test>.*)$", "not ok"),
    # Bazel: "FAIL: //pkg:target (see .../test.log)" and the summary's "//pkg:target   FAILED in 0.4s"
    _r("bazel.test_failed", F, K.TEST, 88, r"^FAIL: (?P<test>//\S*:\S+) \(see \S+\)", "fail: //"),
    _r(
        "bazel.summary_failed",
        F,
        K.TEST,
        86,
        r"^(?P<test>//\S*:\S+)\s+(?:\(cached\) )?(?:FAILED(?: TO BUILD)?|TIMEOUT|FLAKY)\b.*$",
        ("failed", "timeout", "flaky"),
        starts=("//",),
    ),
    _r(
        "generic.check_mark",
        F,
        K.TEST,
        78,
        r"^\s*(?:✗|✘|✖|❌|\[-\]|\[FAIL\]|FAIL:?)\s+(?P<test>\S.*)$",
        ("✗", "✘", "✖", "❌", "[-]", "[fail]", "fail"),
    ),
    # --- fallbacks: strong (line starts like an error), then any error word ---
    _r(
        "generic.error_prefix",
        G,
        None,
        58,
        r"^\s*(?:\[(?:ERROR|FATAL|FAIL|FAILED|error|fatal)\]|(?:ERROR|FATAL|Error|error|fatal|FAILED|FAIL|Fatal"
        r"|Exception|Uncaught \w+|Unhandled \w+)\b[:!]?|\*\* \((?:throw|exit|[A-Z][\w.]*)\))\s*(?P<msg>.*)",
        ("error", "fatal", "fail", "exception", "uncaught", "unhandled", "** ("),
    ),
    _r(
        "generic.error_word",
        G,
        None,
        40,
        r"(?:^|[^\w/.-])(?:errors?|fail(?:ed|ure|ures|ing|s)?|fatal|exception|panic(?:ked)?|traceback|abort(?:ed)?"
        r"|cannot|could not|unable to|not found|denied|invalid|unexpected|missing|refused|mismatch"
        r")(?:$|[^\w/-])",
        (
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

# Failure kinds that a generic or exit line should take from what the message says.
KIND_HINTS: tuple[tuple[LinearPattern, K], ...] = (
    (compile_linear(r"timed? ?out|timeout|exceeded the maximum", IGNORECASE), K.TIMEOUT),
    (compile_linear(r"out of memory|segmentation|sigsegv|core dumped|exit code 13[79]\b|killed", IGNORECASE), K.CRASH),
    (
        compile_linear(
            r"network|connection|resolve host|econn|etimedout|50[234]\b|rate limit|no space left", IGNORECASE
        ),
        K.INFRA,
    ),
    (
        compile_linear(
            r"dependenc|resolv|version solving|no matching distribution|could not find artifact", IGNORECASE
        ),
        K.DEPENDENCY,
    ),
    (compile_linear(r"syntax error|compil|cannot find symbol|undefined reference", IGNORECASE), K.COMPILE),
    (compile_linear(r"\btests?\b|assert", IGNORECASE), K.TEST),
)


def kind_from_text(text: str, default: K = K.UNKNOWN) -> K:
    for pattern, kind in KIND_HINTS:
        if pattern.search(text):
            return kind
    return default
