"""A failure's kind read from its words, for lines whose rule does not say it (generic, exit, catch-all)."""

from __future__ import annotations

from .regex import IGNORECASE, LinearPattern, compile_linear
from .types import FailureKind as K

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
