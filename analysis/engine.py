"""Public entry points: a job log (text, lines, bytes) in, an Analysis out (a run-logs zip: ``runlogs``; JUnit
XML: ``junit``).

All functions are pure and stream: memory stays bounded by the chunk size and the capped hit list,
whatever the log's size. A log larger than ``byte_cap`` is analysed in part (its head and, when the whole
input is at hand, its tail, where failures usually are) and the Analysis says ``truncated``; line numbers
stay those of the full input.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .byte_scan import ByteChunk, ByteScanner, byte_chunks, byte_chunks_of
from .excerpt import select
from .lines import (
    Chunk,
    chunks_from_byte_pieces,
    chunks_from_bytes,
    chunks_from_lines,
    chunks_from_text,
    count_lines,
    count_lines_bytes,
)
from .restatements import drop_restatements
from .summary import summarize
from .types import Analysis

DEFAULT_BUDGET = 100
DEFAULT_BYTE_CAP = 64 * 1024 * 1024
HEAD_SHARE = 0.25  # of the cap, kept from the start of an over-long log; the rest comes from its end


def analyze_text(text: str, *, budget: int = DEFAULT_BUDGET, byte_cap: int = DEFAULT_BYTE_CAP) -> Analysis:
    if len(text) * 4 > byte_cap and len(text.encode("utf-8", "surrogatepass")) > byte_cap:
        return analyze_bytes(text.encode("utf-8", "surrogatepass"), budget=budget, byte_cap=byte_cap)
    return _run(chunks_from_text(text), budget=budget, byte_cap=byte_cap)


def analyze_lines(lines: Iterable[str], *, budget: int = DEFAULT_BUDGET, byte_cap: int = DEFAULT_BYTE_CAP) -> Analysis:
    """Streaming: reads ``lines`` once and stops at ``byte_cap`` (the rest is not read)."""
    return _run(chunks_from_lines(lines), budget=budget, byte_cap=byte_cap)


def analyze_bytes(data: bytes, *, budget: int = DEFAULT_BUDGET, byte_cap: int = DEFAULT_BYTE_CAP) -> Analysis:
    """Invalid UTF-8 becomes U+FFFD; a UTF-8 BOM is dropped. Over the cap: head and tail, middle skipped."""
    split = _from_bytes if RAW_BYTES else chunks_from_bytes
    if len(data) <= byte_cap:
        # Within the cap as given: no cap while reading (decoding invalid bytes to U+FFFD may grow the text).
        return _run(split(data), budget=budget, byte_cap=None)
    head_end = _line_end(data, int(byte_cap * HEAD_SHARE))
    tail_start = _line_end(data, len(data) - (byte_cap - head_end))
    tail_first = 1 + count_lines_bytes(data[:tail_start])

    def both() -> Iterator[Chunk | ByteChunk]:
        yield from split(data[:head_end])
        yield from split(data[tail_start:], tail_first)

    skipped = count_lines_bytes(data[head_end:tail_start])
    return _run(both(), budget=budget, byte_cap=None, truncated=True, skipped_lines=skipped)


def analyze_stream(
    pieces: Iterable[bytes],
    *,
    budget: int = DEFAULT_BUDGET,
    byte_cap: int = DEFAULT_BYTE_CAP,
    size: int | None = None,
) -> Analysis:
    """Streaming bytes (e.g. 1 MB reads of a file): bounded memory; stops at ``byte_cap``. ``size``: the
    input's length when known (decoded, it is at most 3 times as large: below a third of the cap, no chunk's
    decoded size needs computing)."""
    if size is not None and 3 * size <= byte_cap:
        return _run(_pieces_split(pieces), budget=budget, byte_cap=None)
    return _run(_pieces_split(pieces), budget=budget, byte_cap=byte_cap)


def analyze_head_tail(
    head: Iterable[bytes],
    tail: Iterable[bytes],
    *,
    tail_first_line: int,
    skipped_lines: int,
    budget: int = DEFAULT_BUDGET,
) -> Analysis:
    """An over-long log read in two parts (its start, its end); ``tail`` starts at input line
    ``tail_first_line`` and both parts end on a line break. The Analysis is marked truncated."""

    def both() -> Iterator[Chunk | ByteChunk]:
        yield from _pieces_split(head)
        yield from _pieces_split(tail, tail_first_line)

    return _run(both(), budget=budget, byte_cap=None, truncated=True, skipped_lines=skipped_lines)


def line_end(data: bytes, position: int) -> int:
    return _line_end(data, position)


def _line_end(data: bytes, position: int) -> int:
    """Index just past the line break at or after ``position`` (a \\r\\n pair stays together)."""
    position = max(0, min(position, len(data)))
    found = [i for i in (data.find(b"\n", position), data.find(b"\r", position)) if i >= 0]
    if not found:
        return len(data)
    end = min(found) + 1
    if data[end - 1 : end + 1] == b"\r\n":
        end += 1
    return end


# Raw input goes through the multi-pattern scan over bytes (``analysis.byte_scan``); False: every chunk is
# decoded and scanned line by line (``Scanner.feed``), the reference the tests compare it with.
RAW_BYTES = True


def _from_bytes(data: bytes, first_line: int = 1) -> Iterator[ByteChunk]:
    return byte_chunks_of(data, first_line)


def _pieces_split(pieces: Iterable[bytes], first_line: int = 1) -> Iterator[Chunk] | Iterator[ByteChunk]:
    return byte_chunks(pieces, first_line) if RAW_BYTES else chunks_from_byte_pieces(pieces, first_line)


def _run(
    chunks: Iterable[Chunk | ByteChunk],
    *,
    budget: int,
    byte_cap: int | None,
    truncated: bool = False,
    skipped_lines: int = 0,
) -> Analysis:
    budget = max(0, budget)
    scanner = ByteScanner()
    seen = 0
    for chunk in chunks:
        if byte_cap is not None:
            size = chunk.nbytes
            if seen + size > byte_cap and seen > 0:
                truncated = True
                break
            seen += size
        if isinstance(chunk, ByteChunk):
            scanner.feed_bytes(chunk)
        else:
            scanner.feed(chunk)
    failures, hits = scanner.finish()
    failures = drop_restatements(failures)
    total = scanner.total_lines
    excerpt = select(hits, total, budget)
    summary = summarize(failures, truncated=truncated, skipped_lines=skipped_lines)
    return Analysis(tuple(failures), excerpt, summary, total_lines=total, truncated=truncated)


__all__ = [
    "analyze_bytes",
    "analyze_head_tail",
    "analyze_lines",
    "analyze_stream",
    "analyze_text",
    "count_lines",
    "count_lines_bytes",
]
