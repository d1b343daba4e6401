"""Core value types shared by every layer. Line numbers are 1-based and inclusive, in the input as given."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class FailureKind(StrEnum):
    TEST = "test"
    COMPILE = "compile"
    TYPE = "type"
    LINT = "lint"
    DEPENDENCY = "dependency"
    INFRA = "infra"
    CRASH = "crash"
    TIMEOUT = "timeout"
    CONFIG = "config"
    UNKNOWN = "unknown"


@dataclass(frozen=True, order=True)
class LineRange:
    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 1 or self.end < self.start:
            raise ValueError(f"invalid line range {self.start}-{self.end}")

    def __len__(self) -> int:
        return self.end - self.start + 1

    def contains(self, line: int) -> bool:
        return self.start <= line <= self.end

    def as_list(self) -> list[int]:
        return [self.start, self.end]


@dataclass(frozen=True)
class Failure:
    kind: FailureKind
    tool: str
    message: str
    test_id: str | None = None
    file: str | None = None  # the fault: the deepest frame inside the repository (or the tool's file:line)
    line: int | None = None
    evidence: tuple[LineRange, ...] = ()
    fingerprint: str = ""
    job: str | None = None
    step: str | None = None
    member: str | None = None  # file inside a run-logs zip, when the input was one
    test_file: str | None = None  # where the failing test asserted (its own frame); may equal file:line
    test_line: int | None = None
    # Repeats of one message folded into this failure (``analysis.repeats``): how many lines the tool printed,
    # the first distinct files with their counts (in log order) and how many distinct files in all. A failure
    # seen once has occurrences 1 and no file list.
    occurrences: int = 1
    files: tuple[tuple[str, int], ...] = ()
    file_count: int = 0


@dataclass(frozen=True)
class Analysis:
    failures: tuple[Failure, ...]
    excerpt: tuple[LineRange, ...]
    summary: str
    total_lines: int = 0
    truncated: bool = False
    member_excerpts: tuple[tuple[str, tuple[LineRange, ...]], ...] = field(default=())
