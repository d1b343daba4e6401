"""Split raw log input into chunks of lines that keep the input's line numbers, and clean single lines.

Lines are counted the way editors and CiDiff count them: ``\\r\\n``, a lone ``\\r`` and ``\\n`` each end a
line, so a ``\\r`` progress bar is several lines. Chunks are about 1 MB of text whose line breaks are all
``\\n``; only the few lines a prefilter picks are cleaned (ANSI escapes, runner timestamps, control bytes),
so the per-line cost stays out of the hot path.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .regex import compile_linear

CHUNK_CHARS = 1 << 20
MAX_LINE_CHARS = 2000  # rules look at no more of a line than this (minified JS, base64 blobs)

_ANSI = compile_linear(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, erase line
    r"|\][^\x07\x1b\n]*(?:\x07|\x1b\\)?"  # OSC: titles, hyperlinks
    r"|[()*+][0-9A-Za-z]"  # charset selection
    r"|[@-Z\\-_=>78])"  # two-byte escapes
    r"|\^\[\[[0-?]*[ -/]*[@-~]"  # the same, printed in caret notation by a tool that escaped ESC
    r"|\[\d{1,3}(?:;\d{1,3}){0,4}m"  # colour codes that lost their ESC
)
# GitHub Actions (raw, and `gh run view --log` with job/step columns), GitLab (`... 00O `), Jenkins.
_STAMP = compile_linear(
    r"^(?:[^\t]{1,200}\t[^\t]{0,200}\t)?"
    r"\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\]?"
    r"(?: \d\d[OE]\+?)? ?"
    r"|^#\d+ \d+\.\d+ "  # BuildKit: step number and seconds before each line a step prints
)
_STAMP_START = frozenset("0123456789[#")
_CONTROL = compile_linear(r"[\x00-\x08\x0b-\x1f\x7f\ufeff\ufffe]+")


# lines are cut at MAX_LINE_CHARS before these run: Python's engine, called directly
_ANSI_LINE, _STAMP_LINE, _CONTROL_LINE = (p.engine_for(MAX_LINE_CHARS) for p in (_ANSI, _STAMP, _CONTROL))


def clean(line: str) -> str:
    """One line as a reader sees it: no colours, no runner timestamp, no control bytes, bounded length."""
    line = line[:MAX_LINE_CHARS]
    if "\x1b" in line or "[" in line:
        line = _ANSI_LINE.sub("", line)
    if line[:1] in _STAMP_START or "\t" in line:
        line = _STAMP_LINE.sub("", line, count=1)
    if line.isprintable():  # every character the pattern removes is not (a C loop, 10x cheaper than a search)
        return line
    return _CONTROL_LINE.sub("", line) if _CONTROL_LINE.search(line) else line


@dataclass(frozen=True)
class Chunk:
    """Raw text of consecutive input lines ``first ..``, line breaks normalised to ``\\n``, no final break."""

    first: int
    text: str
    nbytes: int  # UTF-8 size of the raw input it came from, for the byte cap


def count_lines(text: str) -> int:
    """Lines in ``text`` (a final line without a terminator counts; an empty text has none)."""
    if not text:
        return 0
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    return breaks + (0 if text[-1] in "\r\n" else 1)


def count_lines_bytes(data: bytes) -> int:
    data = data.removeprefix(b"\xef\xbb\xbf")  # the analysis drops a leading BOM: a lone one is an empty log
    if not data:
        return 0
    breaks = data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
    return breaks + (0 if data[-1:] in (b"\r", b"\n") else 1)


class Chunker:
    """Accumulate raw text pieces and yield cleaned chunks that end on a line boundary."""

    def __init__(self, first_line: int = 1) -> None:
        self._pending = ""
        self._next = first_line
        self._at_start = True

    def feed(self, piece: str) -> Iterator[Chunk]:
        if self._at_start and piece:
            piece = piece.removeprefix("\ufeff")
            self._at_start = False
        text = self._pending + piece
        cut = max(text.rfind("\n"), text.rfind("\r"))
        if cut == len(text) - 1 and text.endswith("\r"):
            cut -= 1  # the \r may be the first half of a \r\n split across pieces
            cut = max(text.rfind("\n", 0, cut + 1), text.rfind("\r", 0, cut + 1))
        if cut < 0:
            self._pending = text
            return
        self._pending = text[cut + 1 :]
        yield self._chunk(text[: cut + 1], final=False)

    def close(self) -> Iterator[Chunk]:
        if self._pending:
            text, self._pending = self._pending, ""
            yield self._chunk(text, final=True)

    def _chunk(self, raw: str, *, final: bool) -> Chunk:
        nbytes = len(raw.encode("utf-8", "surrogatepass"))
        text = raw.replace("\r\n", "\n").replace("\r", "\n")
        if text.endswith("\n"):
            text = text[:-1]
        chunk = Chunk(self._next, text, nbytes)
        self._next += text.count("\n") + 1
        return chunk


def chunks_from_text(text: str, first_line: int = 1) -> Iterator[Chunk]:
    chunker = Chunker(first_line)
    for start in range(0, len(text), CHUNK_CHARS):
        yield from chunker.feed(text[start : start + CHUNK_CHARS])
    yield from chunker.close()


def chunks_from_bytes(data: bytes, first_line: int = 1) -> Iterator[Chunk]:
    return chunks_from_byte_pieces((data[i : i + CHUNK_CHARS] for i in range(0, len(data), CHUNK_CHARS)), first_line)


def chunks_from_byte_pieces(pieces: Iterable[bytes], first_line: int = 1) -> Iterator[Chunk]:
    """Decode safely: invalid UTF-8 becomes U+FFFD, sequences split across pieces are kept whole."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    chunker = Chunker(first_line)
    for piece in pieces:
        yield from chunker.feed(decoder.decode(piece))
    yield from chunker.feed(decoder.decode(b"", final=True))
    yield from chunker.close()


def count_lines_pieces(pieces: Iterable[bytes]) -> int:
    """``count_lines_bytes`` of the concatenation, without holding it: a \\r\\n split across pieces is one."""
    total = 0
    previous_cr = False
    last = b""
    for piece in pieces:
        if not piece:
            continue
        total += piece.count(b"\n") + piece.count(b"\r") - piece.count(b"\r\n")
        if previous_cr and piece[:1] == b"\n":
            total -= 1
        previous_cr = piece[-1:] == b"\r"
        last = piece[-1:]
    return total + (1 if last and last not in (b"\r", b"\n") else 0)


def chunks_from_lines(lines: Iterable[str]) -> Iterator[Chunk]:
    """Each item is one line, with or without its terminator; line breaks inside an item still split it."""
    chunker = Chunker()
    batch: list[str] = []
    size = 0
    for line in lines:
        if line.endswith("\r\n"):
            line = line[:-2]
        elif line.endswith(("\n", "\r")):
            line = line[:-1]
        batch.append(line)
        size += len(line) + 1
        if size >= CHUNK_CHARS:
            yield from chunker.feed("\n".join(batch) + "\n")
            batch, size = [], 0
    if batch:
        yield from chunker.feed("\n".join(batch) + "\n")
    yield from chunker.close()
