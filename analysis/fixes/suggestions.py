"""A fix as review comments with ```suggestion blocks, for pull requests whose branch cannot be pushed to.

GitHub accepts review comments only on lines that the pull request's own diff shows (its hunks, context
included), so each changed block must fall inside those lines or the fix cannot be offered this way.
"""

from __future__ import annotations

import difflib
from typing import Any

from ..change_loci import HUNK_HEADER
from ..regex import compile_linear
from .patch import split_lines

_FENCE_RUN = compile_linear(r"`{3,}")



def commentable_lines(pr_file_patch: str) -> set[int]:
    """Right-side line numbers shown by one file's ``patch`` in GET /pulls/{n}/files."""
    lines: set[int] = set()
    current = 0
    in_hunk = False
    for raw in pr_file_patch.split("\n"):
        header = HUNK_HEADER.match(raw)
        if header:
            current = int(header.group(1))
            in_hunk = True
            continue
        if not in_hunk or raw.startswith("\\"):
            continue
        if raw.startswith("-"):
            continue
        lines.add(current)  # context or added line
        current += 1
    return lines


def _fence(text: str) -> str:
    longest = max((len(m) for m in _FENCE_RUN.findall(text)), default=2)
    return "`" * max(3, longest + 1)


def suggestion_comments(path: str, old: str, new: str, commentable: set[int]) -> list[dict[str, Any]] | None:
    """Review comments turning ``old`` into ``new``; None when some change lies outside ``commentable``."""
    a, b = split_lines(old), split_lines(new)
    if (a and not a[-1].endswith("\n")) or (b and not b[-1].endswith("\n")):
        return None  # a suggestion cannot express "no newline at end of file"
    spans: list[list[int]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if i1 == i2:  # pure insertion: replace the line above (or below, at the top) with itself + new lines
            if i1 > 0:
                i1, j1 = i1 - 1, j1 - 1
            elif i2 < len(a):
                i2, j2 = i2 + 1, j2 + 1
            else:
                return None
        if spans and i1 < spans[-1][1]:  # widened spans may overlap: merge (the lines between are equal)
            spans[-1][1], spans[-1][3] = max(spans[-1][1], i2), max(spans[-1][3], j2)
        else:
            spans.append([i1, i2, j1, j2])
    comments: list[dict[str, Any]] = []
    for i1, i2, j1, j2 in spans:
        start, end = i1 + 1, i2  # 1-based, inclusive, in the head version
        if any(line not in commentable for line in range(start, end + 1)):
            return None
        replacement = "".join(b[j1:j2])
        fence = _fence(replacement)
        comment: dict[str, Any] = {
            "path": path,
            "line": end,
            "side": "RIGHT",
            "body": f"{fence}suggestion\n{replacement}{fence}",
        }
        if start != end:
            comment["start_line"] = start
            comment["start_side"] = "RIGHT"
        comments.append(comment)
    return comments
