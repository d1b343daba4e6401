"""Choose the lines a developer must read, within a line budget, as ranked line ranges.

The best hits' own lines come first (an error, a failing test, the file:line, a tool's tally), so even a tiny
budget names every distinct fault; then the lines that belong to them (assertion bodies, code frames); then
more anchors; whatever budget is left widens the context around the best ones and shows the log's last lines.
"""

from __future__ import annotations

from collections.abc import Sequence

from .scanner import Hit
from .types import LineRange

MIN_SCORE = 25
ANCHOR_SHARE = 0.7  # of the budget, for anchor lines before any context is added


class _Picker:
    def __init__(self, budget: int, total: int) -> None:
        self.budget = budget
        self.total = total
        self.lines: dict[int, int] = {}  # line -> score of the hit that brought it

    @property
    def left(self) -> int:
        return self.budget - len(self.lines)

    def take(self, line: int, score: int) -> bool:
        if line < 1 or line > self.total or self.left <= 0:
            return False
        if line not in self.lines:
            self.lines[line] = score
        return True


def select(hits: Sequence[Hit], total_lines: int, budget: int) -> tuple[LineRange, ...]:
    if budget <= 0 or total_lines <= 0:
        return ()
    ranked = sorted((h for h in hits if h.score >= MIN_SCORE), key=lambda h: (-h.score, h.line))
    pick = _Picker(budget, total_lines)
    anchor_budget = max(1, int(budget * ANCHOR_SHARE))
    rest: list[Hit] = []
    for hit in ranked:
        if len(pick.lines) >= anchor_budget:
            rest.append(hit)
        else:
            pick.take(hit.line, hit.score)
    # context that belongs to the anchors: assertion bodies, code frames, the lines before an exit
    for hit in ranked:
        if pick.left <= 0:
            break
        if hit.line in pick.lines:
            for offset in range(1, hit.after + 1):
                pick.take(hit.line + offset, hit.score - 1)
            for offset in range(1, hit.before + 1):
                pick.take(hit.line - offset, hit.score - 2)
    for hit in rest:
        if pick.left <= 0:
            break
        pick.take(hit.line, hit.score)
    # widen around the best anchors, then show the end of the log
    anchors = [h for h in ranked if h.line in pick.lines][:20]
    radius = 1
    while pick.left > 0 and anchors and radius <= 4:
        for hit in anchors:
            pick.take(hit.line + radius, hit.score - 10 - radius)
            pick.take(hit.line - radius, hit.score - 11 - radius)
        radius += 1
    line = total_lines
    while pick.left > 0 and line >= 1:
        pick.take(line, 0)
        line -= 1
    _fill_gaps(pick)
    return _ranges(pick.lines)


def _fill_gaps(pick: _Picker) -> None:
    """A one-line hole between two chosen lines costs one line and reads much better."""
    for line in sorted(pick.lines):
        if pick.left <= 0:
            return
        if line + 2 in pick.lines and line + 1 not in pick.lines:
            pick.take(line + 1, min(pick.lines[line], pick.lines[line + 2]) - 1)


def _ranges(lines: dict[int, int]) -> tuple[LineRange, ...]:
    """Merge chosen lines into ranges, best-scored range first (ties: earlier first)."""
    spans: list[tuple[int, int, int]] = []
    for line in sorted(lines):
        score = lines[line]
        if spans and spans[-1][1] == line - 1:
            start, _, best = spans[-1]
            spans[-1] = (start, line, max(best, score))
        else:
            spans.append((line, line, score))
    spans.sort(key=lambda s: (-s[2], s[0]))
    return tuple(LineRange(start, end) for start, end, _ in spans)
