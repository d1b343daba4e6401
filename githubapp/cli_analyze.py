"""``ci-triage analyze PATH``: the I/O around analysis/ (read a file, a zip or stdin; print the result)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import IO, Any

from analysis import render
from analysis.engine import DEFAULT_BUDGET, DEFAULT_BYTE_CAP, analyze_bytes, analyze_zip, looks_like_junit
from analysis.junit import analyze_junit
from analysis.lines import chunks_from_bytes
from analysis.types import Analysis, LineRange

from .settings import Settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    text = "extract the failures of a CI log, a run-logs zip or a JUnit XML file"
    p = subparsers.add_parser("analyze", help=text, description=text)
    p.add_argument("path", metavar="PATH", help="log file, run-logs .zip, JUnit .xml, or - for stdin")
    p.add_argument("--budget", type=int, default=DEFAULT_BUDGET, help="excerpt size in lines (default 100)")
    p.add_argument("--byte-cap", type=int, default=DEFAULT_BYTE_CAP, help="bytes analysed per job log")
    p.add_argument("--format", choices=("text", "json", "github"), default="text")
    p.add_argument("--json", action="store_const", const="json", dest="format", help="same as --format json")
    p.set_defaults(handler=cmd_analyze, needs_settings=False)


def analyze_path(path: str | Path, *, budget: int = DEFAULT_BUDGET, byte_cap: int = DEFAULT_BYTE_CAP) -> Analysis:
    """What ``analyze`` computes for a file: the one code path the CLI and the quality benchmark share."""
    return analyze_data(Path(path).read_bytes(), budget=budget, byte_cap=byte_cap)


def analyze_data(data: bytes, *, budget: int = DEFAULT_BUDGET, byte_cap: int = DEFAULT_BYTE_CAP) -> Analysis:
    if data[:4] == b"PK\x03\x04":
        return analyze_zip(data, budget=budget, byte_cap=byte_cap)
    if looks_like_junit(data):
        return analyze_junit(data, budget=budget)
    return analyze_bytes(data, budget=budget, byte_cap=byte_cap)


def _read_input(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    return Path(path).read_bytes()


def _line_source(data: bytes) -> render.LineSource:
    """Lines of the input as given (cleaned of colours and timestamps), for the ranges the view shows."""
    archive = zipfile.ZipFile(_BytesIO(data)) if data[:4] == b"PK\x03\x04" else None

    def lines(member: str | None, rng: LineRange) -> list[str]:
        raw = archive.read(member) if archive is not None and member else data
        from analysis.lines import clean

        out: list[str] = []
        for chunk in chunks_from_bytes(raw):
            last = chunk.first + chunk.text.count("\n")
            if last < rng.start:
                continue
            for offset, text in enumerate(chunk.text.split("\n")):
                number = chunk.first + offset
                if rng.start <= number <= rng.end:
                    out.append(clean(text))
            if last >= rng.end:
                break
        return out

    return lines


def _BytesIO(data: bytes) -> IO[bytes]:
    import io

    return io.BytesIO(data)


def cmd_analyze(args: argparse.Namespace, settings: Settings | None = None) -> int:
    try:
        data = _read_input(args.path)
    except OSError as exc:
        print(f"ci-triage analyze: cannot read {args.path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        analysis = analyze_data(data, budget=args.budget, byte_cap=args.byte_cap)
    except (zipfile.BadZipFile, ValueError) as exc:
        print(f"ci-triage analyze: {args.path}: {exc}", file=sys.stderr)
        return 2
    out = sys.stdout
    if args.format == "json":
        document: dict[str, Any] = render.to_dict(analysis)
        out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    elif args.format == "github":
        out.write(render.to_github(analysis))
    else:
        colour = out.isatty() and not os.environ.get("NO_COLOR")
        out.write(render.to_text(analysis, _line_source(data), colour=colour))
    return 1 if analysis.failures and args.format == "github" else 0


__all__ = ["analyze_data", "analyze_path", "cmd_analyze", "register", "tempfile"]
