"""A log's lines by number, of which only some are kept (excerpts, evidence): the others read as empty.

What leaves the analysis of a large log: the lines reports and fix suggestions quote, at their true numbers,
in memory bounded by what is kept rather than by the log's size or its number of lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import overload


@dataclass(frozen=True)
class SparseLines(Sequence[str]):
    total: int
    kept: Mapping[int, str] = field(default_factory=dict)  # 0-based index -> line

    @classmethod
    def keep(cls, lines: Sequence[str], indexes: Iterable[int]) -> SparseLines:
        return cls(len(lines), {i: lines[i] for i in indexes if 0 <= i < len(lines)})

    def __len__(self) -> int:
        return self.total

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self.kept.get(i, "") for i in range(*index.indices(self.total))]
        if index < 0:
            index += self.total
        if not 0 <= index < self.total:
            raise IndexError(index)
        return self.kept.get(index, "")
