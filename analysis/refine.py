"""Rules' own refine hooks: what a tool's format says beyond the matched line, read into the failure it opens.

A rule names its hook (``Rule.refine``); the scanner calls it with a ``Draft`` of the failure (what the
line's groups said) before opening it. A hook reads the match, the neighbouring lines (``Draft.peek``) and
the command that ran (``Draft.command``), corrects the draft in place, and returns False when the line
opens nothing after all. Hooks keep no state: what needs the scanner's memory of earlier lines stays there.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from .kinds import kind_from_text
from .locations import is_test_path, repo_path
from .regex import Match, compile_linear
from .types import FailureKind

Peek = Callable[[int], "str | None"]


@dataclass(slots=True)
class Draft:
    """The failure a line is about to open, as its rule's hook may correct it."""

    number: int  # the matched line's number
    command: str  # the step's name and the command echoed in it: what ran
    peek: Peek  # a neighbouring line by number, cleaned, or None outside the chunk at hand
    kind: FailureKind
    tool: str
    message: str
    plain: bool  # the message is just the matched line: a detail may say it better
    test: str | None
    file: str | None
    line: str | None


Refine = Callable[[Draft, Match], bool]


def group(match: Match, *names: str) -> str | None:
    """The first of the named groups that matched something (a name the pattern lacks counts as unmatched)."""
    pattern = match.re
    index = _GROUP_INDEX.get(pattern)
    if index is None:  # once per pattern: building groupdict() on every call cost more than the lookups
        if len(_GROUP_INDEX) > 4096:  # patterns are compiled at import; a bound all the same
            _GROUP_INDEX.clear()
        index = _GROUP_INDEX[pattern] = dict(pattern.groupindex)
    for name in names:
        number = index.get(name)
        if number is not None:
            value = match.group(number)
            if value:
                return value  # type: ignore[no-any-return]
    return None


_GROUP_INDEX: dict[object, dict[str, int]] = {}

# A path alone on its line ("src/app.js", "C:\\w\\x.yml"): a linter's heading over its problems.
PATH_LINE = compile_linear(r"^(?:[A-Za-z]:\\|/|\.{0,2}/?)?[\w@.+-]+(?:[/\\][\w@.+-]+)*\.\w+$")


def heading_path(peek: Peek, number: int) -> str | None:
    """ESLint/stylelint print the file on its own line above its problems."""
    for k in range(1, 60):
        previous = peek(number - k)
        if previous is None:
            return None
        text = previous.strip()
        if text and not previous.startswith((" ", "\t")) and PATH_LINE.match(text):
            return text
    return None


def group_heading(peek: Peek, number: int) -> str | None:
    """The file a ``##[group]FILE`` heading (a tool's ``::group::FILE``) names above its problems."""
    for k in range(1, 200):
        previous = peek(number - k)
        if previous is None or previous.startswith("##[endgroup]"):
            return None
        if previous.startswith("##[group]"):
            path = previous.removeprefix("##[group]").strip()
            return path if PATH_LINE.match(path) else None
    return None


# -- GitHub Actions ---------------------------------------------------------------------------------------
def _workflow_props(props: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in (props or "").split(","):
        key, _, value = part.partition("=")
        if value:
            out[key.strip()] = value.strip()
    return out


def _unescape_command(text: str) -> str:
    return text.replace("%0D", "").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def workflow_command(d: Draft, match: Match) -> bool:
    """``::error file=F,line=L,title=T::message``: the properties say where, the message (escaped) what."""
    props = _workflow_props(group(match, "props"))
    d.file = props.get("file") or d.file
    d.line = props.get("line") or d.line
    d.message = _unescape_command(d.message)
    if props.get("title"):
        d.message = f"{props['title']}: {d.message}"
    d.kind = kind_from_text(d.message, FailureKind.UNKNOWN)
    return True


def annotation(d: Draft, match: Match) -> bool:
    """A type checker's annotation is a type error, whatever tool printed the format."""
    if d.tool in ("mypy", "pyright", "tsc"):
        d.kind = FailureKind.TYPE
    return True


# -- linters ----------------------------------------------------------------------------------------------
_STRICT = compile_linear(r"(?:^|\s)(?:--strict|-s)(?:\s|$)")


def yamllint(d: Draft, match: Match) -> bool:
    """A warning fails yamllint only under --strict; the file heads its group; the check names the problem."""
    if group(match, "sev") == "warning" and not _STRICT.search(d.command):
        return False
    d.file = d.file or group_heading(d.peek, d.number)
    if d.file is None:
        return False
    check = group(match, "code")
    d.message, d.plain = (f"{d.message} ({check})" if check else d.message), False
    return True


_LINTING = compile_linear(r"\b(?:vet|lint|golangci-lint|staticcheck|revive)\b")


def go_build(d: Draft, match: Match) -> bool:
    """go vet and Go linters print the compiler's "file:line:col: message": the command tells them apart."""
    if _LINTING.search(d.command):
        d.kind, d.tool = FailureKind.LINT, "go vet"
    return True


_CHECKED_DOCUMENT = compile_linear(r"\bawesome_bot\s+(?:-\S+\s+)*([\w./-]+\.(?:md|markdown|org|txt|rst|html?))\b")


def awesome_bot_link(d: Draft, match: Match) -> bool:
    """ "[L296]" is a line of the document the step checks: ``awesome_bot README.md ...``."""
    if d.file is None:
        checked = _CHECKED_DOCUMENT.search(d.command)
        d.file = checked.group(1) if checked else None
    return True


# -- compilers and build tools ----------------------------------------------------------------------------
_COMPILER_BY_SUFFIX = {"hs": "ghc", "swift": "swiftc", "java": "javac", "kt": "kotlinc", "rs": "rustc", "go": "go"}


def gcc_format(d: Draft, match: Match) -> bool:
    """gcc's "file:line:col: error:" is also GHC's, swiftc's, javac's...: the file's suffix names the compiler."""
    d.tool = _COMPILER_BY_SUFFIX.get((d.file or "").rsplit(".", 1)[-1].lower(), d.tool)
    below = (d.peek(d.number + 1) or "").strip()
    if d.plain and below:  # GHC puts the message on the lines below ``file:line:col: error:``
        d.message, d.plain = below, False
    return True


_JAVAC_SYMBOL = compile_linear(r"^(?:\[ERROR\])?\s+symbol:")


def maven_compile(d: Draft, match: Match) -> bool:
    """javac's "cannot find symbol" names the symbol on the next line."""
    following = d.peek(d.number + 1) or ""
    if _JAVAC_SYMBOL.match(following):
        d.message = f"{d.message} ({following.removeprefix('[ERROR]').strip()})"
    return True


def cmake(d: Draft, match: Match) -> bool:
    """CMake indents the error's text on the lines below its "CMake Error at F:L"."""
    nearby = [d.peek(d.number + k) or "" for k in (1, 2)]
    detail = " ".join(t.strip() for t in nearby if t.startswith("  ") and t.strip())
    if detail:
        d.message, d.plain = detail, False
    return True


_NPM_PREFIX = compile_linear(r"^npm (?:ERR!|error) ")


def npm_code(d: Draft, match: Match) -> bool:
    """npm's "code E404" and, on the next line, what it means; a network code is the infrastructure's."""
    code = group(match, "code") or ""
    following = d.peek(d.number + 1) or ""
    detail = _NPM_PREFIX.sub("", following).strip()
    d.message, d.plain = (f"{code}: {detail}" if detail else code), False
    d.kind = kind_from_text(code + " " + detail, FailureKind.DEPENDENCY)
    if code.upper() in ("ENOTFOUND", "ECONNRESET", "ETIMEDOUT", "EAI_AGAIN", "ECONNREFUSED"):
        d.kind = FailureKind.INFRA
    return True


# -- test runners -----------------------------------------------------------------------------------------
def go_json_fail(d: Draft, match: Match) -> bool:
    """The event's JSON says nothing a developer reads: say it as go test -v does."""
    d.message = f"--- FAIL: {d.test} ({group(match, 'pkg')})"
    return True


def ginkgo_spec(d: Draft, match: Match) -> bool:
    """Ginkgo names the failed spec on the line below its "• [FAILED]"."""
    d.test = (d.peek(d.number + 1) or "").strip() or None
    return d.test is not None


def unittest_fail(d: Draft, match: Match) -> bool:
    """A module that failed to import names itself after ``_FailedTest``; a subtest's parameters name it."""
    cls = group(match, "cls", "cls2")
    if cls and cls.startswith("unittest.loader._FailedTest."):
        d.test = cls.removeprefix("unittest.loader._FailedTest.")  # the module that failed to import
    elif d.test and group(match, "sub"):
        d.test = f"{d.test} {group(match, 'sub')}"
    return True


def pytest_section(d: Draft, match: Match) -> bool:
    """A module that fails to import: the module is the failing unit, its import line the location."""
    if d.test and d.test.startswith("ERROR collecting "):
        d.file = d.test = d.test.removeprefix("ERROR collecting ").strip()
    return True


def c_assert(d: Draft, match: Match) -> bool:
    """A C test program's failing assert names the test function it sits in; library code's does not."""
    func = (group(match, "func", "func2", "func3") or "").rstrip(")").split("(")[0].split()[-1:]
    d.test = func[0] if func and d.file and is_test_path(repo_path(d.file) or d.file) else None
    return True


def common_test_config(d: Draft, match: Match) -> bool:
    """Erlang common_test prints why a configuration function failed on the line below."""
    reason = (d.peek(d.number + 1) or "").strip()
    if reason.startswith("Reason:"):
        d.message, d.plain = reason, False
    return True


_SBT_INFO = compile_linear(r"^\[info\]\s*")
_SCALA_WHERE = compile_linear(r"\((?P<file>[\w$]+\.scala):(?P<line>\d+)\)$")


def scalatest_failed(d: Draft, match: Match) -> bool:
    """ScalaTest: what failed, and "(File.scala:12)", on the line below the test's "*** FAILED ***"."""
    below = _SBT_INFO.sub("", d.peek(d.number + 1) or "").strip()
    if below:
        d.message, d.plain = below, False
        where = _SCALA_WHERE.search(below)
        if where:
            d.file, d.line = where.group("file"), where.group("line")
    return True


def tap_not_ok(d: Draft, match: Match) -> bool:
    """TAP's YAML block under "not ok": its expected, actual and message say why."""
    fields: dict[str, str] = {}
    for k in range(1, 10):
        below = (d.peek(d.number + k) or "").strip()
        if below in ("...", "") or below.startswith(("ok ", "not ok ")):
            break
        key, _, value = below.partition(":")
        if key in ("expected", "actual", "message") and value.strip():
            fields[key] = value.strip()
    if fields:
        d.message, d.plain = ", ".join(f"{k}: {v}" for k, v in fields.items()), False
    return True


_PLAYWRIGHT_TITLE = compile_linear(
    r"^(?P<project>\[[^\]]+\] \u203a )?(?P<file>\S+?\.\w+):(?P<line>\d+):\d+ \u203a (?P<rest>.+?)[\s\u2500]*$"
)


def _numbered_title(peek: Peek, number: int, first: str) -> str:
    """Mocha prints a failing test's title over several indented lines, the last ending with ':'."""
    parts = [first.rstrip(":")]
    if first.endswith(":"):
        return parts[0]
    for k in range(1, 5):
        following = peek(number + k)
        if following is None or not following.strip() or not following.startswith("  "):
            break
        parts.append(following.strip().rstrip(":"))
        if following.rstrip().endswith(":"):
            return " ".join(parts)
    return parts[0]


def numbered_failure(d: Draft, match: Match) -> bool:
    """ "N) title": the title may run over lines; Playwright's names its file:line, which the id leaves out."""
    if d.test:
        d.test = _numbered_title(d.peek, d.number, d.test)
        spec = _PLAYWRIGHT_TITLE.match(d.test)
        if spec:  # "[chromium] > tests/a.spec.ts:12:5 > suite > title" (U+203A): the id without line numbers
            d.file, d.line = spec.group("file"), spec.group("line")
            d.test = f"{spec.group('project')}{d.file} \u203a {spec.group('rest')}"
    return True


_CODE_FRAME_LINE = compile_linear(r"^>?\s*\d+ \|")  # jest/vitest code frame: "> 12 |"


def jest_test(d: Draft, match: Match) -> bool:
    """ "● suite > title", a blank line, then what the test threw ("unknown sku kiwi", "TypeError: ...")."""
    if d.plain:
        for k in (1, 2, 3):
            below = (d.peek(d.number + k) or "").strip()
            if below:
                if not below.startswith(("expect(", "●", "at ")) and not _CODE_FRAME_LINE.match(below):
                    d.message, d.plain = below, False
                break
    if d.test and d.test.startswith("Test suite failed to run"):
        d.test, d.kind = None, FailureKind.CONFIG
    return True


_VITEST_DURATION = compile_linear(r"^\d+(?:\.\d+)?m?s$")


def failed_test_mark(d: Draft, match: Match) -> bool:
    """ "✕ title": vitest appends the duration without brackets; xcpretty appends the assertion's message."""
    if d.tool == "vitest" and d.test:
        head, _, last = d.test.rstrip().rpartition(" ")
        if head and _VITEST_DURATION.match(last):  # vitest: "suite > title 65ms", no brackets
            d.test = head.rstrip()
    if d.tool == "xctest" and d.test and ", " in d.test:
        # xcpretty: "✗ testParsesDates, XCTAssertEqual failed: ("1") is not equal to ("2")"
        d.test, reason = d.test.split(", ", 1)
        d.message, d.plain = reason, False
    return True


# -- details: what a detail line says, read on from the line (``Rule.describe``) -------------------------
Describe = Callable[[str, Match, Peek, int], str]  # (the line's message, match, peek, line number) -> message


def rust_panic(msg: str, match: Match, peek: Peek, number: int) -> str:
    """What a Rust panic says: the quoted message (before 1.73) or the line below the location, with an
    assertion's ``left:``/``right:`` values."""
    quoted = group(match, "quoted")
    if quoted:
        return quoted
    if not group(match, "file"):
        return msg
    following = (peek(number + 1) or "").strip()
    if not following:
        return msg
    values = []
    for k in (2, 3):
        below = (peek(number + k) or "").strip()
        if below.startswith(("left:", "right:")):
            values.append(below)
    return f"{following} ({', '.join(values)})" if values else following


def json_text(msg: str, match: Match, peek: Peek, number: int) -> str:
    """A JSON string's text ("got \\"a\\"\\tx" -> 'got "a"<tab>x'); as printed when it does not decode."""
    try:
        decoded = json.loads(f'"{msg}"')
    except ValueError:
        return msg
    return decoded.strip() if isinstance(decoded, str) else msg


def c_assert_message(msg: str, match: Match, peek: Peek, number: int) -> str:
    """assert()'s own words, without the program, file and function around them."""
    return (group(match, "msg", "msg2") or msg).strip()


def gomega(msg: str, match: Match, peek: Peek, number: int) -> str:
    """Gomega's message runs over lines ("Expected", "<int>: 3", "to equal", "<int>: 4") until "In [It] at:"."""
    parts = [msg.strip()]
    for k in range(1, 7):
        below = (peek(number + k) or "").strip()
        if not below or below.startswith(("In [", "---")):
            break
        parts.append(below)
    return " ".join(parts)


def node_assert(msg: str, match: Match, peek: Peek, number: int) -> str:
    """node's assert: "Expected values to be strictly equal:", a blank line, "4 !== 5"."""
    if msg.endswith(":"):
        for k in (1, 2, 3):
            below = (peek(number + k) or "").strip()
            if below:
                return f"{msg} {below}"
    return msg


def message_below(msg: str, match: Match, peek: Peek, number: int) -> str:
    """A heading ("Error Message:", gtest's "Failure") whose text is the next line."""
    if msg.endswith(("Message:", "Failure")):
        following = peek(number + 1)
        return following.strip() if following else msg
    return msg


def expected_actual(msg: str, match: Match, peek: Peek, number: int) -> str:
    """minitest: "Expected: x" then "  Actual: y"."""
    if msg.startswith("Expected:"):
        below = (peek(number + 1) or "").strip()
        if below.startswith("Actual:"):
            return f"{msg}, {below}"
    return msg


def exunit_assertion(msg: str, match: Match, peek: Peek, number: int) -> str:
    """ExUnit: "code:", "left:", "right:" below the assertion say what differed."""
    if msg.startswith("Assertion with"):
        below_lines = ((peek(number + k) or "").strip() for k in (1, 2, 3))
        values = [t for t in below_lines if t.startswith(("left:", "right:"))]
        if values:
            return f"{msg} ({', '.join(' '.join(v.split()) for v in values)})"
    return msg


# -- details: how a detail's message joins the open failure's (``Rule.joins``) ----------------------------
# (the failure's message, details attached so far, the detail's message) -> the failure's new message, or None
# when the detail says nothing to join (the first detail's message then replaces a plain one)
Join = Callable[[str, int, str], "str | None"]


def import_error(current: str, details: int, msg: str) -> str | None:
    """unittest: "ImportError: Failed to import test module" - the import's own error says why."""
    return msg if current.startswith("ImportError: Failed to import test module") else None


def got_expected(current: str, details: int, msg: str) -> str | None:
    """Test::More: "got: '3'" then "expected: '2'" are one message."""
    return f"{current}, {msg}" if msg.startswith("expected:") and current.startswith("got:") else None


def matcher_values(current: str, details: int, msg: str) -> str | None:
    """jest: the matcher ("expect(received).toBe(expected)") and its first values are one message."""
    return f"{current} | {msg}" if details <= 3 and current.startswith("expect(") else None
