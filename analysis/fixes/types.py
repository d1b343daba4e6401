"""What a fix rule proposes, before the caller checks it against the repository's files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum


class FixSource(StrEnum):
    HISTORY = "history"  # the fix of a matching pattern, replayed
    RULE = "rule"  # a rule for a common class of failures (formatter, snapshot, dependency)
    LLM = "llm"  # a language model's proposal


# (path, current content or None when absent) -> new content, or None when the edit does not fit that file.
Transform = Callable[[str, str | None], "str | None"]


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
