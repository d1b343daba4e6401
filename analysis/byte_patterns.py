"""Translate a rule's pattern (Python syntax, RE2's subset, run on one cleaned ``str`` line) into Hyperscan
expressions over raw UTF-8 bytes that, together, match every line the pattern matches (and a few more).

The translation walks Python's own parse tree of the pattern (``analysis.regex.parse_tree``), so it reads a
pattern exactly as ``re`` does. What it widens, and why the result still matches wherever the original does:

- A character that may be non-ASCII (``.``, ``[^x]``, ``\\S``, a class with non-ASCII members) is one to
  four bytes: a byte class repeated ``{1,4}``; ``X{m,n}`` becomes ``X{m,4n}``, or ``X{m,}`` when large.
- ``^`` (the start of the cleaned line) may sit after a runner timestamp that cleaning removes: it becomes
  ``^(?:STAMP)?``, STAMP being a run of the bytes timestamps are made of (``stamp_superset``); a ``\\b`` or
  ``\\B`` at the start of a match may also stand right after such a timestamp.
  Hyperscan takes ``^`` only at the start of an expression, so alternatives with and without it become
  separate expressions of the same rule.
- Everything from the first ``$`` that is not the pattern's last item on is dropped (a prefix of a match is
  a match of the prefix), and a trailing repeat shrinks to its minimum: one report per match, not per byte.
- No class matches a line break, so a match never spans two lines.

Lines where cleaning changes more than the timestamp (colour codes, control bytes, over-long lines) are found
apart and never trusted to this translation (``analysis.multipattern``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .regex import IGNORECASE, parse_tree

_, C = parse_tree("")
_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_DIGIT = frozenset(b"0123456789")
_SPACE = frozenset(b" \t\n\r\f\v")
_ASCII = frozenset(range(128))
_HIGH = frozenset(range(128, 256))
_CATEGORIES = {
    C.CATEGORY_DIGIT: (_DIGIT, False),
    C.CATEGORY_NOT_DIGIT: (_ASCII - _DIGIT, True),
    C.CATEGORY_WORD: (_WORD, False),
    C.CATEGORY_NOT_WORD: (_ASCII - _WORD, True),
    C.CATEGORY_SPACE: (_SPACE, False),
    C.CATEGORY_NOT_SPACE: (_ASCII - _SPACE, True),
}
MAX_BOUNDED = 32  # a repeat allowing more than this becomes unbounded: a smaller, faster database
MAX_VARIANTS = 24


class Untranslatable(ValueError):
    """A construct this translation does not handle: the rule is then tried on every line its needles pick."""


@dataclass(frozen=True)
class Variant:
    anchored: bool  # starts with ^ (a line start, maybe after a timestamp)
    text: str
    nullable: bool  # what precedes can match nothing (so a later ^ or \b may still stand at the line start)


def _byte_class(values: frozenset[int]) -> str:
    values = values - {10}  # never across a line break
    if not values:
        raise Untranslatable("empty class")
    if len(values) == 1:
        return f"\\x{next(iter(values)):02x}"
    runs: list[list[int]] = []
    for v in sorted(values):
        if runs and runs[-1][1] == v - 1:
            runs[-1][1] = v
        else:
            runs.append([v, v])
    return "[" + "".join(f"\\x{a:02x}" if a == b else f"\\x{a:02x}-\\x{b:02x}" for a, b in runs) + "]"


def _char(values: frozenset[int], high: bool) -> tuple[str, bool]:
    """A class of bytes, and whether it stands for a character that may take several bytes."""
    if high:
        return _byte_class(values | _HIGH), True
    return _byte_class(values), False


def _literal(code: int) -> str:
    data = chr(code).encode("utf-8")
    text = "".join(f"\\x{b:02x}" for b in data)
    return text if len(data) == 1 else f"(?:{text})"


def _class(items: list[tuple[Any, Any]]) -> tuple[str, bool]:
    negate = False
    values: set[int] = set()
    high = False
    for op, arg in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            if arg < 128:
                values.add(arg)
            else:
                high = True
        elif op is C.RANGE:
            low, top = arg
            values.update(range(low, min(top, 127) + 1))
            high = high or top >= 128
        elif op is C.CATEGORY:
            members, wide = _CATEGORIES[arg]
            values.update(members)
            high = high or wide
        else:
            raise Untranslatable(f"class item {op}")
    if negate:  # an excluded non-ASCII member: the bytes of other non-ASCII characters still match
        return _char(frozenset(_ASCII - values), True)
    return _char(frozenset(values), high)


def _nullable(op: Any, arg: Any) -> bool:
    if op is C.AT:
        return True
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        return bool(arg[0] == 0 or all(_nullable(o, a) for o, a in arg[2]))
    if op is C.SUBPATTERN:
        return all(_nullable(o, a) for o, a in arg[3])
    if op is C.BRANCH:
        return any(all(_nullable(o, a) for o, a in branch) for branch in arg[1])
    return False


_ENDS = frozenset({C.AT_END, C.AT_END_STRING})
_STARTS = frozenset({C.AT_BEGINNING, C.AT_BEGINNING_STRING, C.AT_BOUNDARY, C.AT_NON_BOUNDARY})


def _has_anchor(op: Any, arg: Any, anchors: frozenset[Any]) -> bool:
    """Whether the node holds one of ``anchors`` (``AT`` codes) anywhere inside it."""
    if op is C.AT:
        return arg in anchors
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        return any(_has_anchor(o, a, anchors) for o, a in arg[2])
    if op is C.SUBPATTERN:
        return any(_has_anchor(o, a, anchors) for o, a in arg[3])
    if op is C.BRANCH:
        return any(_has_anchor(o, a, anchors) for branch in arg[1] for o, a in branch)
    return False


def _has_end(op: Any, arg: Any) -> bool:
    return _has_anchor(op, arg, _ENDS)


def _has_start(op: Any, arg: Any) -> bool:
    return _has_anchor(op, arg, _STARTS)


class Translator:
    def __init__(self, stamp: str | None) -> None:
        self.stamp = stamp  # the runner-timestamp expression (bytes syntax), or None while translating it

    # -- single characters and plain items (no anchors inside) -------------------------------------------
    def _plain(self, op: Any, arg: Any) -> tuple[str, bool]:
        """A translated item free of line anchors, and whether it is one character of 1-4 bytes."""
        if op is C.LITERAL:
            return _literal(arg), False
        if op is C.NOT_LITERAL:
            return _char(frozenset(_ASCII - {arg}), True)
        if op is C.ANY:
            return _char(_ASCII, True)
        if op is C.IN:
            return _class(arg)
        if op is C.CATEGORY:
            members, wide = _CATEGORIES[arg]
            return _char(members, wide)
        if op is C.BRANCH:
            return "(?:" + "|".join(self._plain_seq(list(b)) for b in arg[1]) + ")", False
        if op is C.SUBPATTERN:
            return self._flags(arg[1], arg[2], self._plain_seq(list(arg[3]))), False
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            return self._repeat(arg[0], arg[1], list(arg[2]), trim=False), False
        if op is C.AT and arg is C.AT_BOUNDARY:
            return "\\b", False
        if op is C.AT and arg is C.AT_NON_BOUNDARY:
            return "\\B", False
        raise Untranslatable(f"construct {op} {arg}")

    def _plain_seq(self, items: list[tuple[Any, Any]]) -> str:
        return "".join(self._plain_text(op, arg) for op, arg in items)

    def _plain_text(self, op: Any, arg: Any) -> str:
        text, wide = self._plain(op, arg)
        return f"{text}{{1,4}}" if wide else text

    @staticmethod
    def _flags(add: int, remove: int, inner: str) -> str:
        if add & IGNORECASE:
            return f"(?i:{inner})"
        if remove & IGNORECASE:
            return f"(?-i:{inner})"
        return f"(?:{inner})"

    def _repeat(self, low: int, high: Any, body: list[tuple[Any, Any]], *, trim: bool) -> str:
        if trim:
            high = low  # a trailing repeat: its minimum is enough to say the line matches
        unbounded = high is C.MAXREPEAT
        if len(body) == 1:
            text, wide = self._plain(*body[0])
        else:
            text, wide = f"(?:{self._plain_seq(body)})", False
        if wide:
            low, high = low, (high if unbounded else 4 * high)
        if low == 0 and high == 0:
            return ""
        if not unbounded and high > MAX_BOUNDED:
            unbounded = True
        if not text.startswith("(") and not text.startswith("[") and len(text) > 4:
            text = f"(?:{text})"
        if unbounded:
            return f"{text}*" if low == 0 else (f"{text}+" if low == 1 else f"{text}{{{low},}}")
        if low == high:
            return text if low == 1 else f"{text}{{{low}}}"
        return f"{text}{{{low},{high}}}"

    # -- sequences with anchors: variants ------------------------------------------------------------
    def _start(self, op: Any, arg: Any) -> list[Variant]:
        stamp = f"(?:{self.stamp})" if self.stamp else ""
        if arg in (C.AT_BEGINNING, C.AT_BEGINNING_STRING):
            return [Variant(True, f"^{stamp}?" if stamp else "^", True)]
        plain = "\\b" if arg is C.AT_BOUNDARY else "\\B"
        out = [Variant(False, plain, True)]
        if stamp:
            out.append(Variant(True, f"^{stamp}", True))
        return out

    def seq(self, items: list[tuple[Any, Any]], *, last: bool) -> tuple[list[Variant], bool]:
        """Variants of a sequence, and whether it was cut (nothing may follow it). ``last``: nothing follows
        the sequence in the whole pattern."""
        partial = [Variant(False, "", True)]
        for index, (op, arg) in enumerate(items):
            is_last = last and index == len(items) - 1
            cut = False
            if op is C.AT and arg in (C.AT_END, C.AT_END_STRING):
                if not is_last:
                    return partial, True
                options = [Variant(False, "$", True)]
            elif _has_end(op, arg) and not (is_last and op in (C.BRANCH, C.SUBPATTERN)):
                return partial, True
            elif op is C.AT and _has_start(op, arg):
                options = self._start(op, arg)
            elif op is C.BRANCH and (_has_start(op, arg) or _has_end(op, arg)):
                options = []
                for branch in arg[1]:
                    found, was_cut = self.seq(list(branch), last=is_last)
                    options += found
                    cut = cut or was_cut
            elif op is C.SUBPATTERN and (_has_start(op, arg) or _has_end(op, arg)):
                found, cut = self.seq(list(arg[3]), last=is_last)
                options = [Variant(v.anchored, self._flags(arg[1], arg[2], v.text), v.nullable) for v in found]
            elif _has_start(op, arg):
                raise Untranslatable("an anchor inside a repeat")
            elif is_last and op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
                options = [Variant(False, self._repeat(arg[0], arg[1], list(arg[2]), trim=True), arg[0] == 0)]
            elif is_last and op is C.SUBPATTERN and arg[3] and arg[3][-1][0] in (C.MAX_REPEAT, C.MIN_REPEAT):
                found, _ = self.seq(list(arg[3]), last=True)  # "(?P<msg>.+)" at the end: its minimum
                options = [Variant(v.anchored, self._flags(arg[1], arg[2], v.text), v.nullable) for v in found]
            else:
                options = [Variant(False, self._plain_text(op, arg), _nullable(op, arg))]
            partial = self._join(partial, options)
            if cut:
                return partial, True
        return partial, False

    @staticmethod
    def _join(partial: list[Variant], options: list[Variant]) -> list[Variant]:
        out: list[Variant] = []
        for before in partial:
            for option in options:
                if option.anchored:
                    if before.anchored and before.nullable:
                        out.append(Variant(True, before.text + option.text, option.nullable))
                    elif before.nullable:  # what came before matched nothing: the line starts here
                        out.append(option)
                    # else: a line start after something was consumed never matches
                else:
                    out.append(Variant(before.anchored, before.text + option.text, before.nullable and option.nullable))
        if len(out) > MAX_VARIANTS:
            raise Untranslatable("too many variants")
        return out


def translate(pattern: str, flags: int, stamp: str | None) -> tuple[list[str], bool]:
    """(Hyperscan expressions over raw bytes that together match a superset of the lines ``pattern``
    matches, caseless). Raises Untranslatable, also when an expression could match an empty string."""
    tree, _ = parse_tree(pattern, flags)
    caseless = bool(tree.state.flags & IGNORECASE)
    variants, _ = Translator(stamp).seq(list(tree), last=True)
    out = []
    for variant in variants:
        if variant.nullable:
            raise Untranslatable("matches an empty string")
        out.append(variant.text)
    return sorted(set(out)), caseless


def stamp_superset(pattern: str, flags: int = 0) -> str:
    """A run of the bytes the runner-timestamp pattern can match, as one class: matches wherever the pattern
    does (a timestamp is such a run) and is far cheaper for Hyperscan than the pattern, as a prefix of every
    anchored expression."""
    tree, _ = parse_tree(pattern, flags)
    values: set[int] = set()
    high = False

    def walk(items: list[tuple[Any, Any]]) -> None:
        nonlocal high
        for op, arg in items:
            if op is C.LITERAL:
                if arg < 128:
                    values.add(arg)
                else:
                    high = True
            elif op is C.NOT_LITERAL or op is C.ANY:
                values.update(_ASCII)
                high = True
            elif op is C.IN:
                text, wide = _class(arg)
                values.update(_members(text))
                high = high or wide
            elif op is C.CATEGORY:
                members, wide = _CATEGORIES[arg]
                values.update(members)
                high = high or wide
            elif op is C.BRANCH:
                for branch in arg[1]:
                    walk(list(branch))
            elif op is C.SUBPATTERN:
                walk(list(arg[3]))
            elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
                walk(list(arg[2]))
            elif op is not C.AT:
                raise Untranslatable(f"construct {op} in the timestamp")

    walk(list(tree))
    cls, _ = _char(frozenset(values), high)
    return f"{cls}*"


def _members(byte_class: str) -> set[int]:
    """The bytes of a class ``_byte_class`` wrote."""
    body = byte_class[1:-1] if byte_class.startswith("[") else byte_class
    out: set[int] = set()
    i = 0
    while i < len(body):
        low = int(body[i + 2 : i + 4], 16)
        i += 4
        if body[i : i + 1] == "-":
            high = int(body[i + 3 : i + 5], 16)
            out.update(range(low, high + 1))
            i += 5
        else:
            out.add(low)
    return out
