"""JUnit XML (pytest, Surefire, Gradle, jest-junit, go-junit-report, dotnet trx2junit...) to Failures.

A streaming expat parse that records the XML line of every ``<testcase>`` and ``<failure>``/``<error>``,
so the evidence points into the file as given. Entity declarations are refused (no billion laughs, no external
entities).
"""

from __future__ import annotations

import xml.parsers.expat
from dataclasses import dataclass, field

from .excerpt import select
from .kinds import kind_from_text
from .normalize import fingerprint
from .regex import compile_linear
from .rules import Role, Rule
from .scanner import Hit
from .summary import summarize
from .types import Analysis, Failure, FailureKind, LineRange

_OUTCOMES = {"failure": FailureKind.TEST, "error": FailureKind.TEST}
MAX_TEXT = 20_000


class JUnitError(ValueError):
    """The input is not well-formed JUnit XML."""


@dataclass
class _Case:
    name: str
    classname: str
    file: str | None
    line: int | None
    start: int
    outcome: str | None = None
    message: str = ""
    type: str = ""
    end: int = 0
    text: list[str] = field(default_factory=list)


def looks_like_junit(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    return (head.startswith(b"<?xml") and (b"<testsuite" in data[:4096] or b"<testcase" in data[:65536])) or (
        head.startswith((b"<testsuites", b"<testsuite"))
    )


def parse_junit(xml_bytes: bytes) -> list[Failure]:
    return _parse(xml_bytes)[0]


def _parse(xml_bytes: bytes) -> tuple[list[Failure], int]:
    parser = xml.parsers.expat.ParserCreate()
    failures: list[Failure] = []
    stack: list[_Case] = []
    suites: list[str] = []
    collecting = False

    def refuse_entities(*_: object) -> None:
        raise JUnitError("entity declarations are not allowed in JUnit XML")

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal collecting
        line = parser.CurrentLineNumber
        if tag == "testsuite":
            suites.append(attrs.get("name", ""))
        elif tag == "testcase":
            line_attr = attrs.get("line") or attrs.get("lineno")
            stack.append(
                _Case(
                    name=attrs.get("name", ""),
                    classname=attrs.get("classname", "") or (suites[-1] if suites else ""),
                    file=attrs.get("file") or None,
                    line=int(line_attr) if line_attr and line_attr.isdigit() else None,
                    start=line,
                )
            )
        elif tag in _OUTCOMES and stack and stack[-1].outcome is None:
            case = stack[-1]
            case.outcome = tag
            case.message = attrs.get("message", "")
            case.type = attrs.get("type", "")
            collecting = True

    def end(tag: str) -> None:
        nonlocal collecting
        line = parser.CurrentLineNumber
        if tag in _OUTCOMES:
            collecting = False
        elif tag == "testsuite" and suites:
            suites.pop()
        elif tag == "testcase" and stack:
            case = stack.pop()
            case.end = max(line, case.start)
            if case.outcome:
                failures.append(_failure(case))

    def data(text: str) -> None:
        if collecting and stack and sum(map(len, stack[-1].text)) < MAX_TEXT:
            stack[-1].text.append(text)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    parser.EntityDeclHandler = refuse_entities
    try:
        parser.Parse(xml_bytes, True)
    except xml.parsers.expat.ExpatError as exc:
        raise JUnitError(f"not well-formed XML: {exc}") from None
    return failures, parser.CurrentLineNumber


def _failure(case: _Case) -> Failure:
    body = "".join(case.text).strip()
    first_body_line = body.splitlines()[0] if body else ""
    message = case.message or first_body_line or case.type or case.outcome or "failed"
    if case.type and case.type not in message:
        message = f"{case.type}: {message}"
    test_id = f"{case.classname}.{case.name}" if case.classname and "::" not in case.name else case.name
    if case.classname and case.file and case.classname.replace(".", "/") in case.file.replace(".py", ""):
        test_id = f"{case.file}::{case.name}"
    kind = kind_from_text(message, FailureKind.TEST) if case.outcome == "error" else FailureKind.TEST
    if kind is FailureKind.UNKNOWN:
        kind = FailureKind.TEST
    return Failure(
        kind=kind,
        tool="junit",
        message=message[:500],
        test_id=test_id,
        file=case.file,
        line=case.line,
        evidence=(LineRange(case.start, case.end),),
        fingerprint=fingerprint("junit", kind.value, test_id, message, case.file),
    )


def analyze_junit(xml_bytes: bytes, *, budget: int = 100) -> Analysis:
    failures, total = _parse(xml_bytes)
    hits: list[Hit] = []
    for rank, failure in enumerate(failures):
        for rng in failure.evidence:
            hits.append(Hit(rng.start, _JUNIT_RULE, 90 - min(30, rank), failure.message, 0, len(rng) - 1, 0))
    excerpt = select(hits, max(total, 1), budget) if failures else ()
    return Analysis(tuple(failures), excerpt, summarize(failures), total_lines=total)


_JUNIT_RULE = Rule("junit.case", "junit", Role.FAILURE, FailureKind.TEST, 90, compile_linear("testcase"), ())
