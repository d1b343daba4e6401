"""Regular expressions for log text, in linear time: the one way the code base compiles a pattern that sees
log or other untrusted text.

``compile_linear`` checks that RE2 accepts the pattern (no backreferences, lookarounds, atomic groups or
possessive quantifiers: the constructs that need backtracking) and keeps it twice: RE2 (``google-re2``,
linear in the text by construction) and Python's ``re`` with the same meaning (ASCII classes, as RE2 has).
Short texts, up to ``FAST_CHARS`` (the per-line cap of the extraction, ``analysis.lines.MAX_LINE_CHARS``), go
to ``re``: google-re2's binding costs ~5 µs a call, ten times ``re`` on a log line, and the extraction makes
a million calls per 200 MB. Longer texts go to RE2. So a pattern whose ``re`` form backtracks can cost at most
what it costs on ``FAST_CHARS`` characters; ``tests/analysis/test_regex_adversarial.py`` runs every pattern of
``REGISTRY`` on generated adversarial texts through both paths within a time budget, and a scan fails when
a module that reads logs compiles a pattern any other way.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeAlias

import re2

FAST_CHARS = 2000
IGNORECASE = re.IGNORECASE
MULTILINE = re.MULTILINE
DOTALL = re.DOTALL
_FLAGS = {re.IGNORECASE: "i", re.MULTILINE: "m", re.DOTALL: "s"}
_ALLOWED_FLAGS = re.IGNORECASE | re.MULTILINE | re.DOTALL | re.ASCII
_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a rejected pattern raises NotLinear; RE2's own stderr line adds nothing


class NotLinear(ValueError):
    """The pattern needs backtracking (or a construct RE2 does not have): rewrite it."""


# google-re2's match objects have the methods and attributes of ``re.Match`` that callers use (group, groups,
# groupdict, start, end, span, string, expand, [name]): typed as ``re.Match`` for both engines.
Match: TypeAlias = "re.Match[str]"


REGISTRY: list[LinearPattern] = []  # every pattern compiled, for the adversarial test


class LinearPattern:
    """A compiled pattern with ``re.Pattern``'s methods that callers use."""

    __slots__ = ("_re", "_re2", "fast_chars", "flags", "origin", "pattern")

    def __init__(self, pattern: str, flags: int = 0, fast_chars: int = FAST_CHARS) -> None:
        if flags & ~_ALLOWED_FLAGS:
            raise NotLinear(f"flags {flags:#x} not supported by RE2 (verbose patterns: write them on one line)")
        self.pattern = pattern
        self.flags = flags
        self.fast_chars = fast_chars
        self._re = re.compile(pattern, flags | re.ASCII)
        inline = "".join(letter for flag, letter in _FLAGS.items() if flags & flag)
        try:
            self._re2 = re2.compile((f"(?{inline})" if inline else "") + _to_re2(pattern), _OPTIONS)
        except re2.error as exc:
            raise NotLinear(f"{pattern!r}: not accepted by RE2 ({exc}): rewrite without backtracking") from exc
        if self._re.groupindex != dict(self._re2.groupindex):
            raise NotLinear(f"{pattern!r}: the two engines disagree on its groups")
        frame = sys._getframe(2)
        self.origin = f"{frame.f_globals.get('__name__', '?')}:{frame.f_lineno}"

    def engine_for(self, max_chars: int) -> re.Pattern[str] | LinearPattern:
        """What to call on texts never longer than ``max_chars`` (lines already cut at a cap): Python's
        compiled pattern itself when that is within this pattern's limit (one call less per match on the
        extraction's hot path), else this pattern."""
        return self._re if max_chars <= self.fast_chars else self

    def _engine(self, text: str) -> Any:
        return self._re if len(text) <= self.fast_chars else self._re2

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> Match | None:
        if len(text) <= self.fast_chars:
            return self._re.search(text, pos) if endpos is None else self._re.search(text, pos, endpos)
        return self._re2.search(text, pos, endpos)  # type: ignore[no-any-return]

    def match(self, text: str, pos: int = 0, endpos: int | None = None) -> Match | None:
        if len(text) <= self.fast_chars:
            return self._re.match(text, pos) if endpos is None else self._re.match(text, pos, endpos)
        return self._re2.match(text, pos, endpos)  # type: ignore[no-any-return]

    def fullmatch(self, text: str) -> Match | None:
        return self._engine(text).fullmatch(text)  # type: ignore[no-any-return]

    def finditer(self, text: str) -> Iterator[Match]:
        return self._engine(text).finditer(text)  # type: ignore[no-any-return]

    def findall(self, text: str) -> list[Any]:
        return self._engine(text).findall(text)  # type: ignore[no-any-return]

    def split(self, text: str, maxsplit: int = 0) -> list[str]:
        return self._engine(text).split(text, maxsplit)  # type: ignore[no-any-return]

    def sub(self, repl: str | Callable[[Any], str], text: str, count: int = 0) -> str:
        if len(text) <= self.fast_chars:
            return self._re.sub(repl, text, count)
        return self.subn(repl, text, count)[0]

    def subn(self, repl: str | Callable[[Any], str], text: str, count: int = 0) -> tuple[str, int]:
        if len(text) <= self.fast_chars:
            return self._re.subn(repl, text, count)
        if isinstance(repl, str) and "\\" in repl:
            template = repl
            repl = lambda match: match.expand(template)  # noqa: E731  (Python's template syntax)
        return self._re2.subn(repl, text, count)  # type: ignore[no-any-return]

    @property
    def groupindex(self) -> dict[str, int]:
        return dict(self._re.groupindex)

    @property
    def groups(self) -> int:
        return self._re.groups

    def __repr__(self) -> str:
        return f"compile_linear({self.pattern!r})"


def compile_linear(
    pattern: str, flags: int = 0, *, fast_chars: int = FAST_CHARS, register: bool = True
) -> LinearPattern:
    """Compile ``pattern`` (Python syntax, RE2's subset) or raise NotLinear; registered for the tests.

    A pattern built at run time around escaped text (a test's name) passes ``register=False``, so the registry
    does not grow; its module then registers one instance of the template at import, which the tests run.
    ``fast_chars`` lowers the length up to which Python's engine runs, for a pattern whose ``re`` form is
    superlinear (the adversarial test measures each pattern at its own limit)."""
    compiled = LinearPattern(pattern, flags, fast_chars)
    if register:
        REGISTRY.append(compiled)
    return compiled


def escape(text: str) -> str:
    """``re.escape`` for text put inside a pattern (its escapes are valid RE2 too)."""
    return re.escape(text)


def _to_re2(pattern: str) -> str:
    """Python spellings RE2 reads otherwise: ``\\Z``, ``\\uXXXX``/``\\UXXXXXXXX``, ``{,n}``."""
    out: list[str] = []
    i = 0
    in_class = False
    while i < len(pattern):
        char = pattern[i]
        if char == "[" and not in_class:
            in_class = True
            out.append(pattern[i : i + 2] if pattern[i + 1 : i + 2] == "]" else char)  # "[]...]": literal ]
            i += len(out[-1])
            continue
        if char == "]" and in_class:
            in_class = False
        if char == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if nxt == "Z":
                out.append(r"\z")
                i += 2
                continue
            if nxt in "uU":
                width = 4 if nxt == "u" else 8
                out.append(r"\x{" + pattern[i + 2 : i + 2 + width] + "}")
                i += 2 + width
                continue
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if char == "{" and not in_class and pattern[i + 1 : i + 2] == ",":
            out.append("{0")
            i += 1
            continue
        out.append(char)
        i += 1
    return "".join(out)


def parse_tree(pattern: str, flags: int = 0) -> Any:
    """Python's own parse tree of ``pattern`` as ``compile_linear`` reads it (ASCII classes), with the
    opcodes module: for translating a pattern to another linear-time engine (``analysis.byte_patterns``)."""
    return re._parser.parse(pattern, flags | re.ASCII), re._constants  # type: ignore[attr-defined]
