"""What a fix rule proposes, before the caller checks it against the repository's files."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class FixSource(StrEnum):
    HISTORY = "history"  # the fix of a matching pattern, replayed
    RULE = "rule"  # a rule for a common class of failures (formatter, snapshot, dependency)
    LLM = "llm"  # a language model's proposal


# (path, current content or None when absent) -> new content, or None when the edit does not fit that file.
Transform = Callable[[str, str | None], "str | None"]


def rebuildable(factory: Callable[..., Transform]) -> Callable[..., Transform]:
    """For a module-level factory of transforms (closures): its transforms pickle as the factory's call, so
    a proposal computed in the analysis child process crosses back to the worker that applies it."""

    @functools.wraps(factory)
    def make(*args: Any) -> Transform:
        return _Rebuildable(make, args, factory(*args))

    return make


class _Rebuildable:
    __slots__ = ("_args", "_make", "_transform")

    def __init__(self, make: Callable[..., Transform], args: tuple[Any, ...], transform: Transform) -> None:
        self._make, self._args, self._transform = make, args, transform

    def __call__(self, path: str, content: str | None) -> str | None:
        return self._transform(path, content)

    def __reduce__(self) -> tuple[Any, ...]:
        return (self._make, self._args)


@dataclass(frozen=True)
class FileEdit:
    """An edit computed from a file's content at the head commit, which the caller fetches.

    ``candidates`` are tried in order; the first path whose transform returns new content is used.
    """

    candidates: tuple[str, ...]
    transform: Transform
    name: str = ""  # what the edit does, for logs and tests


@dataclass(frozen=True)
class Proposal:
    source: FixSource
    rule: str  # "ruff-format", "missing-python-dependency", "jest-snapshot", "history", "llm", ...
    title: str
    explanation: str
    confidence: float  # 0..1, the rule's own estimate before ranking by past outcomes
    diff: str | None = None  # a ready unified diff (from the log, history, the LLM)
    edits: tuple[FileEdit, ...] = ()  # or edits to compute against the head commit's files
    fingerprint: str | None = None  # the failure it addresses
    links: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if (self.diff is None) == (not self.edits):
            raise ValueError("a proposal carries either a diff or edits")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence {self.confidence} is outside 0..1")
