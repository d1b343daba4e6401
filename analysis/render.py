"""Present an Analysis: the JSON document, a readable text view, GitHub workflow commands. Pure: the caller
passes the input's lines when the view shows them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .types import Analysis, Failure, LineRange

LineSource = Callable[[str | None, LineRange], Sequence[str]]  # (member, range) -> the lines, as given


def failure_dict(failure: Failure) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": failure.kind.value,
        "tool": failure.tool,
        "test_id": failure.test_id,
        "message": failure.message,
        "file": failure.file,
        "line": failure.line,
        "test_file": failure.test_file,
        "test_line": failure.test_line,
        "evidence": [r.as_list() for r in failure.evidence],
        "fingerprint": failure.fingerprint,
    }
    if failure.step:
        out["step"] = failure.step
    if failure.job:
        out["job"] = failure.job
    if failure.member:
        out["member"] = failure.member
    return out


def to_dict(analysis: Analysis) -> dict[str, Any]:
    """The ``--json`` document. For a zip, excerpt entries are ``[start, end, member]``."""
    if analysis.member_excerpts:
        excerpt: list[list[Any]] = [
            [r.start, r.end, member] for member, ranges in analysis.member_excerpts for r in ranges
        ]
    else:
        excerpt = [r.as_list() for r in analysis.excerpt]
    return {
        "failures": [failure_dict(f) for f in analysis.failures],
        "excerpt": excerpt,
        "summary": analysis.summary,
        "total_lines": analysis.total_lines,
        "truncated": analysis.truncated,
    }


MAX_ANNOTATIONS = 20  # GitHub shows few annotations per step; the rest go in the notice
MAX_LISTED = 20  # failures the text view names; the JSON has them all
_STYLE = {"bold": "1", "dim": "2", "red": "31", "yellow": "33", "cyan": "36"}


def _paint(text: str, style: str, colour: bool) -> str:
    return f"\x1b[{_STYLE[style]}m{text}\x1b[0m" if colour else text


def to_text(analysis: Analysis, lines: LineSource, *, colour: bool = False) -> str:
    """Failures first, then the excerpt in reading order with line numbers and ``...`` for skipped lines."""
    out = [_paint(analysis.summary, "bold", colour)]
    for failure in analysis.failures[:MAX_LISTED]:
        where = ":".join(str(p) for p in (failure.file, failure.line) if p)
        if failure.test_file and (failure.test_file, failure.test_line) != (failure.file, failure.line):
            where += f"{', ' if where else ''}test {failure.test_file}:{failure.test_line}"
        head = f"- [{failure.kind.value}] {failure.tool}"
        if failure.test_id:
            head += f" {failure.test_id}"
        if where:
            head += f" ({where})"
        if failure.member:
            head += f" in {failure.member}"
        out.append(_paint(head, "red", colour))
        first = failure.message.splitlines()[0] if failure.message else ""
        if first:
            out.append(f"    {first[:300]}")
    if len(analysis.failures) > MAX_LISTED:
        out.append(f"- ... and {len(analysis.failures) - MAX_LISTED} more (--json lists them all)")
    groups: Sequence[tuple[str | None, Sequence[LineRange]]] = (
        [(m, r) for m, r in analysis.member_excerpts] if analysis.member_excerpts else [(None, analysis.excerpt)]
    )
    evidence = {line for f in analysis.failures for r in f.evidence for line in range(r.start, r.end + 1)}
    for member, ranges in groups:
        if not ranges:
            continue
        out.append("")
        out.append(_paint(f"== {member or 'excerpt'}", "cyan", colour))
        previous = 0
        for rng in sorted(ranges):
            if previous and rng.start > previous + 1:
                out.append(_paint("   ...", "dim", colour))
            for offset, text in enumerate(lines(member, rng)):
                number = rng.start + offset
                label = _paint(f"{number:>6} ", "dim", colour)
                body = _paint(text, "yellow", colour) if (number in evidence and not member) else text
                out.append(f"{label}{body}")
            previous = rng.end
    return "\n".join(out) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(analysis: Analysis) -> str:
    """One ``::error`` workflow command per failure (run annotations), then a notice with the summary."""
    out = []
    for failure in analysis.failures[:MAX_ANNOTATIONS]:
        props: Mapping[str, str | int | None] = {
            "file": failure.file,
            "line": failure.line,
            "title": f"{failure.tool} {failure.kind.value}" + (f": {failure.test_id}" if failure.test_id else ""),
        }
        rendered = ",".join(f"{k}={_escape_property(str(v))}" for k, v in props.items() if v not in (None, ""))
        out.append(f"::error {rendered}::{_escape_data(failure.message)}")
        if failure.test_file and failure.test_line and (failure.test_file, failure.test_line) != (
            failure.file,
            failure.line,
        ):  # where the test asserted, when the fault is elsewhere
            test_props = {"file": failure.test_file, "line": failure.test_line, "title": f"{props['title']} (test)"}
            rendered = ",".join(f"{k}={_escape_property(str(v))}" for k, v in test_props.items())
            out.append(f"::error {rendered}::{_escape_data(failure.message)}")
    summary = analysis.summary
    if len(analysis.failures) > MAX_ANNOTATIONS:
        summary += f" ({len(analysis.failures) - MAX_ANNOTATIONS} more failures not annotated)"
    out.append(f"::notice title=ci-triage::{_escape_data(summary)}")
    return "\n".join(out) + "\n"
