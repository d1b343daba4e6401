"""A failure's signature: what makes two failures the same fault, whatever run, line or data they came with.

Similar text is not the same fault: two jest tests of one ``describe`` block both say
``expect(received).toBe(expected)``, the same mypy message stands in many files, and ``No module named 'yaml'``
reads almost like ``No module named 'dateutil'``. The signature names the fault's parts so history can compare
like with like:

- **tool** and **kind**;
- **subject**: the failing test (parametrised ids keep their structure, values inside ``[...]`` are masked as
  data) or, for compile/type/lint errors, the file (and the enclosing symbol when the log names it);
- **error type**: the exception class, the compiler/linter code (``E0308``, ``TS2322``, ``[return-value]``,
  ``SC2086``), or the assertion form (``assert``, ``expect.toBe``, ``panic``);
- **key identifiers**: the missing module, the package a requirement names, the host, the config key, the
  symbols a compiler or linter quotes. One differing identifier is another fault;
- **template**: the message with volatile values (numbers, data in quotes, versions, temp paths) masked.

What the log prints about the faulting code itself *refines* it (``refinements``, sorted ``role:value``): the
offending source line a compiler or linter prints under its diagnostic, or when it prints none the failure's line
as the repository's file has it at the run's commit (``code:``, ``analysis.source_line``), the
function and file of the deepest repository frame that threw a test's exception (``thrown:``,
``analysis.throw_site``), the failed assertion and what it expected (``asserted:``, ``expected:``,
``analysis.assertion_site``). Two failures whose refinements give one role two values are two faults; a role only
one side prints says nothing, since whether a tool prints its snippet or stack is a flag (``--show-source``,
``--pretty``, ``--tb=line``), not the fault. ``base_key`` is the identity without them; history joins a refined
failure to the pattern owning its ``key``, else to the one owning its ``base_key`` or nearest in its scope when
their refinements do not conflict.

Line numbers are never part of it. ``key`` (all of it) is the identity: the same key is the same pattern.
``scope`` (all but the template) is compatibility: history compares a failure by similarity only with patterns
of the same scope. Infra and dependency failures leave the test out of their scope: one missing package or one
unreachable host fails many tests the same way. A failure with no identity of its own (a bare exit code,
``make: *** ... Error 2``) is ``generic`` and is never matched to history.

Every regular expression here is linear (RE2-compatible: no backreferences, no lookaround).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from .assertion_site import asserted_identifiers, expected_identifiers
from .lines import clean
from .normalize import mask_timestamps, normalize
from .regex import IGNORECASE, LinearPattern, compile_linear
from .source_line import code_identifiers
from .throw_site import thrown_identifiers
from .types import Failure, FailureKind, LineRange

VERSION = "s7"  # bump when the signature's definition changes: stored keys are recomputed (``ci-triage rekey``)

# Kinds whose faults cross tests: a missing package or an unreachable host fails every test that needs it.
CROSS_SUBJECT_KINDS = frozenset({FailureKind.INFRA, FailureKind.DEPENDENCY})
# Error types that are dependency faults whatever kind the runner reported (pytest calls them test errors).
DEPENDENCY_ERRORS = frozenset({"ModuleNotFoundError", "ImportError", "module-not-found"})
# Kinds whose messages quote identifiers that name the fault (a symbol, a rule's subject, a config key). Test
# messages quote data instead ("expected 'a' to be 'b'"), so only the specific identifiers below apply there.
_QUOTING_KINDS = frozenset(
    {FailureKind.COMPILE, FailureKind.TYPE, FailureKind.LINT, FailureKind.CONFIG, FailureKind.DEPENDENCY}
)


@dataclass(frozen=True)
class FailureSignature:
    tool: str
    kind: str
    subject: str  # "test:<id>", "file:<path>[#symbol]" or ""
    error_type: str
    identifiers: tuple[str, ...]  # sorted "role:value" pairs
    template: str
    generic: bool = False
    # What only some output formats print about the faulting code (sorted "role:value": the offending source
    # line, the frame that threw, the assertion): it tells two faults apart when both logs print it, and is no
    # identity when one does not (``--show-source`` on, then off, is one fault). See ``refines``.
    refinements: tuple[str, ...] = ()

    @property
    def cross_subject(self) -> bool:
        return self.kind in CROSS_SUBJECT_KINDS or self.error_type in DEPENDENCY_ERRORS

    @property
    def base_key(self) -> str:
        """Identity without the refinements: the fault as a log that prints no code would name it."""
        subject = "*" if self.cross_subject else self.subject
        return _digest(
            VERSION, "key", self.tool, self.kind, subject, self.error_type, *self.identifiers, "|", self.template
        )

    @property
    def key(self) -> str:
        """Identity: the same key is the same fault (an infra or dependency fault whichever test it failed)."""
        if not self.refinements:
            return self.base_key
        return _digest(VERSION, "refined", self.base_key, *self.refinements)

    @property
    def scope(self) -> str:
        """Compatibility class: similarity is only compared within one scope (and between refinements that
        do not conflict, ``refines``)."""
        subject = "*" if self.cross_subject else self.subject
        # a missing module is a dependency fault whether the runner called it a test error or printed it alone
        kind = FailureKind.DEPENDENCY.value if self.error_type in DEPENDENCY_ERRORS else self.kind
        return _digest(VERSION, "scope", self.tool, kind, subject, self.error_type, *self.identifiers)

    def compatible(self, other: FailureSignature) -> bool:
        """Whether a failure with ``other``'s signature may be matched to one with this one by similarity."""
        return (
            not self.generic
            and not other.generic
            and self.scope == other.scope
            and not conflicting(self.refinements, other.refinements)
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "key": self.key,
            "base_key": self.base_key,
            "scope": self.scope,
            "tool": self.tool,
            "kind": self.kind,
            "subject": self.subject,
            "error_type": self.error_type,
            "identifiers": list(self.identifiers),
            "refinements": list(self.refinements),
            "template": self.template,
            "generic": self.generic,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FailureSignature:
        return cls(
            tool=str(data.get("tool", "")),
            kind=str(data.get("kind", "")),
            subject=str(data.get("subject", "")),
            error_type=str(data.get("error_type", "")),
            identifiers=tuple(str(i) for i in data.get("identifiers", ())),
            template=str(data.get("template", "")),
            generic=bool(data.get("generic", False)),
            refinements=tuple(str(i) for i in data.get("refinements", ()) or ()),
        )


def conflicting(a: Sequence[str], b: Sequence[str]) -> bool:
    """Whether two sets of refinements name different code for one role (both print the offending line and
    the lines differ): two faults. A role only one side prints says nothing."""
    mine = by_role(a)
    return any(role in mine and mine[role] != value for role, value in by_role(b).items())


def by_role(items: Sequence[str]) -> dict[str, str]:
    """``role:value`` items by role (the first value of each)."""
    found: dict[str, str] = {}
    for item in items:
        role, _, value = item.partition(":")
        found.setdefault(role, value)
    return found


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


# --- subject ----------------------------------------------------------------------------------------------

_ROOT = compile_linear(r"^(?:<ROOT>|<TMP>|<PKGS>)[/\\]")
_LINE_SUFFIX = compile_linear(r"(?::\d+)+$|\(\d+(?:,\d+)?\)$")
_PARAM = compile_linear(r"\[([^\[\]]*)\]")
# jest/vitest print a test's time after its name (no leading \s*: it would rescan every run of blanks)
_TRAILING_DURATION = compile_linear(r"\(?<DUR>\)?$")
_PARAM_DATA = compile_linear(r"'[^']*'|\"[^\"]*\"|\b\d+(?:\.\d+)?(?:e-?\d+)?")
_SYMBOL_CONTEXT = compile_linear(
    r"(?:In (?:member )?function|In method|In constructor|In instantiation of|In static member function)"
    r"\s+['\"\u2018`]([^'\"\u2019`\n]{1,120})['\"\u2019`]"
)


def normalize_path(path: str) -> str:
    """A path as the repository names it: no workspace root, forward slashes, no ``:line``."""
    text = normalize(path.strip()).replace("\\", "/")
    text = _ROOT.sub("", text)
    while text.startswith("./"):
        text = text[2:]
    return _LINE_SUFFIX.sub("", text)


def normalize_test_id(test_id: str) -> str:
    """A test id with its structure kept and its data masked: ``test_size[10MB-1048]`` -> ``test_size[<SIZE>-<N>]``.

    Names stay as written (``test_case_2`` is another test than ``test_case_3``); inside a parametrisation
    bracket numbers and quoted strings are data. Timestamps, uuids and temp paths are masked everywhere.
    """
    text = normalize(test_id.strip())
    text = _TRAILING_DURATION.sub("", _LINE_SUFFIX.sub("", text)).rstrip()
    return _PARAM.sub(lambda m: "[" + _PARAM_DATA.sub("<N>", m.group(1)) + "]", text)


# ``path:line[:col]: message``, the convention of compilers and linters, at the start of an unrecognised line.
_LOCATION_PREFIX = compile_linear(r"^([\w./\\-]{1,300}\.\w{1,10}):\d+(?::\d+)?:\s*")


def _subject(failure: Failure, symbol: str | None) -> str:
    if failure.test_id:
        return "test:" + normalize_test_id(failure.test_id)
    file = failure.file
    if not file:
        m = _LOCATION_PREFIX.match(failure.message.strip())
        file = m.group(1) if m else None
    if file:
        return "file:" + normalize_path(file) + (f"#{symbol}" if symbol else "")
    return ""


# --- error type -------------------------------------------------------------------------------------------

_ERROR_CODES: tuple[LinearPattern, ...] = tuple(
    compile_linear(p)
    for p in (
        r"\berror\[([A-Z]\d{4})\]",  # rustc
        r"\b(TS\d{4})\b",  # tsc
        r"\b(CS\d{4}|BC\d{5}|FS\d{4})\b",  # dotnet
        r"\b(SC\d{4}|DL\d{4}|MD\d{3})\b",  # shellcheck, hadolint, markdownlint
        r"\[([a-z][a-z0-9]*(?:-[a-z0-9]+)+)\]\s*$",  # mypy error code, actionlint rule
        r"\[([a-z][a-z0-9]+)\]\s*$",
        r"\((standard:[\w-]+)\)",  # ktlint
        r"\b([A-Z]{1,3}\d{3,4})\b(?::| )",  # ruff/flake8 codes (F401, E501, UP007)
    )
)
_EXCEPTION = compile_linear(
    r"(?:^|[\s(:])((?:[a-z_][\w.]*\.)?[A-Z]\w*(?:Error|Exception|Failure|Failed|Fault|Exit|Interrupt|Warning|Panic))\b"
)
_EXPECT = compile_linear(r"\bexpect\(\w*\)\.((?:not\.|resolves\.|rejects\.)*\w+)\(")
_ASSERT = compile_linear(
    r"^(?:E\s+)?(assert(?:ion)?(?:_eq|_ne)?!?)\b|\b(assert(?:Equal|True|False|In|Raises|That|Same|Null)\w*)\b|"
    r"\b(XCTAssert\w+|Assert\.\w+|Expected equality)\b|\b(panicked)\b|\b(Segmentation fault|heap out of memory)\b"
)


def _error_type(message: str) -> str:
    head = message.strip().split("\n", 1)[0][:400]
    for pattern in _ERROR_CODES:
        m = pattern.search(head)
        if m:
            return m.group(1)
    m = _EXCEPTION.search(head)
    if m:
        return m.group(1).rsplit(".", 1)[-1]  # the class: java.lang.X and X are one type
    m = _EXPECT.search(head)
    if m:
        return "expect." + m.group(1)
    m = _ASSERT.search(head)
    if m:
        word = next(g for g in m.groups() if g)
        return "panic" if word == "panicked" else word.lower() if word.lower().startswith("assert") else word
    return ""


# --- key identifiers --------------------------------------------------------------------------------------

_IDENTIFIER_RULES: tuple[tuple[str, LinearPattern], ...] = tuple(
    (role, compile_linear(p))
    for role, p in (
        ("module", r"No module named ['\"]?([\w.]+)"),
        ("module", r"[Cc]annot find module ['\"]([^'\"\s]{1,200})['\"]"),
        ("module", r"[Cc]annot import name ['\"]?(\w+)['\"]? from ['\"]?([\w.]+)"),
        ("module", r"[Cc]ould not (?:find|resolve) (?:module|dependency)[: ]+['\"]?([^'\"\s]{1,200})"),
        # a header starts a word (after a blank, a quote or <): no rescan of one long run from each of its chars
        (
            "module",
            r"(?:^|[\s'\"\u2018<])([\w/.+-]{1,200}\.h(?:pp|h|xx)?)['\"\u2019>]?:? (?:[Nn]o such file|file not found)",
        ),
        ("module", r"['\"\u2018]([\w/.+-]{1,200}\.h(?:pp|h|xx)?)['\"\u2019] file not found"),
        ("module", r"cannot find -l([\w.+-]+)"),
        ("module", r"unresolved import `([^`]{1,200})`"),
        ("module", r"package ([\w./-]+) is not in (?:GOROOT|std)"),
        ("package", r"requirement ([A-Za-z0-9][\w.-]*)"),
        ("package", r"[Nn]o matching distribution found for ([A-Za-z0-9][\w.-]*)"),
        ("package", r"No matching version found for (@?[\w./-]+)@"),
        ("package", r"Couldn't find package \"(@?[\w./-]+)@"),
        ("package", r"[Nn]o matching package named `([\w-]+)`"),
        ("package", r"failed to select a version for (?:the requirement )?`([\w-]+)"),
        ("host", r"[Cc]ould not resolve host:? ['\"]?([\w.-]+)"),
        ("host", r"getaddrinfo \w+ ([\w.-]+)"),
        ("host", r"(?:[Ff]ailed to connect to|[Cc]onnection (?:refused|reset|timed out)[^\n]{0,40}? to) ([\w.-]+)"),
        ("host", r"[Tt]emporary failure in name resolution[^\n]{0,80}?host=['\"]?([\w.-]+)"),
        ("config", r"Missing script: ['\"]?([^'\"\s]{1,120})"),
        ("config", r"(?:environment variable|env var)s? ['\"`]?([A-Z_][A-Z0-9_]{1,100})"),
        ("config", r"\b([A-Z_][A-Z0-9_]{2,100}) (?:is not set|is unset|not set|must be set)"),
        ("config", r"[Uu]nrecognized (?:key|option|argument|field)s?:? ['\"`]?([\w.-]{1,120})"),
    )
)
# A pinned requirement (``numpy==1.26``) names a package only in a dependency failure; in a test it is code.
# The whole specifier is kept too: pip's "satisfies the requirement <spec>" and npm's "No matching version found
# for <name>@<range>" quote the line the project wrote, and when the package has releases, another pin of it is
# another fix (pip's "(from versions: none)": no release at all, whatever the pin).
_PINNED = compile_linear(r"\b([A-Za-z][\w.-]{0,100})((?:==|>=|<=|~=|!=)\d[\w.*+!-]{0,60}|@[\^~]?\d[\w.+-]{0,60})")
_NO_VERSIONS = compile_linear(r"\(from versions: none\)")
# glibc/musl ``assert``: ``prog: file:line: func: Assertion `expr' failed.`` prints the expression's source text
# (``#expr``): code, not data, so its literals stay (``v == 3`` and ``v == 4`` are two assertions).
_C_ASSERTION = compile_linear(r"Assertion [`'\u2018]([^\n]{1,300})['\u2019] failed")
# What a compiler, type checker or linter quotes is a name or a type (``"dict[str, int]"``, ``'len'``).
_QUOTED_NAME = compile_linear(r"['\"\u2018`]([A-Za-z_@$][^'\"\u2019`\n]{0,79})['\"\u2019`]")


def _identifiers(message: str, kind: FailureKind) -> tuple[str, ...]:
    text = message[:2000]
    found: set[str] = set()
    for role, pattern in _IDENTIFIER_RULES:
        for m in pattern.finditer(text):
            for value in m.groups():
                if value:
                    found.add(f"{role}:{value.strip('.:')}")
    if kind is FailureKind.DEPENDENCY:
        for m in _PINNED.finditer(text):
            found.add("package:" + m.group(1))
            if not _NO_VERSIONS.search(text):  # with none published, any pin fails alike: the package is the fault
                found.add("requirement:" + m.group(1) + m.group(2).rstrip("."))
    found.update("assertion:" + _SPACE.sub(" ", m.group(1).strip()) for m in _C_ASSERTION.finditer(text))
    head = text.split("\n", 1)[0]
    named = {f.split(":", 1)[1] for f in found}  # a name a rule gave a role to is not a symbol too
    if kind in _QUOTING_KINDS:
        for m in _QUOTED_NAME.finditer(head):
            value = m.group(1)
            if not _DIGITISH.fullmatch(value) and value not in named:
                found.add("symbol:" + value)
    if kind is FailureKind.COMPILE:
        found.update("symbol:" + m.group(1) for m in (p.search(head) for p in _UNQUOTED_NAMES) if m)
    elif kind is FailureKind.UNKNOWN:  # an unrecognised line: only a quoted bare name counts (`os`, 'numpy')
        found.update("symbol:" + m.group(1) for m in _QUOTED_BARE_NAME.finditer(head) if m.group(1) not in named)
    return tuple(sorted(found))


_DIGITISH = compile_linear(r"[\d.:/-]+")
# Compilers that name what they cannot find without quoting it: Go ``undefined: dur``, ``x declared and not
# used``; Elixir ``undefined function values_sum/2``.
_UNQUOTED_NAMES = tuple(
    compile_linear(p)
    for p in (
        r"^undefined: ([A-Za-z_]\w{0,79}(?:\.[A-Za-z_]\w{0,79})?)$",
        r"^([A-Za-z_]\w{0,79}) declared (?:and|but) not used",
        r"\bundefined function ([a-z_]\w{0,79}[?!]?)/\d+",
    )
)
_QUOTED_BARE_NAME = compile_linear(r"[`'\u2018]([A-Za-z_][\w.]{0,79})[`'\u2019]")


# --- snapshot ---------------------------------------------------------------------------------------------

# jest: ``expect(received).toMatchSnapshot()`` then ``Snapshot name: `t 1` ``, ``- Snapshot  - 2`` / ``+ Received
# + 2``, ``@@ -2,7 +2,7 @@`` and the lines prefixed ``- ``, ``+ `` or two spaces; vitest: ``Snapshot `t 1`
# mismatched`` then ``- Expected`` / ``+ Received`` and the same prefixes. Every snapshot failure of one test
# reads alike; what differs between two faults is which lines of the stored snapshot no longer match.
_SNAPSHOT_ERROR = compile_linear(r"toMatch(?:Inline)?Snapshot|\bSnapshot [`'\"][^\n]{0,300}[`'\"] mismatched")
_SNAPSHOT_NAME = compile_linear(r"^\s*Snapshot name: `([^`\n]{1,300})`")
_DIFF_HEADER = compile_linear(r"^(\s*)- (?:Snapshot|Expected)\b")
_DIFF_LINE = compile_linear(r"^(?:[-+] |  |@@ |[-+]$)")


def _diff(lines: Sequence[str]) -> tuple[int, int, set[str]] | None:
    """The first snapshot diff in ``lines``: its header's index, its last line's index, and its changed lines
    (``-`` stored, ``+`` received; numbers masked, spacing kept). None when there is no diff header."""
    indent: str | None = None
    first = last = -1
    changed: set[str] = set()
    for index, raw in enumerate(lines):
        line = clean(raw).rstrip()
        if indent is None:
            header = _DIFF_HEADER.match(line)
            if header:
                indent, first, last = header.group(1), index, index
            continue
        body = line[len(indent) :] if line.startswith(indent) else line.lstrip()
        if not body or not _DIFF_LINE.match(body):
            if changed or last > first + 3:  # a blank or other line after the diff's content ends it
                break
            continue
        last = index
        if body[:1] in "-+" and not body.startswith(("- Snapshot", "+ Received")):
            # a snapshot is text laid out by the code: spacing is content, numbers are the run's data
            changed.add(body[:1] + _NUMBER.sub("<N>", body[1:].rstrip()))
    return (first, last, changed) if indent is not None else None


def snapshot_identifiers(message: str, detail: str) -> tuple[str, ...]:
    """For a snapshot failure: its name and a digest of its diff's changed lines (the stored ``-`` side says
    where the output broke, the received ``+`` side how; numbers masked as the run's data), from ``detail``,
    the failure's lines of the log."""
    if not detail or not _SNAPSHOT_ERROR.search(message[:500]):
        return ()
    lines = detail.splitlines()[:200]
    found = ["snapshot:" + m.group(1) for m in (_SNAPSHOT_NAME.match(clean(x)) for x in lines) if m]
    diff = _diff(lines)
    if diff and diff[2]:
        found.append("snapshot-diff:" + hashlib.sha256("\n".join(sorted(diff[2])).encode()).hexdigest()[:12])
    return tuple(found)


def snapshot_diff_range(lines: Sequence[str], failure: Failure, *, reach: int = 40) -> LineRange | None:
    """Where a snapshot failure's diff is in the log (1-based), when it follows the failure's evidence within
    ``reach`` lines: the excerpt a reader (and the signature) needs, since the message is one line."""
    if not failure.evidence or not _SNAPSHOT_ERROR.search(failure.message[:500]):
        return None
    start = failure.evidence[-1].end  # 1-based last evidence line = 0-based index of the line after it
    diff = _diff(lines[start : start + reach + 120])
    if diff is None or diff[0] > reach:
        return None
    return LineRange(start + diff[0] + 1, start + diff[1] + 1)


# --- detail lines a compiler prints under its error ------------------------------------------------------------

# javac (and kotlinc/scalac alike) print what the one-line message leaves out on the lines below it:
# ``  symbol:   method lenght()`` / ``  location: variable items of type List<LineItem>``.
_DETAIL_FIELD = compile_linear(r"^\s+(symbol|location):\s+(\S[^\n]{0,200})$")
_DETAIL_KINDS = frozenset({FailureKind.COMPILE, FailureKind.TYPE})


def detail_identifiers(failure: Failure, kind: FailureKind, detail: str) -> tuple[str, ...]:
    """The ``location:`` (where the lookup failed: the class, or the variable and its type) and the kind of the
    ``symbol:`` under the failure's own error line in ``detail`` (its excerpt): that error line is the one naming
    the failure's ``file:line`` (else the first with its message). Two faults at one place stay one."""
    head = failure.message.strip().split("\n", 1)[0]
    if not detail or kind not in _DETAIL_KINDS or not head:
        return ()
    lines = [clean(x) for x in detail.splitlines()[:200]]
    at = [i for i, x in enumerate(lines) if head in x]
    if failure.file and failure.line:
        place = f"{failure.file.replace(chr(92), '/').rsplit('/', 1)[-1]}:{failure.line}"
        at = [i for i in at if place in lines[i].replace("\\", "/")] or at
    if not at:
        return ()
    found: list[str] = []
    for line in lines[at[0] + 1 : at[0] + 7]:
        if _LOCATION_PREFIX.match(line.strip()):
            break  # the next error
        m = _DETAIL_FIELD.match(line)
        if m and m.group(1) == "location":
            found.append("location:" + _SPACE.sub(" ", m.group(2).strip()))
        elif m:  # the missing name is the typo, retyped another way next time; what kind of name it is stays
            found.append("symbol-kind:" + m.group(2).split(None, 1)[0])
    return tuple(found)


# --- one diagnostic, two compilers ------------------------------------------------------------------------

# A build matrix compiles one fault with gcc and clang (or g++ and clang++): one tool to history. Each words
# the diagnostics both report its own way (gcc ``\u2018n\u2019 undeclared (first use in this function)``, clang
# ``use of undeclared identifier 'n'``); both quote the same names, so such a diagnostic is identified by what it
# says (its error type) and those names, not by its wording.
_COMPILER_FAMILY = {"gcc": "cc", "g++": "cc", "clang": "cc", "clang++": "cc", "cc": "cc", "c++": "cc"}
_CC_DIAGNOSTICS: tuple[tuple[str, LinearPattern], ...] = tuple(
    (name, compile_linear(p))
    for name, p in (
        (
            "undeclared",
            r"\bundeclared \(first use in this function\)|\buse of undeclared identifier\b"
            r"|\bwas not declared in this scope\b",
        ),
        ("no-member", r"\bhas no member named\b|\bno member named\b"),
        ("implicit-function", r"\bimplicit declaration of function\b|\bcall to undeclared function\b"),
        ("unknown-type", r"\bunknown type name\b"),
        ("redefinition", r"\bredefinition of\b"),
        ("conflicting-types", r"\bconflicting types for\b"),
    )
)


# A syntax error: gcc ``expected \u2018;\u2019 before \u2018rb\u2019`` quotes the token it stopped at (the next
# statement's, whatever it is), clang ``expected ';' after expression``; what both say is the missing token.
_CC_EXPECTED = compile_linear(r"^expected ['\u2018]([^'\u2019\s]{1,3})['\u2019] (?:before|after|at end of)\b")


def _cc_diagnostic(tool: str, message: str) -> str | None:
    if tool != "cc":
        return None
    head = message.strip().split("\n", 1)[0][:400]
    expected = _CC_EXPECTED.match(head)
    if expected:
        return "expected " + expected.group(1)
    return next((name for name, pattern in _CC_DIAGNOSTICS if pattern.search(head)), None)


# --- what an unused variable is the consequence of ---------------------------------------------------------

# Go's type checker reports a variable that an edit stopped using (``p declared and not used``, ``"os" imported
# and not used``) beside the error of that edit, at the declaration: two faults that break the one use of ``p``
# give the same line. The cause is the other error the compiler reports in that file.
_UNUSED = compile_linear(r"\b(?:declared|imported) (?:and|but) not used\b")


def consequence_identifiers(failure: Failure, kind: FailureKind, detail: str) -> tuple[str, ...]:
    """For an unused-variable error: the template of the first other error in the same file that ``detail``
    (the failure's lines of the log) shows, when there is one."""
    if kind is not FailureKind.COMPILE or not detail or not _UNUSED.search(failure.message[:300]):
        return ()
    own = normalize_path(failure.file or "").rsplit("/", 1)[-1]
    for raw in detail.splitlines()[:200]:
        line = clean(raw).strip()
        m = _LOCATION_PREFIX.match(line)
        if not m or normalize_path(m.group(1)).rsplit("/", 1)[-1] != own:
            continue
        message = line[m.end() :]
        if message and not _UNUSED.search(message):
            return ("with:" + _template(message, kind),)
    return ()


# --- where on its line a nameless lint diagnostic points ------------------------------------------------------

# Some lint rules name nothing: yamllint's ``truthy value should be one of [false, true]`` or ``wrong indentation``,
# go vet's printf check about an argument named alike. Two such faults in one file differ only by where they are.
# The line moves with every edit above it; the column does not (it is where the offending token starts on its
# line: yamllint's ``9:8``, every Go tool's ``file:line:col``), so it is the identity the log gives. Read from
# ``detail`` (the failure's lines of the log), on the line that prints the failure's line and message.
_BRACKET = compile_linear(r" [(\[]")
_LINE_COLUMN = compile_linear(r"(?:^|[\s:\]])(\d{1,7}):(\d{1,4})(?:[:\s]|$)")


def column_identifiers(failure: Failure, kind: FailureKind, detail: str, named: bool) -> tuple[str, ...]:
    """``column:N`` for a lint diagnostic with no code and no name (``named`` False) when the log prints its
    column beside its line."""
    if kind is not FailureKind.LINT or named or failure.test_id or not failure.line or not detail:
        return ()
    # the message's words before any bracket: the scanner appends yamllint's rule, which its github format prints
    # before the message (``##[error]3:16 [trailing-spaces] trailing spaces``)
    head = _BRACKET.split(failure.message.strip().split("\n", 1)[0], 1)[0].strip()[:40]
    for raw in detail.splitlines()[:200]:
        line = clean(raw)
        if not head or head not in line:
            continue
        for m in _LINE_COLUMN.finditer(line):
            if int(m.group(1)) == failure.line:
                return ("column:" + m.group(2),)
    return ()


# --- what a failed assertion got ---------------------------------------------------------------------------

# Two faults failing one test at one assertion differ only in what the code returned: the test's name, its
# statement and its expected value are the test's, the *actual* value is the fault's. Each runner prints it in
# its documented place: jest ``Received: 3``, RSpec ``got: "post2"``, minitest ``Actual: "ello"``, ExUnit and
# Rust ``left: 4``, testify ``actual  : 3``, Test::More ``#          got: 'a'`` (``$got->[1] = 'a'`` from
# ``is_deeply``), googletest's first ``Which is: 4``, AssertJ ``but was: 3``; JUnit ``expected:<x> but was:<y>``,
# kotlin.test ``Expected <x>, actual <y>.``; chai/vitest ``expected 'y' to be 'x'``; PHPUnit ``Failed asserting
# that y is identical to x`` or its diff's ``+++ Actual`` side; pytest's ``assert y == x``, unittest's
# ``AssertionError: y != x``, node's ``y !== x``; Go's ``Name = y, want x`` / ``got y, want x`` / ``expected x,
# got y`` / any ``... y, want x`` (Go's test comments put what a test got right before what it wants); Catch2's
# ``with expansion:`` then ``y == x``; a diff under ``+ Received``.
_ACTUAL_LINE = compile_linear(
    r"^\s*(?:#\s{1,20})?(?:Received(?: value| string| array| object| number| message)?|Actual|actual|got|left"
    r"|but was|Which is)\s{0,20}:\s+(\S[^\n]{0,300})$"
)
_ACTUAL_INLINE: tuple[LinearPattern, ...] = tuple(
    compile_linear(p)
    for p in (
        r"\bbut was:? ?<([^\n]{0,300})>",
        r"\bactual <([^\n>]{0,300})>",
        r"^\s*(?:#\s{1,20})?\$got\S{0,200} = (\S[^\n]{0,300})$",
        r"\bexpected ([^\n]{1,200}?) to (?:be|equal|deeply equal|strictly equal|have|include|match|contain|satisfy)\b",
        r"\bFailed asserting that ([^\n]{1,200}?) (?:is identical to|is equal to|matches expected|is true|is false"
        r"|contains|is an instance|has the key)",
        r"(?:^|AssertionError: |E\s{1,20})assert ([^\n]{1,200}?) (?:==|!=|<=|>=|<|>|not in|in|is not|is) ",
        r"AssertionError: ([^\n]{1,200}?) != ",
        r"^\s*([^\s|][^\n|]{0,200}?) !== ",  # not a code frame's "> 12 | a !== b"
        r"\bgot:? ([^\n]{1,200}?)[,;]? want:? ",
        r" = ([^\n=]{1,200}?)[,;] want:? ",
        r"\b(?:expected|want|wanted):? [^\n]{1,200}?[,;] (?:but )?got:? ([^\n]{1,200})$",
        # C and C++ checks that print both values: Boost.Test "check f(x) == 32 has failed [14 != 32]", glog and
        # abseil "Check failed: f(x) == 32 (14 vs. 32)", doctest "values: CHECK( 14 == 32 )", a project's own
        # CHECK_EQ macro "CHECK_EQ(f(x), 32) failed: 14 != 32"
        r" has failed \[([^\n\]]{1,200}?) (?:!=|==|<=|>=|<|>) ",
        r"\bCheck failed: [^\n]{1,200}? \(([^\n]{1,200}?) vs\. ",
        r"\bvalues: [A-Z_]{2,30}\( ([^\n]{1,200}?) (?:==|!=|<=|>=|<|>) ",
        r"\b(?:failed|FAILED|FAIL):? ([^\s\n][^\n]{0,200}?) != ",
        # googletest's EXPECT_NEAR: "The difference between f(x) and 2.5 is 1.5, which exceeds 0.01, where" then
        # "f(x) evaluates to 1," (what the code computed), "2.5 evaluates to 2.5, and", "0.01 evaluates to 0.01."
        r"^\S[^\n]{0,200}? evaluates to ([^\n]{1,200}?),$",
        # Go's convention names what it got right before the want ("Allow() returned false, want true")
        r"(?:^|\s)([^\s=:][^\s]{0,199})[,;] want:? ",
    )
)
_EXPANSION = compile_linear(r"^\s*with expansion:\s*$")
_COMPARISON = compile_linear(r"^\s*(\S[^\n]{0,200}?) (?:==|!=|<=|>=|<|>) ")
# a diff's actual side: PHPUnit/minitest ``+++ Actual`` then ``+'x'``, jest/vitest ``+ Received`` then ``+ x``
_ACTUAL_DIFF = compile_linear(r"^\s*(?:\+\+\+ Actual|\+ Received)\b")
_ADDED = compile_linear(r"^\s*\+(?:[^+]|$)")
_DIFF_BODY = compile_linear(r"^\s*(?:[-+ ]|@@)")  # a diff's line: added, removed, context, hunk header
# where a failure's block starts in a runner's report: numbered (RSpec, minitest, PHPUnit, ExUnit), jest's
# bullet, Go's and vitest's FAIL lines, pytest's and unittest's rules, libtest's ``---- name stdout ----``, TAP's
# ``not ok``, googletest's ``[ RUN      ]``, PHPUnit's testdox ``✘ Name``, pytest's short summary ``FAILED
# tests/a.py::t - ...`` (one line per test, after the last test's section)
_NEXT_BLOCK = compile_linear(
    r"^\s*(?:\d{1,4}\) |\u25cf |--- FAIL|FAIL |_{3,} |={3,} (?:FAIL|ERROR)|---- |not ok |\[ RUN |\u2718 "
    r"|(?:FAILED|ERROR) \S+::)"
)
_BOX = compile_linear(r"^\s*\u2502 ?")
_NAME_PARTS = compile_linear(r"::|\s[\u203a>]\s|#")


def _sentence(method: str) -> str:
    """PHPUnit's testdox name of a test method: ``testFormatPadsCents`` -> ``format pads cents``."""
    name = method.removeprefix("test").lstrip("_")
    words = "".join(f" {c}" if c.isupper() and i and not name[i - 1].isupper() else c for i, c in enumerate(name))
    return words.replace("_", " ").strip().lower()


def _own_block(test_id: str, lines: Sequence[str], message: str = "") -> Sequence[str]:
    """The failure's own lines of a report listing several: from the heading naming its test (else the first
    line naming it: the last part of its id, that part without its class, as ExUnit prints ``test x
    (ShelfTest)`` for ``ShelfTest.test x``, or its testdox sentence, as PHPUnit's ``--testdox`` prints ``✘
    Format pads cents`` for ``testFormatPadsCents``) to the next heading that names another test. When that
    block does not hold the failure's ``message`` (a Test::More subtest names itself after the failures inside
    it), the lines from the message to the next line opening like it."""
    last = _NAME_PARTS.split(test_id)[-1].strip()
    lowered = [x.lower() for x in lines]
    block = lines
    for name, texts in (
        (last, lines),
        (last.split(".", 1)[-1], lines),
        (_sentence(last) if last.startswith("test") else "", lowered),
    ):
        naming = [i for i, x in enumerate(texts) if name and name in x]
        if not naming:
            continue
        start = next((i for i in naming if _NEXT_BLOCK.match(texts[i])), naming[0])
        end = next(
            (i for i in range(start + 1, len(texts)) if _NEXT_BLOCK.match(texts[i]) and name not in texts[i]),
            len(texts),
        )
        block = lines[start:end]
        break
    head = message.strip().split("\n", 1)[0].strip()
    if not head or block is lines or any(head in x for x in block):
        return block
    at = next((i for i, x in enumerate(lines) if head in x), None)
    if at is None:
        return block
    opening = head[:12]
    end = next(
        (i for i in range(at + 1, len(lines)) if _NEXT_BLOCK.match(lines[i]) or lines[i].strip().startswith(opening)),
        len(lines),
    )
    return lines[at:end]


def _diff_body(lines: Sequence[str]) -> list[str]:
    """A diff's lines after its header: from the first non-blank one (jest leaves a blank line under ``+ Received``)
    to the first blank or non-diff line after it."""
    body: list[str] = []
    for line in lines:
        if not line.strip() and not body:
            continue
        if not line.strip() or not _DIFF_BODY.match(line):
            break
        body.append(line)
    return body


def diff_range(lines: Sequence[str], failure: Failure, *, reach: int = 40) -> LineRange | None:
    """Where the diff a failure's message leaves out is in the log (1-based): a snapshot's
    (``snapshot_diff_range``), else an assertion's ``+++ Actual`` (PHPUnit) or ``+ Received`` diff printed right
    under the failure's evidence. What the assertion got is there, for a reader and for the signature."""
    found = snapshot_diff_range(lines, failure, reach=reach)
    if found is not None or not failure.test_id or not failure.evidence:
        return found
    start = failure.evidence[-1].end  # 1-based last evidence line = 0-based index of the line after it
    window = [_BOX.sub("", clean(x).rstrip()) for x in lines[start : start + reach]]
    header = next((i for i, x in enumerate(window[:8]) if _ACTUAL_DIFF.match(x)), None)
    if header is None:
        return None
    last = header
    for index in range(header + 1, len(window)):
        line = window[index]
        if not line.strip() and last == header:
            continue  # jest leaves a blank line under its header
        if not line.strip() or not _DIFF_BODY.match(line):
            break
        last = index
    return LineRange(start + 1, start + last + 1) if last > header else None


def actual_value(failure: Failure, detail: str) -> str | None:
    """What the failed assertion got, as printed (None when neither the message nor ``detail``, the failure's
    lines of the log, shows it)."""
    # PHPUnit's --testdox prints a failure's lines inside a box: "   │ +++ Actual"
    lines = [_BOX.sub("", clean(x).rstrip()) for x in detail.splitlines()[:300]] if detail else []
    # the extractor joins a runner's detail lines to the message with " | " (jest's Expected/Received)
    head = [part for line in failure.message.splitlines()[:6] for part in line.split(" | ")]
    block = [*head, *(_own_block(failure.test_id or "", lines, failure.message) if lines else [])]
    for line in block[:80]:
        m = _ACTUAL_LINE.match(line)
        if m:
            return m.group(1).strip()
        for pattern in _ACTUAL_INLINE:
            m = pattern.search(line)
            if m:
                return m.group(1).strip()
    for index, line in enumerate(block[:80]):
        if _EXPANSION.match(line):  # Catch2: "with expansion:" then "12 == 13"
            operands = next((x for x in block[index + 1 : index + 3] if x.strip()), "")
            m = _COMPARISON.match(operands)
            if m:
                return m.group(1).strip()
        if _ACTUAL_DIFF.match(line):
            # the diff's own lines: it ends at the first line that is not one (PHPUnit's --testdox prints the
            # failure again in its summary, with the same diff)
            added = [x.strip() for x in _diff_body(block[index + 1 : index + 40]) if _ADDED.match(x)][:8]
            if added:
                return "\n".join(added)
    return None


def assertion_identifiers(failure: Failure, kind: FailureKind, detail: str) -> tuple[str, ...]:
    """For a failed test: what its assertion got (``actual:...``) with volatile values masked (timestamps, temp
    paths, durations, sizes, addresses, pids and ports: ``analysis.normalize``).

    Numbers stay, short or long: ``Received: 3`` and ``Received: 5`` at one assertion are two faults as often as
    ``"post2"`` and ``"post-2"`` are, and ``but was: <1250>`` and ``but was: <1500>`` alike (what the code
    computed, not noise of the run). On the corpus's development part, masking short numbers as data (one key
    for any number) kept 18 more pairs of different faults together for 13 more recurrences found (P 0.940 R
    0.837 instead of P 0.967 R 0.818, F1 0.885 and 0.886); keeping numbers of three digits or more too (masked
    before, as the rest of a message's) cost 4 pairs of recurrences that changed a computed port (R 0.919 to
    0.916, P 1.000 both)."""
    if kind is not FailureKind.TEST or not failure.test_id or _SNAPSHOT_ERROR.search(failure.message[:500]):
        return ()  # a snapshot's diff is identified by its changed lines (snapshot_identifiers)
    value = actual_value(failure, detail)
    if not value:
        return ()
    # Rust before 1.73 quotes it: "left: `3`,"
    value = _SPACE.sub(" ", normalize(value, numbers=False)).strip().rstrip(",").strip("`")
    return ("actual:" + value[:200],) if value else ()


# --- template ---------------------------------------------------------------------------------------------

_VERSION = compile_linear(r"(==|>=|<=|~=|!=|@\^?|@~)v?\d[\w.+-]*")
_FROM_VERSIONS = compile_linear(r"\(from versions: [^)]*\)")
# perl's search path in "Can't locate X.pm in @INC (... ) (@INC contains: ...)": the machine's, not the fault's
# (5.38 says "@INC entries checked")
_PERL_INC = compile_linear(r"\(@INC (?:contains|entries checked): [^)]*\)")
_QUOTED = compile_linear(r"'[^'\n]{0,400}'|\"[^\"\n]{0,400}\"|`[^`\n]{0,400}`|\u2018[^\u2019\n]{0,400}\u2019")
_QUOTED_DATA = compile_linear(r"'[^'\n]*[\s/][^'\n]*'|\"[^\"\n]*[\s/][^\"\n]*\"|`[^`\n]*[\s/][^`\n]*`")
_NUMBER = compile_linear(r"-?\b\d+(?:[.,]\d+)*(?:e[-+]?\d+)?\b")
_LINE_REF = compile_linear(r"(?::\d+)+\b|\bline \d+\b|\(\d+,\d+\)")
_SPACE = compile_linear(r"\s+")
_EXIT_NOTE = compile_linear(  # the blanks before it are collapsed later
    r"\((?:Process completed with exit code -?\d+|The command \"[^\"\n]*\" (?:failed and )?exited with -?\d+)\.?\)"
)


# Where shellcheck's formats print the rule code (the error type holds it): tty ``SC2086 (info): Double quote
# ...``, gcc ``file:l:c: note: Double quote ... [SC2086]``. The template is the message, whichever format.
_RUFF_CODE = compile_linear(r"^(?:error\[)?[A-Z]{1,4}\d{3,4}\]?:? (?:\[\*\] )?")
_SHELLCHECK_CODE = compile_linear(r"^SC\d{4} \((?:error|warning|info|style)\): | \[SC\d{4}\]$")


def _template(message: str, kind: FailureKind) -> str:
    lines = [line for line in message.strip().splitlines() if line.strip()][:6]
    if lines:
        lines[0] = _SHELLCHECK_CODE.sub("", lines[0].strip())
    text = "\n".join(lines)[:1500]
    text = _EXIT_NOTE.sub("", text)
    text = _FROM_VERSIONS.sub("(from versions: <V>)", text)
    text = _PERL_INC.sub("(@INC: <PATHS>)", text)
    text = _VERSION.sub(r"\1<V>", text)
    # line references first: normalize masks a two-digit one as a port would be (``Makefile:12:`` -> ``:<N>:``);
    # timestamps before them, whose ``:30:00`` is no line reference
    text = normalize(_LINE_REF.sub("", mask_timestamps(text)))
    # Test messages quote data ("expected 'a' to be 'b'"), and so do unrecognised lines with a sentence or a path
    # in quotes; a compiler's or linter's quotes name symbols and types, which are the fault.
    if kind is FailureKind.TEST:
        text = _QUOTED.sub("<Q>", text)
    elif kind not in _QUOTING_KINDS:
        text = _QUOTED_DATA.sub("<Q>", text)
    text = _NUMBER.sub("<N>", text)
    return _SPACE.sub(" ", text).strip().lower()[:500]


# --- generic ------------------------------------------------------------------------------------------------

_WRAPPER = compile_linear(
    r"(?:##\[error\])?(?:Error: )?(?:Process completed with exit code -?\d+\.?"
    r"|(?:exit(?:ed)?|exit status|exit code|returned|failed with exit code)[: ]+-?\d+\.?"
    r"|make(?:\[\d+\])?: \*\*\* (?:\[[^\]\n]*\] )?Error -?\d+"
    r"|npm ERR! (?:code ELIFECYCLE|errno -?\d+)"
    r"|error Command failed with exit code -?\d+\.?"
    r"|The command \"[^\"\n]*\" (?:failed and )?exited with -?\d+\.?"
    r"|Error: Process completed[^\n]*"
    # a checker's closing count (ruff, mypy): ``Found 3 errors in 2 files (checked 9 source files)``
    r"|Found \d+ errors?(?: in \d+ files?)?(?: \(checked \d+ source files?\))?\.?)",
    IGNORECASE,
)
_WORD = compile_linear(r"[A-Za-z]{3,}")


# What a runner's status line adds to the test's name: ``\u00d7 name 85ms`` (vitest), ``--- FAIL: TestX (0.00s)``
# (go), ``FAILED tests/a.py::t`` (pytest), ``not ok 3 - name`` (TAP).
_STATUS_WORDS = frozenset({"fail", "failed", "failure", "error", "errored", "failing", "not"})


def _status_line_only(test_id: str, message: str) -> bool:
    """Whether the message is only the runner's line for its test (its name, a marker, a duration): it says the
    test failed, not how, so every fault of that test reads the same."""
    named = {w.lower() for w in _WORD.findall(test_id)}
    return not any(w.lower() not in named and w.lower() not in _STATUS_WORDS for w in _WORD.findall(message[:500]))


def is_generic(failure: Failure) -> bool:
    """Nothing but "a step failed": a bare exit code, make's ``*** Error 2``, a runner's ``Process completed``,
    or a fallback line with fewer than two words left once those are taken out; or "a test failed": a
    runner's status line naming the test and nothing else."""
    if failure.test_id:
        return _status_line_only(failure.test_id, failure.message)
    if failure.file:
        return False
    text = _WRAPPER.sub(" ", _EXIT_NOTE.sub(" ", failure.message.strip()))
    words = _WORD.findall(text)
    return len(words) < 2 or _counts_only(text, words)


# A runner's or checker's closing tally: ``Tests: 1 failed, 7 passed, 8 total``, ``2 failed, 5 passed in 0.31s``,
# ``FAILED (failures=1, errors=2)``, ``3 problems (3 errors, 0 warnings)``, ``1 error``. It counts faults, it
# names none, so every fault of a project ends its run with one.
_TALLY_WORDS = frozenset(
    "found error errors warning warnings failed passed skipped xfailed xpassed deselected problem problems test "
    "tests suite suites file files checked source total snapshot snapshots failures failure ran and in of "
    "todo pending assertions assertion".split()
)


def _counts_only(text: str, words: list[str]) -> bool:
    return any(c.isdigit() for c in text) and all(w.lower() in _TALLY_WORDS for w in words)


# --- the signature ------------------------------------------------------------------------------------------


def enclosing_symbol(context: str) -> str | None:
    """The function a compiler names before its error (gcc/clang ``In function 'decode':``, mypy's
    ``In function "x":`` with ``--show-error-context``), from the lines given."""
    found = None
    for m in _SYMBOL_CONTEXT.finditer(context[-4000:]):
        found = m.group(1)
    return found


def signature(
    failure: Failure, *, symbol: str | None = None, detail: str | None = None, code_line: str | None = None
) -> FailureSignature:
    """The failure's signature. ``symbol``: the enclosing function when the caller knows it; ``detail``: the
    failure's own lines of the log (its excerpt), which tell one snapshot diff from another; ``code_line``: the
    failure's line as the repository's file has it, the offending code when the log prints none."""
    kind = failure.kind
    if kind is FailureKind.TEST and not failure.test_id:
        # A "test" failure that names no test (a Java exception in a test step, a collection error) is
        # identified by what it says, like any unrecognised failure: extraction calls the same line one or
        # the other depending on the step around it.
        kind = FailureKind.UNKNOWN
    tool = (failure.tool or "").lower()
    if tool == "ruff":
        # ruff's full format heads its message with the rule code, its concise and github formats print the code
        # apart (the extractor leaves it out): one message whichever format the project chose
        failure = replace(failure, message=_RUFF_CODE.sub("", failure.message.lstrip()))
    error_type = _error_type(failure.message)
    if error_type in DEPENDENCY_ERRORS:
        # a missing module is a dependency fault whether the runner called it a test error or printed it alone:
        # one identity (identifiers, template) for both
        kind = FailureKind.DEPENDENCY
    symbol = symbol or enclosing_symbol(failure.message)
    tool = _COMPILER_FAMILY.get(tool, tool)
    diagnostic = _cc_diagnostic(tool, failure.message)
    identifiers = {
        # a syntax error's quotes are the token after the fault, not a name of it
        *(() if diagnostic and diagnostic.startswith("expected ") else _identifiers(failure.message, kind)),
        *snapshot_identifiers(failure.message, detail or ""),
        *detail_identifiers(failure, kind, detail or ""),
        *assertion_identifiers(failure, kind, detail or ""),
        *consequence_identifiers(failure, kind, detail or ""),
    }
    code = code_identifiers(failure, kind, detail or "", identifiers, source=code_line)
    refinements = tuple(sorted({*code, *_site(failure, kind, detail)}))
    named = bool(identifiers or diagnostic or error_type or symbol)
    template = diagnostic or _template(failure.message, kind)
    if code and symbol and kind is FailureKind.COMPILE:
        identifiers, template = _placed(identifiers, template)
    identifiers.update(column_identifiers(failure, kind, detail or "", named))
    return FailureSignature(
        tool=tool,
        kind=kind.value,
        subject=_subject(failure, symbol if kind is not FailureKind.TEST else None),
        error_type=diagnostic or error_type,
        identifiers=tuple(sorted(identifiers)),
        template=template,
        # a runner's bare heading (Catch2's "FAILED:" under CTest) says nothing, the assertion printed below it does
        generic=is_generic(failure) and not refinements,
        refinements=refinements,
    )


def _placed(identifiers: set[str], template: str) -> tuple[set[str], str]:
    """A compile error known by its place (the function it is in, the offending line with the names it names
    masked): the names it quotes are the typo, retyped another way next time (``totl`` for ``total``, then
    ``tota``), so they leave its identity; what kind of name it is (the template around them) stays. Another
    name broken elsewhere is another place: another function or another line."""
    names = {i.split(":", 1)[1] for i in identifiers if i.startswith("symbol:")}
    for name in sorted(names, key=len, reverse=True):
        template = template.replace(name.lower(), "<name>")
    return {i for i in identifiers if not i.startswith("symbol:")}, template


def _site(failure: Failure, kind: FailureKind, detail: str | None) -> tuple[str, ...]:
    """For a failed test, from its own lines of ``detail``: where its exception was thrown
    (``analysis.throw_site``) and which of its assertions failed (``analysis.assertion_site``)."""
    if failure.kind is not FailureKind.TEST or not detail:
        return ()
    lines = [clean(x) for x in detail.splitlines()[:300]]
    block = _own_block(failure.test_id, lines, failure.message) if failure.test_id else lines
    asserted = asserted_identifiers(failure.file, failure.line, failure.test_id or "", lines, block)
    if kind is not FailureKind.TEST:
        return asserted
    return (
        *thrown_identifiers(_error_type(failure.message), block, message=failure.message),
        *asserted,
        *expected_identifiers(failure.message, block),
    )
