"""Mask what changes between two runs of the same fault, and fingerprint what stays.

``normalize`` is public: the history engine embeds normalized failure text, so two reruns of one fault read
the same. Placeholders are short upper-case words in angle brackets, chosen to survive tokenizers.
"""

from __future__ import annotations

import functools
import hashlib
import re

# Order matters: wider tokens first (a UUID contains hex runs, a timestamp contains numbers).
_MASKS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, flags), repl)
    for p, repl, flags in (
        (r"\x1b\[[0-?]*[ -/]*[@-~]", "", 0),
        (r"\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?", "<TS>", 0),
        (r"\b\d\d:\d\d:\d\d(?:[.,]\d+)?\b", "<TS>", 0),
        (r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", "<UUID>", re.I),
        (r"\b0x[0-9a-f]+\b", "<ADDR>", re.I),
        (r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,64}\b", "<HEX>", re.I),
        # temp dirs and absolute build roots: keep the project-relative tail of a path
        (
            r"(?:/tmp|/var/folders|/private/var|C:\\Users\\[^\\\s]+\\AppData\\Local\\Temp)(?:/[\w.-]+)*(?=/|\s|$|['\":])",
            "<TMP>",
            0,
        ),
        (
            r"(?:/home/(?:runner|travis)/work/[^/\s]+/[^/\s]+|/home/travis/build/[^/\s]+/[^/\s]+|/builds/[^/\s]+/[^/\s]+"
            r"|/__w/[^/\s]+/[^/\s]+|/github/workspace|/Users/runner/work/[^/\s]+/[^/\s]+|D:\\a\\[^\\\s]+\\[^\\\s]+"
            r"|/home/circleci/[^/\s]+|/workspace/[^/\s]+|/opt/atlassian/pipelines/agent/build)(?=/|\\|\s|$)",
            "<ROOT>",
            0,
        ),
        (r"(?:/[\w.+-]+)*/(?:site|dist)-packages(?=/)", "<PKGS>", 0),
        (r"\b\d+(?:\.\d+)?\s?(?:ms|s|sec|secs|seconds|m|min|minutes|h|µs|us|ns)\b", "<DUR>", 0),
        (r"\b\d+(?:\.\d+)?\s?(?:[KMGT]i?B|bytes)\b", "<SIZE>", 0),
        (r"(?:(?<=:)|(?<=port ))\d{2,5}\b", "<N>", 0),
        (r"\b\d{3,}\b", "<N>", 0),
        (r"[ \t]+", " ", 0),
    )
)
_NAMED_NUMBER = re.compile(r"\b(pid|process|thread|port|seed|worker|gw)([ :=#]*)\d+\b", re.I)
_LINE_REF = re.compile(r"(?<=[\w)])(?::\d+)+\b|\((\d+),\d+\)|\bline \d+\b|\[\d+,\d+\]")
_DIGITS = re.compile(r"\d+")


def normalize(text: str) -> str:
    """Text with volatile tokens masked (timestamps, durations, ids, temp paths, addresses, pids, seeds)."""
    text = _NAMED_NUMBER.sub(lambda m: f"{m.group(1)}{m.group(2)}<{m.group(1).upper()}>", text)
    for pattern, repl in _MASKS:
        text = pattern.sub(repl, text)
    return text.strip()


def _stable(text: str) -> str:
    """Normalized text without line numbers, so a fault that only moved keeps its fingerprint."""
    return _DIGITS.sub("#", _LINE_REF.sub("", normalize(text))).lower()


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
