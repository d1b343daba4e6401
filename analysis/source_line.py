"""The offending source line a compiler or linter prints under its diagnostic: the fault's own code.

One message stands at many places (``mismatched types``, ``cannot find symbol``, ``F841 local variable 'x' is
assigned to but never used``): what tells two such faults apart is the code each points at, and that code
stays the same when edits above it move it to another line. Tools print it in their documented formats:

- a numbered gutter under the location, the number being the diagnostic's line: rustc/cargo (``  --> src/x.rs:3:5``
  then ``3 |     code`` and ``^^^`` markers), gcc 9+ and clang 17+ (``   39 |   code``), Elixir 1.15+ (``  3 │ code``
  above ``└─ lib/x.ex:3:5``);
- the line alone right under the diagnostic, then a marker line (``^``, ``^~~~``, ``~~~``): javac, clang without
  line numbers, mypy ``--pretty``, flake8 ``--show-source``, shellcheck's tty format (``In f.sh line 3:`` then the
  line then ``^-- SC2086 ...``), tsc ``--pretty`` (``3 const x = 1;`` after a blank line, then ``~``).

``code_identifiers`` reads that line from the failure's own lines of the log (its excerpt), only where the log
prints it for the failure's ``file:line`` (a note's or another error's snippet is not the fault's), and returns
its whitespace-normalised text with volatile values (string literals, numbers, temp paths) masked: ``code:<text>``.
A format string (``"bad port %d"``, ``"{} items"``) is no data but the code's own template, the very thing a
printf check judges: it stays (its numbers masked). The line number is never part of it.

A tool that prints no code (go vet, tsc without ``--pretty``, mypy, eslint's stylish format) leaves the line to
the repository: the caller may give the failure's line as the file has it at the run's commit (``source``, read
by the pipeline, ``githubapp.pipeline.source``), and it is masked the same way, so a log that prints the line
and the file agree on one ``code:`` value.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from .lines import clean
from .normalize import normalize
from .regex import compile_linear
from .types import Failure, FailureKind

# Kinds whose diagnostics point at a line of code.
CODE_KINDS = frozenset({FailureKind.COMPILE, FailureKind.TYPE, FailureKind.LINT})

_GUTTER = compile_linear(r"^\s*(\d{1,7}) ?[|\u2502\u2503](?: (.*))?$")
# a marker line under the code: carets, tildes, dashes (clang's ``^~~~``, shellcheck's ``^-- SC2086 ...``)
_MARKER = compile_linear(r"^\s*[\^~][\^~-]*(?:\s|$)")
_NUMBERED = compile_linear(r"^\s*(\d{1,7}) (.*)$")  # tsc --pretty: "3 const x = 1;"
_STRING = compile_linear(r"\"(?:[^\"\\\n]|\\.){0,400}\"|'(?:[^'\\\n]|\\.){0,400}'|`[^`\n]{0,400}`")
_NUMBER = compile_linear(r"\b\d+(?:[.,_]\d+)*(?:e[-+]?\d+)?\b")
_SPACE = compile_linear(r"\s+")
_WORD = compile_linear(r"[A-Za-z_$][\w$]*")
_SYMBOL_LINE = compile_linear(r"^\s+symbol:\s+(?:\w+\s+)?([A-Za-z_$][\w$]*)")  # javac: "  symbol:   method prise()"
_REACH = 7  # lines between a location and its snippet: rustc's ``-->`` and ``|`` lines, a blank, a note


def places(file: str | None, line: int | None) -> tuple[str, ...]:
    """How a tool names a file and line: ``x.rs:3`` (gcc, rustc, javac, mypy, flake8, elixirc, googletest),
    ``x.ts(3,`` (tsc without --pretty), ``x.sh line 3`` (shellcheck's tty format, Perl)."""
    base = (file or "").replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    if not base or not line:
        return ()
    return (f"{base}:{line}", f"{base}({line},", f"{base} line {line}")


def names_place(line: str, places: Sequence[str]) -> bool:
    text = line.replace("\\", "/")
    for place in places:
        at = text.find(place)
        while at >= 0:
            end = at + len(place)
            before_ok = at == 0 or not (text[at - 1].isalnum() or text[at - 1] in "_.-")
            if before_ok and (place.endswith(",") or end == len(text) or not text[end].isdigit()):
                return True
            at = text.find(place, at + 1)
    return False


def _gutter_code(lines: Sequence[str], anchor: int, number: int) -> str | None:
    """The gutter line numbered ``number`` nearest the location line: below it first (rustc, gcc, clang), then
    above it (Elixir prints the location last)."""
    below = range(anchor + 1, min(len(lines), anchor + 1 + _REACH))
    above = range(anchor - 1, max(-1, anchor - 1 - _REACH), -1)
    for index in (*below, *above):
        m = _GUTTER.match(lines[index])
        if m and int(m.group(1)) == number:
            return m.group(2) or ""
    return None


def _marked_code(lines: Sequence[str], anchor: int, number: int) -> str | None:
    """The line right under the location line (or under one blank line, as tsc --pretty prints) when a marker
    line follows it."""
    for index in (anchor + 1, anchor + 2):
        if index + 1 >= len(lines):
            return None
        code = lines[index]
        if not code.strip():
            continue
        if _MARKER.match(code) or not _MARKER.match(lines[index + 1]):
            return None
        numbered = _NUMBERED.match(code)
        if numbered and int(numbered.group(1)) == number and index == anchor + 2:
            return numbered.group(2)  # tsc --pretty's gutter
        return code
    return None


# a printf verb (``%d``, ``%-8.2f``, ``%v``): the template a format check (go vet's printf, gcc's -Wformat,
# pylint's logging-format) judges against its arguments. Brace placeholders are left out: ``{name}``, ``${x}`` and
# ``#{x}`` interpolate data far more often than they template a checked format.
_FORMAT_VERB = compile_linear(r"%[-+# 0]{0,4}\d{0,3}(?:\.\d{1,3})?[a-zA-Z]")


def _literal(m: Any) -> str:
    """A string literal as code: a format string is the code's own template (what a printf check judges), kept;
    any other literal is data, masked."""
    return m.group(0) if _FORMAT_VERB.search(m.group(0)) else "<Q>"


def mask_code(code: str, names: Collection[str] = ()) -> str:
    """A line of code as an identity: blanks collapsed, string literals (but format strings) and numbers masked
    (the data a fault's recurrence may carry), temp paths and ids masked as everywhere (``analysis.normalize``),
    and the ``names`` the diagnostic itself names (``<S>``): its message and identifiers hold them, and a
    recurrence retyping the typo (``prise()``, then ``cost()``) is the same fault at the same place."""
    text = _STRING.sub(_literal, normalize(code.strip()))
    if names:
        text = _WORD.sub(lambda m: "<S>" if m.group(0) in names else m.group(0), text)
    return _SPACE.sub(" ", _NUMBER.sub("<N>", text)).strip()[:200]


def offending_line(failure: Failure, detail: str) -> tuple[str, list[str]] | None:
    """The code the tool printed for the failure's ``file:line`` in ``detail`` (the failure's lines of the log),
    as printed, with the lines just below it (javac's ``symbol:``); None when the log does not show it."""
    spots = places(failure.file, failure.line)
    if not spots or not detail:
        return None
    lines = [clean(x).rstrip() for x in detail.splitlines()[:400]]
    number = failure.line or 0
    for anchor, line in enumerate(lines):
        if not names_place(line, spots):
            continue
        code = _gutter_code(lines, anchor, number)
        if code is None:
            code = _marked_code(lines, anchor, number)
        if code is not None and code.strip():
            return code, lines[anchor + 1 : anchor + 1 + _REACH]
    return None


def code_identifiers(
    failure: Failure, kind: FailureKind, detail: str, identifiers: Collection[str] = (), source: str | None = None
) -> tuple[str, ...]:
    """``code:<text>`` for a compile, type or lint failure whose offending line the log prints, else whose line
    ``source`` gives (the failure's line in the repository's file); the names its ``identifiers``
    (``role:value``) and javac's ``symbol:`` line give are masked in it."""
    if kind not in CODE_KINDS or failure.test_id:
        return ()
    found = offending_line(failure, detail)
    if found is None:
        if source is None or not source.strip():
            return ()
        found = source, []  # what the log would have printed: the same masking below
    code, below = found
    names = {i.split(":", 1)[1] for i in identifiers if ":" in i}
    names.update(m.group(1) for m in map(_SYMBOL_LINE.match, below) if m)
    text = mask_code(code, names)
    return ("code:" + text,) if text else ()
