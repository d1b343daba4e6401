"""``ci-triage analyze PATH``: the I/O around analysis/ (read a file, a zip or stdin; print the result)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from analysis import render
from analysis.engine import (
    DEFAULT_BUDGET,
    DEFAULT_BYTE_CAP,
    HEAD_SHARE,
    analyze_bytes,
    analyze_head_tail,
    analyze_stream,
    line_end,
)
from analysis.junit import analyze_junit, looks_like_junit
from analysis.lines import Chunk, chunks_from_byte_pieces, chunks_from_bytes, clean, count_lines_pieces
from analysis.regex import compile_linear
from analysis.runlogs import analyze_zip
from analysis.types import Analysis, LineRange

from ..settings import Settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    text = "extract the failures of a CI log, a run-logs zip or a JUnit XML file"
    p = subparsers.add_parser("analyze", help=text, description=text)
    p.add_argument("path", metavar="PATH", help="log file, run-logs .zip, JUnit .xml, or - for stdin")
    p.add_argument("--budget", type=int, default=DEFAULT_BUDGET, help="excerpt size in lines (default 100)")
    p.add_argument("--byte-cap", type=int, default=DEFAULT_BYTE_CAP, help="bytes analysed per job log")
    p.add_argument("--format", choices=("text", "json", "github"), default="text")
    p.add_argument("--json", action="store_const", const="json", dest="format", help="same as --format json")
    p.set_defaults(handler=cmd_analyze, needs_settings=False)


READ_SIZE = 1 << 20


def analyze_path(path: str | Path, *, budget: int = DEFAULT_BUDGET, byte_cap: int = DEFAULT_BYTE_CAP) -> Analysis:
    """What ``analyze`` computes for a file: the one code path the CLI and the quality benchmark share.
    A plain log is streamed (bounded memory); zips and XML reports are read whole."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
        if head[:4] == b"PK\x03\x04" or looks_like_junit(head):
            return analyze_data(head + handle.read(), budget=budget, byte_cap=byte_cap)
        size = os.fstat(handle.fileno()).st_size
        handle.seek(0)
        if size <= byte_cap:
            return analyze_stream(_pieces(handle), budget=budget, byte_cap=byte_cap, size=size)
        return _head_and_tail(handle, size, budget=budget, byte_cap=byte_cap)


def _pieces(handle: IO[bytes], limit: int | None = None) -> Iterator[bytes]:
    left = limit
    while left is None or left > 0:
        piece = handle.read(READ_SIZE if left is None else min(READ_SIZE, left))
        if not piece:
            return
        if left is not None:
            left -= len(piece)
        yield piece


def _boundary(handle: IO[bytes], position: int) -> int:
    """Offset just past the first line break at or after ``position``."""
    handle.seek(position)
    block = handle.read(64 * 1024)
    while block:
        end = line_end(block, 0)
        if end < len(block) or block[-1:] in (b"\n",):
            return position + end
        position += len(block)
        block = handle.read(64 * 1024)
    return position


def _head_and_tail(handle: IO[bytes], size: int, *, budget: int, byte_cap: int) -> Analysis:
    head_end = _boundary(handle, int(byte_cap * HEAD_SHARE))
    tail_start = max(head_end, _boundary(handle, size - (byte_cap - head_end)))
    handle.seek(head_end)
    skipped = count_lines_pieces(_pieces(handle, tail_start - head_end))
    handle.seek(0)
    head_lines = count_lines_pieces(_pieces(handle, head_end))
    handle.seek(0)
    head = list(_pieces(handle, head_end))  # at most a quarter of the cap
    handle.seek(tail_start)
    return analyze_head_tail(
        head, _pieces(handle), tail_first_line=1 + head_lines + skipped, skipped_lines=skipped, budget=budget
    )


def analyze_data(data: bytes, *, budget: int = DEFAULT_BUDGET, byte_cap: int = DEFAULT_BYTE_CAP) -> Analysis:
    if data[:4] == b"PK\x03\x04":
        return analyze_zip(data, budget=budget, byte_cap=byte_cap)
    if looks_like_junit(data):
        return analyze_junit(data, budget=budget)
    return analyze_bytes(data, budget=budget, byte_cap=byte_cap)


def _line_source(path: Path) -> render.LineSource:
    """Lines of the input as given (without colours and timestamps) for the ranges the text view shows."""

    def lines(member: str | None, rng: LineRange) -> list[str]:
        with open(path, "rb") as handle:
            if member:
                with zipfile.ZipFile(handle) as archive:
                    return _pick(chunks_from_bytes(archive.read(member)), rng)
            return _pick(chunks_from_byte_pieces(_pieces(handle)), rng)

    return lines


def _pick(chunks: Iterable[Chunk], rng: LineRange) -> list[str]:
    out: list[str] = []
    for chunk in chunks:
        last = chunk.first + chunk.text.count("\n")
        if last >= rng.start:
            lines = chunk.text.split("\n")
            low = max(rng.start, chunk.first) - chunk.first
            high = min(rng.end, last) - chunk.first
            out.extend(clean(text) for text in lines[low : high + 1])
        if last >= rng.end:
            break
    return out


def cmd_analyze(args: argparse.Namespace, settings: Settings | None = None) -> int:
    spooled = None
    try:
        if args.path == "-":
            spooled = tempfile.NamedTemporaryFile(prefix="ci-triage-", suffix=".log", delete=False)
            with spooled:
                shutil.copyfileobj(sys.stdin.buffer, spooled, READ_SIZE)
            path = Path(spooled.name)
        else:
            path = Path(args.path)
        return _analyze_and_print(path, args)
    except OSError as exc:
        print(f"ci-triage analyze: cannot read {args.path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    finally:
        if spooled is not None:
            os.unlink(spooled.name)


def _analyze_and_print(path: Path, args: argparse.Namespace) -> int:
    if args.budget < 0:
        print("ci-triage analyze: --budget must be at least 0", file=sys.stderr)
        return 2
    try:
        analysis = analyze_path(path, budget=args.budget, byte_cap=args.byte_cap)
    except ValueError as exc:
        print(f"ci-triage analyze: {args.path}: {exc}", file=sys.stderr)
        return 2
    out = sys.stdout
    if args.format == "json":
        out.write(to_json(render.to_dict(analysis)) + "\n")
    elif args.format == "github":
        out.write(render.to_github(analysis))
    else:
        colour = out.isatty() and not os.environ.get("NO_COLOR")
        out.write(render.to_text(analysis, _line_source(path), colour=colour))
    return 0


_PAIR = compile_linear(r"\[\s*(-?\d+),\s*(-?\d+)(?:,\s*(\"(?:[^\"\\\\]|\\\\.)*\"))?\s*\]")


def to_json(document: dict[str, Any]) -> str:
    """Indented JSON with each ``[start, end]`` range kept on one line."""
    text = json.dumps(document, indent=2, ensure_ascii=False)
    return _PAIR.sub(lambda m: "[" + ", ".join(g for g in m.groups() if g is not None) + "]", text)


__all__ = ["analyze_data", "analyze_path", "cmd_analyze", "register", "to_json"]
