"""How many times a folded failure occurred, and where: a tool that prints one line per finding (mypy, ruff, tsc)
repeats one message in many files, and the scanner folds those repeats into one failure by fingerprint. What the
fold would lose, the true count and the distinct files, is kept here so a report can say "307 errors in 40
files" and name the first ones.

Memory stays bounded: at most ``MAX_FILES_COUNTED`` distinct files per failure are remembered; beyond that the
file count is a lower bound (``Failure.file_count``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

MAX_FILES_LISTED = 100  # files a Failure carries, with their counts, in the order the log gave them
MAX_FILES_COUNTED = 5_000  # distinct files remembered per failure for the true total


@dataclass
class Repeats:
    count: int = 1  # occurrences folded into the failure, the first included
    files: dict[str, int] = field(default_factory=dict)  # file as the tool printed it -> its occurrences

    @classmethod
    def first(cls, file: str | None) -> Repeats:
        return cls(1, {file: 1} if file else {})

    def add(self, file: str | None) -> None:
        """One more occurrence, in ``file`` when the line named one."""
        self.count += 1
        if file and (file in self.files or len(self.files) < MAX_FILES_COUNTED):
            self.files[file] = self.files.get(file, 0) + 1

    def frozen(self, shown: Callable[[str], str | None]) -> tuple[int, tuple[tuple[str, int], ...], int]:
        """(occurrences, the first files with their counts, distinct files); ``shown`` maps a printed path to
        the one reported (repository-relative). A failure that was never repeated carries no file list."""
        if self.count < 2:
            return self.count, (), 0
        merged: dict[str, int] = {}
        for name, n in self.files.items():
            path = shown(name) or name
            merged[path] = merged.get(path, 0) + n
        return self.count, tuple(list(merged.items())[:MAX_FILES_LISTED]), len(merged)
