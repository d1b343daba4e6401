"""Stream chunks of a log through the rule tables; collect scored hits and the failures they describe.

One Aho-Corasick pass over each lowercased chunk finds the lines worth a look (every rule's needles at
once, in C); only those lines are cleaned and tried against the rules their needles point to. State
carried from line to line is small and bounded: the open failure (details and locations attach to it), the
current step, a count of each message seen (echoes of a cascade score lower than its first line) and a
capped list of hits.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import ahocorasick

from .kinds import kind_from_text
from .lines import MAX_LINE_CHARS, Chunk, clean
from .locations import Frame, is_test_path, jvm_path, pick, repo_path, test_frame
from .normalize import echo_key, fingerprint
from .refine import Draft, heading_path
from .refine import group as _group
from .regex import IGNORECASE, Match, compile_linear, escape
from .repeats import Repeats
from .rules import DOCKER_STEP, RULES, Record, Role, Rule, TestLog, is_excluded
from .types import Failure, FailureKind, LineRange

MAX_HITS = 20_000  # pruned to half, keeping the best, when reached
MAX_FAILURES = 500
MAX_DUMP_READS = 20  # go timeouts whose goroutine dump is read for the test they stopped
MAX_STEPS = 5_000
ATTACH_DISTANCE = 80  # a detail further than this from its failure's last line starts afresh
MAX_MESSAGE = 500
MAX_FRAMES = 200  # per failure; beyond it the last frame is replaced (the innermost Python call comes last)
LOOSE_FRAME_DISTANCE = 60  # a traceback printed before the exception line that opens its failure

ECHO_PENALTY = 45
STEP_BONUS = 12  # hits inside the step that failed
OTHER_STEP_PENALTY = 15  # hits in steps that passed, once we know which one failed
VERDICT_BONUS = 20  # the last exit line of the log


@functools.cache  # the per-line path's only (``Scanner.feed``): raw bytes go through ``analysis.multipattern``
def _automaton() -> tuple[ahocorasick.Automaton, list[int]]:
    needles: dict[str, int] = {}
    for index, rule in enumerate(RULES):
        for needle in rule.needles:
            needles[needle] = needles.get(needle, 0) | (1 << index)
    # A needle containing a shorter needle fires with it anyway: when the shorter one already tries all its
    # rules, drop it (fewer matches to walk, no extra regex to run).
    for needle in sorted(needles, key=len, reverse=True):
        rules = needles[needle]
        if any(other != needle and other in needle and rules & ~mask == 0 for other, mask in needles.items()):
            del needles[needle]
    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    masks: list[int] = []
    for needle, mask in needles.items():
        automaton.add_word(needle, len(masks))
        masks.append(mask)
    automaton.make_automaton()
    return automaton, masks


# A tool's name as a word of the step's command ("ruff" in "uv run ruff check", not in "ruff-lsp").
_TOOL_WORDS = {
    name: compile_linear(rf"(?:^|[^\w-]){escape(name)}(?:$|[^\w-])") for rule in RULES for name in rule.tools
}
_TOOL_NAMES = {
    "go test": "go",
    "g++": "gcc",
    "cc": "gcc",
    "pycodestyle": "flake8",
    "pyflakes": "flake8",
    "xcodebuild": "xctest",
    "xcpretty": "xctest",
    "swift test": "xctest",
    "mix test": "exunit",
}


@dataclass(slots=True)  # one per matched line: no __dict__ to allocate (and for the collector to track)
class Hit:
    line: int
    rule: Rule
    score: int
    text: str
    step: int
    after: int
    before: int
    context: str | None = None  # for an exit line: the command's last output line


@dataclass
class _Open:
    kind: FailureKind
    tool: str
    message: str
    test_id: str | None
    file: str | None
    line: int | None
    step: int
    first: int
    last: int
    score: int
    rule: Rule  # the rule whose line opened it
    weak: bool = False
    plain: bool = True  # message is just the matched line: the first detail says it better
    evidence: list[list[int]] = field(default_factory=list)
    details: int = 0
    count: int = 1
    frames: list[Frame] = field(default_factory=list)
    indent: int = 0  # the opening line's leading blanks (a Test::More subtest's failures are indented under it)
    repeats: Repeats = field(init=False)  # the repeats of its message folded into it, and their files

    def __post_init__(self) -> None:
        self.repeats = Repeats.first(self.file)

    def add_frame(self, frame: Frame, number: int) -> None:
        if len(self.frames) < MAX_FRAMES:
            self.frames.append(frame)
        else:
            self.frames[-1] = frame
        self.last = max(self.last, number)

    def add_evidence(self, start: int, end: int) -> None:
        for rng in self.evidence:
            if start <= rng[1] + 1 and end >= rng[0] - 1:  # overlaps or touches: widen it
                rng[0], rng[1] = min(rng[0], start), max(rng[1], end)
                break
        else:
            if len(self.evidence) < 12:
                self.evidence.append([start, end])
        self.last = max(self.last, end)


_CI_ROOT = compile_linear(
    r"^(?:/home/runner/work/[^/]+/[^/]+/|/Users/runner/work/[^/]+/[^/]+/|[A-Z]:\\a\\[^\\]+\\[^\\]+\\"
    r"|/__w/[^/]+/[^/]+/|/github/workspace/|/home/travis/build/[^/]+/[^/]+/|/builds/[^/]+/[^/]+/"
    r"|/home/circleci/project/|/var/lib/jenkins/workspace/[^/]+/|/app/|\./)"
)
Search = Callable[[str], "Match | None"]
_SPLIT_ID = compile_linear(r"::|[ ./>\u203a]+")
_NUMBERED = compile_linear(r"^\s*(\d+)\)")
_EXIT_CODE = compile_linear(r"exit(?:ed)? (?:with )?(?:code|status) (\d+)")
# The JUnit Platform console launcher heads a failure with its display-name path ("JUnit Jupiter:FooTest:
# m(long, String):[2] 5 cents"); a parametrized invocation's default display name starts with its index,
# which JUnit's XML reports append to the method ("m[2]").
_JUNIT5_INVOCATION = compile_linear(r"^\s*JUnit [\w ]+:.*:\[(\d+)\][^:]*$")


def _junit5_invocation(heading: str) -> str:
    found = _JUNIT5_INVOCATION.match(heading)
    return f"[{found.group(1)}]" if found else ""


FrameFields = tuple[str, int, bool, str, str | None] | None
# A repeated frame line comes back with its match object (``ByteScanner._seen``): keyed by that object (its
# hash is its identity; a Rule's, a frozen dataclass's, hashes every field), which only its rule produces.
_FRAME_FIELDS: dict[Match, FrameFields] = {}


def frame_fields(rule: Rule, match: Match) -> FrameFields:
    """What a frame line's match says: (file, line, innermost call first, function, application), or None
    when it names no file:line or (JVM) no file of the repository's layout."""
    try:
        return _FRAME_FIELDS[match]
    except KeyError:
        pass
    if len(_FRAME_FIELDS) >= 2048:
        _FRAME_FIELDS.clear()
    fields = _FRAME_FIELDS[match] = _read_frame(rule, match)
    return fields


def _read_frame(rule: Rule, match: Match) -> FrameFields:
    file, line_s = _group(match, "file"), _group(match, "line")
    if not file or not line_s:
        return None
    if rule.jvm_class:
        file = jvm_path(_group(match, "cls") or "", file)
        if file is None:
            return None
    # Python prints the innermost call last, except faulthandler's dump ("line N in f", no comma)
    # (a ``sep`` group is Python's: ", in " in a traceback, " in " in faulthandler's dump)
    innermost_last = rule.innermost_last or _group(match, "sep") == ", in "
    return file, int(line_s), not innermost_last, _group(match, "func") or "", _group(match, "app")


@functools.lru_cache(maxsize=1024)  # a step's failures all ask about the same command
def _tool_of(tool: str, alternatives: tuple[str, ...], command: str) -> str:
    """The tool a rule's format belongs to, told apart by the words of the command that ran."""
    command = command.lower()
    for name in alternatives:
        if _TOOL_WORDS[name].search(command):
            return _TOOL_NAMES.get(name, name)
    return tool


_echo_key = functools.lru_cache(maxsize=4096)(echo_key)  # repeated lines: the same str, its hash kept
_RUST_FRAME_FUNC = compile_linear(r"^\s*\d+: (\S+)")  # a Rust backtrace names the function above its at-line
_CSI = compile_linear(r"\x1b\[[0-?]*[ -/]*[@-~]")


def _colour_free_masks(lower: str, masks: dict[int, int]) -> None:
    """Colour codes inside a line ("AssertionError\x1b[22m: x") hide needles: look again at the coloured lines
    without them. A code opening a line stays (as does the raw pass: line-start needles count on an escape's
    closing "m"), so a line's start means what it meant."""
    lines = lower.split("\n")
    coloured = [i for i, line in enumerate(lines) if "\x1b" in line]
    if not coloured:
        return
    kept = "\n".join(lines[i].replace("\x1b", "\x00", 1) if lines[i][:1] == "\x1b" else lines[i] for i in coloured)
    found: dict[int, int] = {}
    _needle_masks(_CSI.sub("", kept), found)
    for index, mask in found.items():
        line = coloured[index]
        masks[line] = masks.get(line, 0) | mask


def _needle_masks(lower: str, masks: dict[int, int]) -> None:
    """OR into ``masks`` (line index in the chunk -> rule bits) the rules whose needles occur on each line."""
    automaton, needle_masks = _automaton()
    index = 0
    last = 0
    for end, needle in automaton.iter(lower):
        index += lower.count("\n", last, end)
        last = end
        masks[index] = masks.get(index, 0) | needle_masks[needle]


def _fold_subtests(failures: list[_Open]) -> list[_Open]:
    """Test::More prints a subtest's failures indented under it, then the subtest's own ``Failed test 'name'`` at
    the outer indent, which says only that one inside failed: the inside failures are the subtest's (its name is
    their test, as TAP counts it; their own ``Failed test`` names the assertion), the outer line their evidence."""
    out: list[_Open] = []
    folded: set[int] = set()
    for failure in failures:
        inside = []
        if failure.rule.subtests_indented:
            for earlier in reversed(out):
                if not earlier.rule.subtests_indented or earlier.step != failure.step:
                    break
                if earlier.indent <= failure.indent:
                    break
                inside.append(earlier)
        if not inside:
            out.append(failure)
            continue
        for child in inside:
            if id(child) not in folded:  # a nested subtest's failures are the innermost subtest's
                child.test_id = failure.test_id or child.test_id
                folded.add(id(child))
            for start, end in failure.evidence:
                child.add_evidence(start, end)
    return out


def _merged(ranges: list[list[int]], last_line: int) -> tuple[LineRange, ...]:
    out: list[list[int]] = []
    for start, end in sorted(ranges):
        if start > last_line:
            continue
        end = min(end, last_line)
        if out and start <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return tuple(LineRange(s, e) for s, e in out)


def _same_path(a: str, b: str) -> bool:
    a, b = a.removeprefix("./"), b.removeprefix("./")
    return a == b or a.endswith("/" + b) or b.endswith("/" + a)


@functools.lru_cache(maxsize=4096)  # each new test is compared with up to 200 earlier ones
def _id_parts(test_id: str) -> tuple[str, ...]:
    return tuple(p for p in _SPLIT_ID.split(test_id) if p)


def _same_test(a: str, b: str, *, loose: bool = False) -> bool:
    """One test named two ways (``Class.test`` vs ``path::Class::test``; ``crate tests::x`` vs ``tests::x``).
    ``loose``: same tool, so a bare function name may match its full id."""
    if a == b:
        return True
    pa, pb = _id_parts(a), _id_parts(b)
    short, long = (pa, pb) if len(pa) <= len(pb) else (pb, pa)
    return len(short) >= (1 if loose else 2) and long[-len(short) :] == short


@functools.lru_cache(maxsize=8192)
def _candidates(mask: int) -> tuple[tuple[Rule, bool, Search, Search | None], ...]:
    """The rules a needle mask selects, in table order, each with whether it is a generic fallback and the
    searches of its pattern and ``unless`` on a cleaned line (cut at MAX_LINE_CHARS). Lines repeat few
    distinct masks, so this is computed once per mask, not once per line."""
    rules = []
    while mask:
        low = mask & -mask
        mask ^= low
        rule = RULES[low.bit_length() - 1]
        unless = rule.unless.engine_for(MAX_LINE_CHARS).search if rule.unless else None
        rules.append((rule, bool(low & _GENERIC_MASK), rule.pattern.engine_for(MAX_LINE_CHARS).search, unless))
    return tuple(rules)


def _first_rule(line: str, mask: int) -> tuple[Rule, Match] | None:
    """The first rule of the table (among those ``mask`` selects) that matches the cleaned line."""
    if not line.strip():
        return None
    excluded: bool | None = None
    stripped = line.lstrip()
    for rule, generic, search, unless in _candidates(mask):
        if rule.starts and not stripped.startswith(rule.starts):
            continue
        if generic:
            # exclusions guard the fallbacks only: specific rules carry their own ``unless``
            if excluded is None:
                excluded = is_excluded(line)
            if excluded:
                return None
        match = search(line)
        if match is not None and (unless is None or not unless(line)):
            return rule, match
    return None


def classify(raw_line: str) -> str | None:
    """Name of the rule a single raw log line matches, or None: for tests and for debugging a rule table."""
    lower = f"\n{raw_line.lower()}"
    masks: dict[int, int] = {}
    _needle_masks(lower, masks)
    if "\x1b" in lower:
        _colour_free_masks(lower, masks)
    found = _first_rule(clean(raw_line), masks.get(1, 0))
    return found[0].name if found else None


class Scanner:
    """Feed chunks in order, then ``finish`` once; holds bounded state only."""

    def __init__(self) -> None:
        self.hits: list[Hit] = []
        self.failures: list[_Open] = []
        self._by_fp: dict[str, _Open] = {}
        self.steps: list[str] = [""]
        self.failed_steps: set[int] = set()
        self._echo: Counter[str] = Counter()
        self._rule_count: Counter[tuple[str, int]] = Counter()
        self._open: _Open | None = None
        self._pending: tuple[Hit, Match] | None = None  # a detail printed before its test's name
        self._docker: dict[str, tuple[int, str]] = {}
        self._command = ""  # last command echoed inside the step (``> jest --ci``)
        self._test_file: tuple[int, str] | None = None  # jest/vitest ``FAIL file`` heading the tests below
        self._link_section = ""  # awesome_bot's "> White listed" / "> Links" heading the link lines below
        self._block = 0  # stack traces printed so far: frames of one share a number
        self._loose: list[tuple[int, Frame]] = []  # frames seen with no failure open (a script's traceback)
        self._pytest_lines: list[tuple[str, Frame]] = []  # pytest --tb=line locations, by message
        self._go_running = ""  # go test -v: the test an "=== RUN" line started
        self._go_details: dict[str, tuple[Hit, Match]] = {}  # its first "x_test.go:N: msg" line
        self._go_frames: dict[str, list[Frame]] = {}  # -json: a test's goroutine dump, before its fail event
        self._dump_reads = 0  # goroutine dumps read for the test a timeout stopped
        self._diffs: dict[str, int] = {}  # file -> first line a printed diff changes (formatters' --diff)
        self._requirements: dict[str, tuple[str, int]] = {}  # pip: package -> the requirements file's line
        self._mix_apps: set[str] = set()  # Elixir: the applications mix compiled (the project's own)
        self._lines: list[str] = []
        self._first = 1
        self.total_lines = 0

    # -- streaming --------------------------------------------------------------------------------------
    def feed(self, chunk: Chunk) -> None:
        text = chunk.text
        lower = text.lower()
        masks: dict[int, int] = {}
        _needle_masks(lower, masks)
        if "\x1b" in text:
            _colour_free_masks(lower, masks)
            masks = dict(sorted(masks.items()))  # lines in order: state carries from line to line
        if masks:
            self._lines = text.split("\n")
            self._first = chunk.first
            for index, mask in masks.items():
                self._line(chunk.first + index, self._lines[index], mask)
            self._lines = []
        self.total_lines = chunk.first + text.count("\n")

    def _peek(self, number: int) -> str | None:
        """A neighbouring line, cleaned, when it is in the chunk at hand (rules look 1-8 lines around)."""
        index = number - self._first
        if 0 <= index < len(self._lines):
            return clean(self._lines[index])
        return None

    def _raw_line(self, number: int) -> str:
        """A line of the chunk at hand as the log printed it (colour codes kept), or ""."""
        index = number - self._first
        return self._lines[index] if 0 <= index < len(self._lines) else ""

    def _line(self, number: int, raw: str, mask: int) -> None:
        line = clean(raw)
        found = _first_rule(line, mask)
        if found is not None:
            self._apply(number, line, *found)

    # -- one matched line -------------------------------------------------------------------------------
    def _apply(self, number: int, line: str, rule: Rule, match: Match) -> None:
        role = rule.role
        step = len(self.steps) - 1
        if role is Role.STEP:
            name = (_group(match, "cmd") or "").strip()[:200]
            if len(self.steps) < MAX_STEPS:
                self.steps.append(name)
            else:  # a log of endless "$ cmd" lines: later steps share the last slot
                self.steps[-1] = name
            self._open = None
            self._command = ""
            self._test_file = None
            self._link_section = ""
            self._loose = []
            return
        if role is Role.FRAME:
            self._frame(number, rule, match, step)
            return
        if rule.records is not None:
            self._record(rule.records, number, match)
            return
        if rule.white_listed_passes and self._link_section == "white listed":
            return  # allowed to fail: awesome_bot lists these whatever their status
        if role is Role.COMMAND:
            self._command = (_group(match, "cmd") or "").strip()[:200]
            return
        if role is Role.DOCKER_STEP:
            if len(self._docker) > 5000:
                self._docker.clear()
            self._docker[_group(match, "n") or ""] = (number, line)
            return
        if rule.under_tool and (self._open is None or self._open.tool != rule.under_tool):
            return  # another tool's margin
        if rule.in_ctest_output and not self._in_ctest_output(number, step):
            return  # a C/C++ file:line outside a failed CTest test's output: a compiler's note, a log line
        score = rule.score
        key = _echo_key(line)
        seen = self._echo[key]
        if len(self._echo) < 200_000 or seen:
            self._echo[key] = seen + 1
        if seen:
            score -= ECHO_PENALTY
        count = self._rule_count[(rule.name, step)]
        self._rule_count[(rule.name, step)] = count + 1
        score -= min(24, 3 * count)  # the first lines of a cascade say most
        hit = Hit(number, rule, score, line, step, rule.after, rule.before)
        if rule.heads_test_file:
            self._test_file = (number, _group(match, "file") or "")
            self._add(hit)
            return
        if role is Role.FAILURE:
            self._block += 1
            self._failure(hit, match)
        elif role in (Role.DETAIL, Role.LOCATION):
            if rule.starts_trace or (rule.chains_causes and "Caused by:" in line):
                self._block += 1
            self._detail(hit, match)
        elif role is Role.EXIT:
            if rule.verdict:
                self.failed_steps.add(step)
            self._open = None
            hit.context = self._last_output(number)
        self._add(hit)

    def _record(self, what: Record, number: int, match: Match) -> None:
        """A line that says nothing wrong but what later lines need: remember it."""
        if what is Record.LINK_SECTION:
            self._link_section = (_group(match, "cmd") or "").lower()
        elif what is Record.DIFF_HUNK:
            self._hunk(number, match)
        elif what is Record.REQUIREMENT_SOURCE:
            self._requirement_source(match)
        elif what is Record.MIX_APP:
            if len(self._mix_apps) < 100:
                self._mix_apps.add(_group(match, "app") or "")
        elif what is Record.GO_TEST_RUN:
            self._go_running = _group(match, "test") or ""
            self._open = None

    def _add(self, hit: Hit) -> None:
        self.hits.append(hit)
        if len(self.hits) >= MAX_HITS:
            keep = sorted(self.hits, key=lambda h: (-h.score, h.line))[: MAX_HITS // 2]
            self.hits = sorted(keep, key=lambda h: h.line)

    def _tool(self, rule: Rule, step: int) -> str:
        if not rule.tools:
            return rule.tool
        return _tool_of(rule.tool, rule.tools, f"{self.steps[step]} {self._command}")

    # -- frames -----------------------------------------------------------------------------------------
    def _frame(self, number: int, rule: Rule, match: Match, step: int) -> None:
        """A stack frame: it belongs to the open failure, or to the one a traceback's last line opens."""
        fields = frame_fields(rule, match)
        if fields is None:
            return
        file, line_no, innermost_first, func, app = fields
        if rule.project_apps_only and app and app not in self._mix_apps:
            return  # a dependency's or Elixir's own module
        if rule.rust_func_above and file.endswith(".rs"):  # Rust names the function on the line above
            above = _RUST_FRAME_FUNC.match(self._peek(number - 1) or "")
            func = above.group(1) if above else func
        frame = Frame(file, line_no, innermost_first, self._block, func)
        if rule.test_log is TestLog.NAMED:  # -json: the test's fail event comes after its dump
            test = _group(match, "test") or ""
            frames = self._go_frames.setdefault(test, []) if len(self._go_frames) < MAX_FAILURES else []
            if len(frames) < MAX_FRAMES:
                frames.append(frame)
            return
        current = self._open
        if current is not None and number - current.last <= ATTACH_DISTANCE and current.step == step:
            current.add_frame(frame, number)
            return
        self._open = None
        if len(self._loose) < MAX_FRAMES:
            self._loose.append((number, frame))
        else:
            self._loose[-1] = (number, frame)

    def _adopt_loose(self, opened: _Open) -> None:
        loose, self._loose = self._loose, []
        if loose and 0 < opened.first - loose[-1][0] <= LOOSE_FRAME_DISTANCE:
            for _, frame in loose:
                opened.frames.append(frame)

    def _adopt_pytest_line(self, opened: _Open, message: str) -> None:
        """The summary's "FAILED id - message" (cut with "...") names the test a --tb=line location is for."""
        wanted = message.removesuffix("...").strip()
        for index, (text, frame) in enumerate(self._pytest_lines):
            if wanted and (text.startswith(wanted) or wanted.endswith(text)):
                opened.frames.append(frame)
                del self._pytest_lines[index]
                return

    def _running_test(self, number: int) -> str | None:
        """The test a timeout stopped: the one go 1.21+ lists under ``running tests:`` (the first, when several
        run in parallel), else the test function in the goroutine dump below (``pkg.TestNext(0xc0000a01a0)``),
        else the last one -v's ``=== RUN`` started."""
        for k in range(1, 3):
            if _GO_RUNNING_HEADING.match(self._peek(number + k) or ""):
                below = _GO_RUNNING_TEST.match(self._peek(number + k + 1) or "")
                if below:
                    return below.group(1)
        if self._dump_reads < MAX_DUMP_READS:  # a log of nothing but timeout lines must not read each one's 200
            self._dump_reads += 1
            for k in range(1, 200):
                text = self._peek(number + k)
                if text is None:
                    break
                found = _GO_TEST_FRAME.match(text)
                if found:
                    return found.group(1)
        return self._go_running or None

    def _go_test_panicked(self, hit: Hit, message: str) -> bool:
        """"--- FAIL: TestX" then "panic: ...": the panic is that test's message, its goroutine dump its frames."""
        current = self._open
        if current is None or not current.rule.takes_panic or not current.plain or hit.line - current.last > 3:
            return False
        # " [recovered]": testing's deferred handler re-panicked, as always for a test; -json reads alike
        current.message, current.plain = message.strip().removesuffix(" [recovered]")[:MAX_MESSAGE], False
        current.add_evidence(hit.line, hit.line + hit.after)
        return True

    def _hunk(self, number: int, match: Match) -> None:
        """The first hunk of a file's diff: its start plus the context lines before the first change."""
        header = (self._peek(number - 2) or "").strip()
        if not header.startswith("--- ") or len(self._diffs) >= MAX_FAILURES:
            return
        path = repo_path(header[4:].split("\t", 1)[0].strip().removeprefix("a/"))
        if path is None or path in self._diffs:
            return
        line = int(match.group("line"))
        for k in range(1, 40):
            below = self._peek(number + k)
            if below is None or below.startswith(("-", "+", "@@")):
                break
            line += 1
        self._diffs[path] = max(1, line)

    # -- failures ---------------------------------------------------------------------------------------
    def _failure(self, hit: Hit, match: Match) -> None:
        rule = hit.rule
        test = _group(match, "test", "test2")
        cls = _group(match, "cls", "cls2")
        if test and rule.invocation_above:
            test += _junit5_invocation(self._peek(hit.line - 1) or "")
        if test and cls:
            if rule.class_colons:
                test = f"{cls}::{test}"
            elif not cls.endswith(f".{test}"):
                test = f"{cls}.{test}"
            else:
                test = cls
        message = _group(match, "msg", "msg2")
        plain = message is None or message.rstrip().endswith(":")  # a heading: its detail says more
        if rule.heading:
            plain = True  # "Failed", "MethodSource [...]": what the test printed or threw says why
        message = message or hit.text.strip().removeprefix("##[error]")
        file = _group(match, "file", "file2", "file3")
        line_s = _group(match, "line", "line2", "line3")
        if rule.detail_in_output and self._in_ctest_output(hit.line, hit.step):
            self._attach(self._open, hit, match)  # type: ignore[arg-type]  # checked by _in_ctest_output
            return
        kind = rule.kind or FailureKind.UNKNOWN
        tool = self._tool(rule, hit.step)
        if rule.refine is not None:
            command = f"{self.steps[hit.step]} {self._command}"
            draft = Draft(hit.line, command, self._peek, kind, tool, message, plain, test, file, line_s)
            if not rule.refine(draft, match):
                return
            kind, tool, message, plain = draft.kind, draft.tool, draft.message, draft.plain
            test, file, line_s = draft.test, draft.file, draft.line
        if rule.kind_from_message:
            kind = kind_from_text(message, kind)
        elif rule.message is not None:
            message, plain = rule.message, False
        elif rule.file_from_heading and file is None:
            file = heading_path(self._peek, hit.line)
        elif rule.under_test_file and self._test_file and not file:
            if hit.line - self._test_file[0] < 400:
                file = self._test_file[1]
        elif rule.line_from_diff and file:
            changed = self._diffs.get(repo_path(file) or "")
            line_s = str(changed) if changed else line_s
        elif rule.panic_of_test and self._go_test_panicked(hit, message):
            return
        elif rule.locates_above:
            current = self._open
            if current is not None and current.rule.located_below and hit.line - current.last <= 1:
                current.file, current.line = file, int(line_s) if line_s else None
                current.add_evidence(hit.line, hit.line)
                return
            heading = _RUFF_HEADING.match(self._peek(hit.line - 1) or "")
            if heading is None:
                return  # another tool's "-->" (rustc's are .rs)
            message, plain = heading.group(0).strip(), False
        elif rule.from_requirements:
            file, line_s = self._requirement_line(message)
        elif rule.testdox_title and tool == "phpunit" and test and _TESTDOX.search(self.steps[hit.step]):
            test = self._testdox_id(hit.line, test)
        elif rule.test_below is not None:
            below = self._peek(hit.line + 1) or ""
            found = rule.test_below.pattern.match(below)
            if found is None:
                hit.rule = rule.test_below  # only a heading: keep the line as evidence, open nothing
                return
            test = f"{found.group('cls')}#{found.group('test')}"
            file, line_s, message, plain = found.group("file"), found.group("line"), below.strip(), True
        if rule.names_running_test and not test:
            test = self._running_test(hit.line)
        if test:
            test = test.strip()[:300]
            merged = self._merge_test(test, message, plain, hit, file, line_s)
            if merged:
                return
        message = message.strip()[:MAX_MESSAGE]
        line_no = int(line_s) if line_s and line_s.isdigit() else None
        fp = fingerprint(tool, kind.value, test, message if not test else "", file if not test else None)
        if rule.one_per_line:  # a linter's problems: the same check on two lines is two problems
            fp = f"{fp}:{line_s}"
        existing = self._by_fp.get(fp)
        if existing is not None:
            existing.count += 1
            existing.repeats.add(file)
            existing.add_evidence(hit.line, hit.line + hit.after)
            self._open = existing
            hit.score -= ECHO_PENALTY // 2
            return
        if len(self.failures) >= MAX_FAILURES:
            self._open = None
            return
        opened = _Open(
            kind,
            tool,
            message,
            test,
            file,
            line_no,
            hit.step,
            hit.line,
            hit.line,
            hit.score,
            rule,
            weak=rule.weak,
            plain=plain,
            indent=len(hit.text) - len(hit.text.lstrip()),
        )
        opened.add_evidence(hit.line, hit.line + hit.after)
        if rule.finds_docker_step and self._docker:
            self._docker_evidence(opened, message)
        self.failures.append(opened)
        self._by_fp[fp] = opened
        self._open = opened
        self._adopt_loose(opened)
        if rule.adopts_test_log and test in self._go_details:
            self._attach(opened, *self._go_details.pop(test))
            opened.evidence.sort()
        if rule.adopts_test_log and test in self._go_frames:
            for frame in self._go_frames.pop(test):
                opened.add_frame(frame, opened.last)
        if rule.adopts_kept_location and self._pytest_lines:
            self._adopt_pytest_line(opened, message)
        self._adopt_pending(opened)

    def _last_output(self, number: int) -> str | None:
        for k in range(1, 4):
            previous = self._peek(number - k)
            if previous is None:
                return None
            text = previous.strip().lstrip("}")  # a Travis timing marker may follow a closing brace
            # runner bookkeeping (Travis timing and fold markers) is not what the command printed
            if text and not text.startswith(("##[", "$ ", "+ ", "> ", "travis_time:", "travis_fold:")):
                return text
        return None

    def _in_ctest_output(self, number: int, step: int) -> bool:
        """Whether the line is what a failed CTest test printed (--output-on-failure prints it right below)."""
        current = self._open
        return (
            current is not None
            and current.rule.output_below
            and current.step == step
            and 0 < number - current.last <= 40
        )

    def _testdox_id(self, number: int, title: str) -> str:
        """PHPUnit --testdox prints "Money" (MoneyTest without its suffix) above "✘ Add sums cents"
        (testAddSumsCents): the id JUnit XML and the default printer give, for camelCase methods (PHPUnit's
        convention; a test_snake_case method reads the same and is named as if it were camelCase)."""
        title, data_set = title.strip(), ""
        marker = title.find(" with data set ")
        raw = self._raw_line(number)
        if marker > 0:
            title, data_set = title[:marker], title[marker:]
        elif "\x1b[2m with \x1b[22m" in raw and " with " in title:  # --colors: "Keeps <dim>with</dim> <name>"
            title, _, name = title.rpartition(" with ")
            data_set = f" with data set {name}" if name.startswith("#") else f' with data set "{name}"'
        method = "test" + "".join(word[:1].upper() + word[1:] for word in title.split())
        for k in range(1, 200):
            previous = self._peek(number - k)
            if previous is None:
                break
            heading = _TESTDOX_CLASS.match(previous)
            if heading:
                return f"{heading.group(1).replace(' ', '')}Test::{method}{data_set}"
        return f"{method}{data_set}"

    def _requirement_source(self, match: Match) -> None:
        """pip's "(from -r requirements.txt (line 4))": where a package was asked for."""
        if len(self._requirements) >= MAX_FAILURES:
            return
        token = (_group(match, "pkg") or "").rsplit("/", 1)[-1]
        if token.endswith((".whl", ".tar.gz", ".zip")):
            token = token.split("-", 1)[0]  # a distribution file: "acme_io-1.4-py3-none-any.whl"
        name = _pep503(_REQUIREMENT_NAME.match(token))
        if name:
            self._requirements[name] = (_group(match, "file") or "", int(_group(match, "line") or 0))

    def _requirement_line(self, message: str) -> tuple[str | None, str | None]:
        """The requirements file's line a pip failure is about: named in the message ("Cannot install -r
        requirements.txt (line 4) and ..."), else where pip said the package it names came from."""
        direct = _REQUIREMENT_REF.search(message)
        if direct:
            return direct.group("file"), direct.group("line")
        named = _PIP_PACKAGE.search(message)
        found = self._requirements.get(_pep503(_REQUIREMENT_NAME.match(named.group("pkg"))) if named else "")
        return (found[0], str(found[1])) if found else (None, None)

    def _merge_test(self, test: str, message: str, plain: bool, hit: Hit, file: str | None, line_s: str | None) -> bool:
        """A test reported twice (section then summary, nextest then libtest, ``N)`` list then details)."""
        number = _NUMBERED.match(hit.text) if hit.rule.numbered else None
        for failure in reversed(self.failures[-200:]):
            if failure.step != hit.step:
                continue
            if not failure.test_id:
                # pytest: ``ERROR tests/test_io.py`` repeats the collection error of that file
                if failure.rule.repeated_by_file and failure.file == test:
                    failure.add_evidence(hit.line, hit.line)
                    failure.count += 1
                    return True
                continue
            same = _same_test(failure.test_id, test, loose=failure.tool == self._tool(hit.rule, hit.step))
            if not same and number and failure.rule.numbered:
                previous = _NUMBERED.match(failure.message)
                same = previous is not None and previous.group(1) == number.group(1)
            if not same:
                continue
            if len(test) > len(failure.test_id) and not hit.rule.keeps_merged_id:
                failure.test_id = test
            if failure.plain and not plain:
                failure.message, failure.plain = message[:MAX_MESSAGE], False
            if hit.rule.names_merged_tool or failure.tool == "numbered":
                failure.tool = self._tool(hit.rule, hit.step) if not hit.rule.numbered else failure.tool
            if file and not failure.file:
                failure.file = file
            if line_s and line_s.isdigit() and failure.line is None:
                failure.line = int(line_s)
            failure.add_evidence(hit.line, hit.line + hit.after)
            failure.count += 1
            self._open = failure
            hit.score -= 10
            return True
        return False

    def _docker_evidence(self, failure: _Open, message: str) -> None:
        """Point at the BuildKit step whose command failed: ``#12 [stage 3/7] RUN make``."""
        failed = _DOCKER_PROCESS.search(message)
        wanted = failed.group(1)[:20] if failed else None
        step = len(self.steps) - 1
        for number, text in reversed(list(self._docker.values())):
            command = text.split("] ", 1)[-1].removeprefix("RUN ").strip()
            if wanted and command.startswith(wanted):
                self._add(Hit(number, DOCKER_STEP, 88, text, step, 0, 0))
                failure.add_evidence(number, number)
                failure.evidence.sort()
                return
        number, text = next(reversed(self._docker.values()))
        self._add(Hit(number, DOCKER_STEP, 66, text, step, 0, 0))

    # -- details ----------------------------------------------------------------------------------------
    def _detail(self, hit: Hit, match: Match) -> None:
        rule = hit.rule
        current = self._open
        if rule.test_log is TestLog.RUNNING and self._go_running:
            # -v prints a test's log before its "--- FAIL" line: keep it for that test
            if self._go_running not in self._go_details and len(self._go_details) < MAX_FAILURES:
                self._go_details[self._go_running] = (hit, match)
            return
        if rule.test_log is TestLog.NAMED:
            # -json: the event names its test; the test's fail event comes later
            test = _group(match, "test") or ""
            if (test not in self._go_details or rule.takes_over_test_log) and len(self._go_details) < MAX_FAILURES:
                self._go_details[test] = (hit, match)
            return
        if rule.names_docker_step:
            found = self._docker.get(_group(match, "n") or "")
            if found:
                self._add(Hit(found[0], DOCKER_STEP, 88, found[1], hit.step, 0, 0))
        if rule.script_died:
            # the test script died (Test::More's own diagnostics start with "#"): a failure of its own
            self._perl_died(hit, match)
            return
        if current is None or hit.line - current.last > ATTACH_DISTANCE or current.step != hit.step:
            self._orphan(hit, match)
            return
        self._attach(current, hit, match)

    def _attach(self, current: _Open, hit: Hit, match: Match) -> None:
        rule = hit.rule
        if current.details >= 1 and rule.role is Role.DETAIL:
            hit.score -= 20 + min(20, 4 * current.details)
        current.add_evidence(hit.line, hit.line + hit.after)
        where = _group(match, "file", "file2")
        line_s = _group(match, "line", "line2")
        if where and line_s and rule.locates:
            # a traceback's last frame (pytest), vitest's "> file:L:C", a panic's location: innermost first
            current.add_frame(Frame(where, int(line_s), not rule.innermost_last, self._block), hit.line)
        if where and current.line is None and (current.file is None or _same_path(current.file, where)):
            current.file = where
            current.line = int(line_s) if line_s else None
        if rule.role is Role.LOCATION:
            return
        current.details += 1
        if current.tool == "numbered" and rule.names_tool:
            current.tool = rule.names_tool
        if not rule.says_why:
            return
        msg = (_group(match, "msg") or hit.text).strip()
        if rule.whole_line:
            msg = hit.text.strip().removeprefix("=> ")
        if rule.describe is not None:
            msg = rule.describe(msg, match, self._peek, hit.line)
        joined = rule.joins(current.message, current.details, msg) if rule.joins is not None else None
        if joined is not None:
            current.message = joined[:MAX_MESSAGE]
            return
        if current.plain and msg:
            current.message, current.plain = msg[:MAX_MESSAGE], False

    def _orphan(self, hit: Hit, match: Match) -> None:
        """A detail with no failure open: a crash of its own, or the message of a test named just after."""
        rule = hit.rule
        if rule.kept_for_summary:
            # --tb=line: "path:line: message" per failure, before the summary names their tests
            where, line_s = _group(match, "file"), _group(match, "line")
            if where and line_s and len(self._pytest_lines) < MAX_FAILURES:
                text = hit.text.strip().split(": ", 1)[-1].strip()
                self._pytest_lines.append((text, Frame(where, int(line_s), True, self._block)))
            return
        if rule.waits_for_test:
            self._pending = (hit, match)
        if rule.opens_alone is None:
            return
        message = hit.text.strip()
        kind = kind_from_text(message, rule.opens_alone)
        fp = fingerprint(rule.tool, kind.value, None, message, None)
        existing = self._by_fp.get(fp)
        if existing is not None:
            existing.count += 1
            existing.repeats.add(None)
            existing.add_evidence(hit.line, hit.line)
            hit.score -= ECHO_PENALTY // 2
            return
        if len(self.failures) < MAX_FAILURES:
            opened = _Open(
                kind,
                rule.tool,
                message[:MAX_MESSAGE],
                None,
                None,
                None,
                hit.step,
                hit.line,
                hit.line,
                hit.score,
                rule,
                plain=False,
            )
            opened.add_evidence(hit.line, hit.line)
            self.failures.append(opened)
            self._by_fp[fp] = opened
            self._open = opened
            self._adopt_loose(opened)

    def _perl_died(self, hit: Hit, match: Match) -> None:
        """A Perl test script that died ("MESSAGE at lib/X.pm line 7."): prove then names the script
        ("t/split.t .. ", "Dubious, test returned 255"); the script is the failing unit, the die its fault."""
        if len(self.failures) >= MAX_FAILURES:
            return
        message = (_group(match, "msg") or hit.text).strip()[:MAX_MESSAGE]
        current = self._open
        if (
            current is not None
            and current.kind is FailureKind.COMPILE
            and current.tool == "perl"
            and current.step == hit.step
            and 0 < hit.line - current.last <= 1
        ):
            current.add_evidence(hit.line, hit.line)  # the rest of one compilation's errors, and its abort
            return
        aborted, script = self._perl_below(hit.line)
        if aborted and not _PERL_ABORT.match(message) and not message.startswith("Can't locate "):
            self._perl_compile(hit, match, message)
            return
        tool = "prove" if script else "perl"
        fp = fingerprint(tool, FailureKind.TEST.value, script, message if not script else "", None)
        kind = FailureKind.TEST if script else FailureKind.CRASH
        opened = self._perl_failure(hit, fp, kind, tool, message, script, None, None)
        if not opened.frames:  # where the script died: its first die
            where = Frame(_group(match, "file") or "", int(_group(match, "line") or 0), True, self._block)
            opened.add_frame(where, hit.line)

    def _perl_below(self, number: int) -> tuple[bool, str | None]:
        """What follows a Perl error, in one look at the next lines: whether a compilation ends there (perl prints
        the compiler's errors in source order, then ``Compilation failed in require``, ``BEGIN
        failed--compilation aborted`` or ``Execution of X aborted due to compilation errors.``: perldiag), and
        the test script prove names below it. A missing module ends the same way; it is a dependency."""
        aborted = False
        for k in range(1, 12):
            below = self._peek(number + k) or ""
            aborted = aborted or bool(_PERL_ABORT.match(below))
            found = _PROVE_SCRIPT.match(below)
            if found:
                return aborted, found.group(1)
        return aborted, None

    def _perl_compile(self, hit: Hit, match: Match, message: str) -> None:
        """The first error of a compilation: the fault (the others follow from it); one failure however many
        test scripts loaded the module, not a test failure of each."""
        file = _group(match, "file")
        line_s = _group(match, "line")
        fp = fingerprint("perl", FailureKind.COMPILE.value, None, message, file)
        line = int(line_s) if line_s else None
        self._open = self._perl_failure(hit, fp, FailureKind.COMPILE, "perl", message, None, file, line)

    def _perl_failure(
        self,
        hit: Hit,
        fp: str,
        kind: FailureKind,
        tool: str,
        message: str,
        test: str | None,
        file: str | None,
        line: int | None,
    ) -> _Open:
        """The failure a Perl error is: the one its fingerprint already has, counted once more, else a new one."""
        existing = self._by_fp.get(fp)
        if existing is not None:
            existing.count += 1
            existing.add_evidence(hit.line, hit.line)
            return existing
        opened = _Open(kind, tool, message, test, file, line, hit.step, hit.line, hit.line, hit.score, hit.rule)
        opened.plain = False
        opened.add_evidence(hit.line, hit.line)
        self.failures.append(opened)
        self._by_fp[fp] = opened
        self._open = opened
        return opened

    def _adopt_pending(self, opened: _Open) -> None:
        pending, self._pending = self._pending, None
        if pending is None:
            return
        hit, match = pending
        if 0 < opened.first - hit.line <= 30 and hit.step == opened.step:
            self._attach(opened, hit, match)
            opened.evidence.sort()

    # -- end of input -----------------------------------------------------------------------------------
    def finish(self) -> tuple[list[Failure], list[Hit]]:
        """Score hits by step, drop failures that only echo others, fall back to a generic one, freeze."""
        failing = set(self.failed_steps)
        for opened in self.failures:
            if opened.kind in (FailureKind.TIMEOUT, FailureKind.CRASH, FailureKind.INFRA) or not opened.weak:
                failing.add(opened.step)
        if failing:
            last_failing = max(failing)
            for hit in self.hits:
                if hit.step in failing:
                    hit.score += STEP_BONUS
                elif hit.step > last_failing or len(self.steps) > 2:
                    hit.score -= OTHER_STEP_PENALTY
        exits = [h for h in self.hits if h.rule.verdict] or [h for h in self.hits if h.rule.role is Role.EXIT]
        if exits:
            exits[-1].score += VERDICT_BONUS  # where the job gave up: the lines before it explain why
        kept = self._drop_echoes(self.failures)
        failures = [self._freeze(opened) for opened in kept]
        if not failures:
            fallback = self._fallback(failing)
            if fallback is not None:
                failures.append(fallback)
        failures.sort(key=lambda f: f.evidence[0].start if f.evidence else 0)
        return failures, self.hits

    @staticmethod
    def _drop_echoes(failures: list[_Open]) -> list[_Open]:
        strong = [f for f in failures if not f.weak]
        kept = strong or failures
        # an abort right after an out-of-memory error is its consequence
        ooms = [f for f in kept if f.tool == "oom"]
        kept = [
            f
            for f in kept
            if not (f.tool == "crash" and any(o.step == f.step and 0 <= f.first - o.first <= 40 for o in ooms))
        ]
        # Ginkgo's suite runs inside one "go test" function: its "--- FAIL: TestSuite" says nothing more
        reported = {(f.tool, f.step) for f in kept}
        kept = [f for f in kept if not (f.rule.yields_to and f.plain and (f.rule.yields_to, f.step) in reported)]
        # a Go parent test fails because its subtest did; what it printed belongs to the subtest
        go = [f for f in kept if f.tool == "go" and f.test_id]
        parents = set()
        for parent in go:
            children = [c for c in go if c.test_id and c.test_id.startswith(f"{parent.test_id}/")]
            if not children:
                continue
            parents.add(id(parent))
            for child in children:
                if child.plain and not parent.plain:
                    child.message, child.plain = parent.message, False
                    child.file, child.line = child.file or parent.file, child.line or parent.line
                    for start, end in parent.evidence:
                        child.add_evidence(start, end)
        return _fold_subtests([f for f in kept if id(f) not in parents])

    def _freeze(self, opened: _Open) -> Failure:
        step = self.steps[opened.step] if opened.step < len(self.steps) else ""
        message = opened.message or opened.test_id or opened.kind.value
        tool = "test" if opened.tool == "numbered" else opened.tool
        file, line, test_file, test_line = self._locations(opened)
        occurrences, files, file_count = opened.repeats.frozen(repo_path)
        return Failure(
            kind=opened.kind,
            tool=tool,
            message=message,
            test_id=opened.test_id,
            file=file,
            line=line,
            evidence=_merged(opened.evidence, self.total_lines),
            fingerprint=fingerprint(tool, opened.kind.value, opened.test_id, message, file),
            step=step.removeprefix("Run ") or None,
            test_file=test_file,
            test_line=test_line,
            occurrences=occurrences,
            files=files,
            file_count=file_count,
        )

    @staticmethod
    def _locations(opened: _Open) -> tuple[str | None, int | None, str | None, int | None]:
        """(file, line, test_file, test_line): the fault is the innermost frame inside the repository, else
        the file:line the tool printed; the test's line is its innermost frame in a test file."""
        fault, test = pick(opened.frames)
        if opened.rule.crash_names_test:  # faulthandler: the test function the crash happened in
            test = test_frame(opened.frames) or test
            if test is not None and opened.test_id is None and test.func:
                opened.test_id = f"{test.file}::{test.func}"
        file, line = repo_path(opened.file), opened.line
        if fault is not None:
            file, line = fault.file, fault.line
        elif file is None:
            line = None
        caller = _PHP_CALLED_IN.search(opened.message)
        if caller and repo_path(caller.group("file")):
            # PHP's argument errors: the innermost frame is the callee's signature; the bad call is the fault
            file, line = repo_path(caller.group("file")), int(caller.group("line"))
        if test is None and opened.kind is FailureKind.TEST and file and line and is_test_path(file):
            return file, line, file, line
        if test is None and opened.rule.asserts_where_tested and file and line:
            # a panic inside a unit test's module: assert!/assert_eq! panics where the test asserted
            if opened.message.startswith(("assertion", "test did not panic")) or is_test_path(file):
                return file, line, file, line
        return file, line, (test.file if test else None), (test.line if test else None)

    def _fallback(self, failing: set[int]) -> Failure | None:
        """No tool recognised: the best error-looking line, its kind read from its words.

        Taken from the step that failed, else from the last step with an error-looking line (a job stops at
        the command that failed; setup chatter and comments early in the log are not why). A hint ("please
        run ...") or an exit line only when nothing reads like an error; between equals, the later line."""
        roles = (Role.GENERIC, Role.EXIT, Role.SUMMARY, Role.DETAIL, Role.HINT)
        candidates = [h for h in self.hits if h.rule.role in roles and not _error_word_in_name_only(h)]
        if not candidates:
            return None
        in_failing = [h for h in candidates if h.step in failing]
        if in_failing:
            candidates = in_failing
        else:
            last_step = max(h.step for h in candidates)
            candidates = [h for h in candidates if h.step == last_step]
        best = max(candidates, key=lambda h: (h.rule.role not in (Role.EXIT, Role.HINT), h.score, h.line))
        message = best.text.strip().removeprefix("##[error]")[:MAX_MESSAGE]
        evidence = [LineRange(best.line, best.line)]
        if best.rule.role is Role.EXIT and best.context:
            # nothing looked like an error: the failing command's last words say most
            message = f"{best.context} ({message.rstrip('.')})"[:MAX_MESSAGE]
            evidence = [LineRange(max(1, best.line - best.before), best.line)]
        kind = kind_from_text(message)
        exit_code = _EXIT_CODE.search(message)
        if exit_code and exit_code.group(1) in ("137", "139"):
            kind = FailureKind.CRASH
        step = self.steps[best.step].removeprefix("Run ") or None
        return Failure(
            kind=kind,
            tool="generic",
            message=message,
            evidence=tuple(evidence),
            fingerprint=fingerprint("generic", kind.value, None, message, None),
            step=step,
        )


# A file or type named after errors ("Parsing Error.swift", "FailureHandler.m"): kept as a hit for the
# excerpt, but not a failure of its own.
# From the start of a path-like token only (one try per token, not per character): the boundary is kept.
_ERRORISH_NAME = compile_linear(r"(^|[^\w/.-])[\w/.-]*(?:error|fail)\w*\.[A-Za-z]\w{0,5}\b", IGNORECASE)


def _error_word_in_name_only(hit: Hit) -> bool:
    if hit.rule.role is not Role.GENERIC or not _ERRORISH_NAME.search(hit.text):
        return False
    return hit.rule.pattern.search(_ERRORISH_NAME.sub(lambda m: m.group(1) + " ", hit.text)) is None


_GENERIC_MASK = 0
for _i, _rule in enumerate(RULES):
    if _rule.role is Role.GENERIC:
        _GENERIC_MASK |= 1 << _i
# PHP's TypeError ("..., called in F on line N") and ArgumentCountError ("N passed in F on line N and ...")
_PHP_CALLED_IN = compile_linear(r"(?:, called| passed) in (?P<file>\S+) on line (?P<line>\d+)")
_TESTDOX = compile_linear(r"(?:^|\s)--testdox(?:\s|$)")
_TESTDOX_CLASS = compile_linear(r"^([A-Z][A-Za-z0-9]*(?: [A-Z][A-Za-z0-9]*)*)\s*$")  # "Money", "Invoice Totals"
_GO_RUNNING_HEADING = compile_linear(r"^\s+running tests:\s*$")
_GO_TEST_FRAME = compile_linear(r"^[\w./-]+\.((?:Test|Example|Fuzz)\w*)\(")
_GO_RUNNING_TEST = compile_linear(r"^\s+(Test\S*|Example\S*|Fuzz\S*) \(")
_PROVE_SCRIPT = compile_linear(r"^(\S+\.t) \.{2,}")
_PERL_ABORT = compile_linear(
    r"^(?:Compilation failed in require|BEGIN failed--compilation aborted|Execution of \S+ aborted due to "
    r"compilation errors\.|\S+ had compilation errors\.)"
)
_RUFF_HEADING = compile_linear(r"^(?:error\[)?[A-Z]{1,4}\d{3,4}\]?:? \S.*$")
_REQUIREMENT_NAME = compile_linear(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
_REQUIREMENT_REF = compile_linear(r"-r (?P<file>[^\s()]+) \(line (?P<line>\d+)\)")
_PIP_PACKAGE = compile_linear(r"(?:requirement |Package '|found for )(?P<pkg>[A-Za-z0-9][\w.-]*)")
_NAME_SEPARATORS = compile_linear(r"[-_.]+")


def _pep503(found: Match | None) -> str:
    """A distribution's normalized name (PEP 503): "Acme_IO" and "acme-io" are one package."""
    return _NAME_SEPARATORS.sub("-", found.group(0)).lower() if found else ""


_DOCKER_PROCESS = compile_linear(r'process "(?:/bin/(?:ba)?sh -c )?(.*?)" did not complete')
