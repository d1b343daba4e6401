"""Mask what changes between two runs of the same fault, and fingerprint what stays.

``normalize`` is public: the history engine embeds normalized failure text, so two reruns of one fault read
the same. Placeholders are short upper-case words in angle brackets, chosen to survive tokenizers.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable

from .regex import FAST_CHARS, IGNORECASE, LinearPattern, Match, compile_linear


def _hex(match: Match) -> str:
    """A hex token with both a digit and a letter (a word or a number alone is not an id)."""
    token: str = match.group(0)
    has_digit = any(c.isdigit() for c in token)
    return "<HEX>" if has_digit and not token.isdigit() else token


def _ends_path(mask: str) -> Callable[[Match], str]:
    """The masked path ends where a path component ends: before "/", a space, a quote, ":" or the end; when
    its last component runs into another character, that component is left out of the mask."""

    def repl(match: Match) -> str:
        text: str = match.string
        end = match.end()
        if end == len(text) or text[end] in "/ \t\n\r\f\v'\":":
            return mask
        cut = match.group(0).rfind("/")
        head = match.group(1) or ""
        if cut < len(head):  # no component beyond the prefix: the prefix alone ran into the character
            return str(match.group(0))
        return mask + match.group(0)[cut:]

    return repl


def _root(match: Match) -> str:
    text: str = match.string
    end = match.end()
    return "<ROOT>" if end == len(text) or text[end] in "/\\ \t\n\r\f\v" else str(match.group(0))


# Order matters: wider tokens first (a UUID contains hex runs, a timestamp contains numbers).
# RE2 has no lookaround: what the masks once checked with one is checked by their replacement functions.
_MASKS: tuple[tuple[LinearPattern, str | Callable[[Match], str]], ...] = tuple(
    (compile_linear(p, flags, fast_chars=300 if "packages" in p else FAST_CHARS), repl)
    for p, repl, flags in (  # type: ignore[has-type]
        (r"\x1b\[[0-?]*[ -/]*[@-~]", "", 0),
        (r"\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?", "<TS>", 0),
        (r"\b\d\d:\d\d:\d\d(?:[.,]\d+)?\b", "<TS>", 0),
        (r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", "<UUID>", IGNORECASE),
        (r"\b0x[0-9a-f]+\b", "<ADDR>", IGNORECASE),
        (r"\b[0-9a-f]{7,64}\b", _hex, IGNORECASE),
        # temp dirs and absolute build roots: keep the project-relative tail of a path
        (
            r"(/tmp|/var/folders|/private/var|C:\\Users\\[^\\\s]+\\AppData\\Local\\Temp)(?:/[\w.-]+)*",
            _ends_path("<TMP>"),
            0,
        ),
        (
            r"(?:/home/(?:runner|travis)/work/[^/\s]+/[^/\s]+|/home/travis/build/[^/\s]+/[^/\s]+|/builds/[^/\s]+/[^/\s]+"
            r"|/__w/[^/\s]+/[^/\s]+|/github/workspace|/Users/runner/work/[^/\s]+/[^/\s]+|D:\\a\\[^\\\s]+\\[^\\\s]+"
            r"|/home/circleci/[^/\s]+|/workspace/[^/\s]+|/opt/atlassian/pipelines/agent/build)",
            _root,
            0,
        ),
        (r"(?:/[\w.+-]+)*/(?:site|dist)-packages/", "<PKGS>/", 0),  # quadratic in re: short texts only
        (r"\b\d+(?:\.\d+)?\s?(?:ms|s|sec|secs|seconds|m|min|minutes|h|µs|us|ns)\b", "<DUR>", 0),
        (r"\b\d+(?:\.\d+)?\s?(?:[KMGT]i?B|bytes)\b", "<SIZE>", 0),
        (r"(:|port )\d{2,5}\b", lambda m: f"{m.group(1)}<N>", 0),
        (r"\b\d{3,}\b", "<N>", 0),
        (r"[ \t]+", " ", 0),
    )
)
_TIMESTAMP_MASKS = _MASKS[1:3]
_VALUE_MASKS = tuple(m for m in _MASKS if m[1] != "<N>")  # ports stay masked: the OS picks them
_NAMED_NUMBER = compile_linear(r"\b(pid|process|thread|port|seed|worker|gw)([ :=#]*)\d+\b", IGNORECASE)
# ":12:5" after a name or ")" first (the character before it kept), then "(12,5)", "line 12", "[12,5]":
# their spans never overlap, so two passes remove what one pass with a lookbehind did.
_LINE_REF_COLON = compile_linear(r"([\w)])(?::\d+)+\b")
_LINE_REF = compile_linear(r"\(\d+,\d+\)|\bline \d+\b|\[\d+,\d+\]")
_DIGITS = compile_linear(r"\d+")


def normalize(text: str, *, numbers: bool = True) -> str:
    """Text with volatile tokens masked (timestamps, durations, ids, temp paths, addresses, pids, seeds).
    ``numbers=False`` keeps plain numbers (ports, counts, long values): in a value a test got, they are what
    the code computed, not noise of the run."""
    text = _NAMED_NUMBER.sub(lambda m: f"{m.group(1)}{m.group(2)}<{m.group(1).upper()}>", text)
    for pattern, repl in _MASKS if numbers else _VALUE_MASKS:
        text = pattern.sub(repl, text)
    return text.strip()


def mask_timestamps(text: str) -> str:
    """Only the timestamps masked: before anything reads ``:00:00`` in one as a line reference."""
    for pattern, repl in _TIMESTAMP_MASKS:
        text = pattern.sub(repl, text)
    return text


def _stable(text: str) -> str:
    """Normalized text without line numbers, so a fault that only moved keeps its fingerprint."""
    return _DIGITS.sub("#", _LINE_REF.sub("", _LINE_REF_COLON.sub(lambda m: m.group(1), normalize(text)))).lower()


@functools.lru_cache(maxsize=4096)  # a log repeats its failures (cascades, retries); normalizing is the cost
def fingerprint(tool: str, kind: str, test_id: str | None = None, message: str = "", file: str | None = None) -> str:
    """A 16-hex-digit id for the fault: test or file plus the normalized message, never line numbers."""
    parts = [
        tool,
        kind,
        _stable(test_id or ""),
        _stable(file or "") if not test_id else "",
        _stable(message)[:300],
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def echo_key(line: str) -> str:
    """Cheap key for spotting the same message repeated (cascades, retries): digits and spaces collapsed."""
    return _DIGITS.sub("#", line.strip())[:200]
