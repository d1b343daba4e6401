"""Where in the repository a test failed, when the extraction gave a test id but no file and line.

pytest prints each failing test's section (``____ test_name ____``) with the traceback's locations
(``tests/test_app.py:6: AssertionError``, ``src/app.py:2: in total``); the innermost one is where the failure
was raised, the one in the test's own file is the test line. Check-run annotations need one of them. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from analysis.regex import LinearPattern, compile_linear, escape
from analysis.types import Failure, LineRange

from ..report.markdown import clean_log_line
from ..report.paths import repo_relative

_LOCATION = compile_linear(r"^(?P<file>[\w.\-/\\]+\.[A-Za-z]\w*):(?P<line>\d+):(?: |$)")
# "___ x ___" / "=== x ===": a run of three is the same test as a run of three or more, without backtracking
_SECTION_END = compile_linear(r"^(?:_{3}_* .* _{3}_*|={3}.*={3})$")
MAX_SECTION_LINES = 2_000


def _test_parts(test_id: str) -> tuple[str | None, str]:
    """``tests/test_a.py::TestX::test_y[1]`` → (``tests/test_a.py``, ``test_y``)."""
    file, _, rest = test_id.partition("::")
    name = (rest or test_id).split("::")[-1].split("[", 1)[0]
    return (file if rest else None), name


@dataclass(frozen=True)
class Section:
    """A failing test's section of the log: its 1-based line range and the traceback locations in it."""

    lines: LineRange
    frames: tuple[tuple[str, int], ...]


def section_header(name: str, *, register: bool = False) -> LinearPattern:
    """The ``____ test_name ____`` line that opens a pytest section for the test ``name``."""
    return compile_linear(r"^_{3,} (?:[\w.]+\.)?" + escape(name) + r"(?:\[.*\])? _{3,}$", register=register)


section_header("test_example", register=True)  # the template, for the adversarial test


def section(lines: Sequence[str], failure: Failure) -> Section | None:
    """The failure's pytest section (``____ test_name ____`` up to the next section), or None."""
    if not failure.test_id:
        return None
    _, name = _test_parts(failure.test_id)
    header = section_header(name)
    for index, raw in enumerate(lines):
        if name not in raw or "___" not in raw or not header.match(clean_log_line(raw).strip()):
            continue
        found: list[tuple[str, int]] = []
        end = index + 1
        for end in range(index + 1, min(len(lines), index + 1 + MAX_SECTION_LINES)):
            text = clean_log_line(lines[end])
            if _SECTION_END.match(text.strip()):
                break
            match = _LOCATION.match(text)
            if match:
                found.append((match["file"], int(match["line"])))
        else:
            end = min(len(lines), index + 1 + MAX_SECTION_LINES)
        return Section(LineRange(index + 1, max(index + 1, end)), tuple(found))
    return None


def frames(lines: Sequence[str], failure: Failure) -> list[tuple[str, int]]:
    """Traceback locations in the failure's pytest section, outermost first; empty when there is none."""
    found = section(lines, failure)
    return list(found.frames) if found else []


def locate(
    lines: Sequence[str], failure: Failure, *, repo_name: str | None = None, found: Section | None = None
) -> tuple[str, int] | None:
    """The innermost frame inside the repository (where the failure was raised), or None."""
    if failure.file:
        return None
    candidates = list(found.frames) if found is not None else frames(lines, failure)
    for file, line in reversed(candidates):
        if repo_relative(file, repo_name=repo_name) is not None:
            return file, line
    return None


def with_location(
    lines: Sequence[str], failure: Failure, *, repo_name: str | None = None, found: Section | None = None
) -> Failure:
    where = locate(lines, failure, repo_name=repo_name, found=found)
    if where is None:
        return failure
    return replace(failure, file=where[0], line=where[1])
