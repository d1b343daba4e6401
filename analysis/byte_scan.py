"""The extraction over raw bytes: chunks of undecoded lines, scanned once by the multi-pattern database
(``analysis.multipattern``); only the lines it picks, and the neighbours rules look at, are decoded,
lowercased and cleaned.

``byte_chunks`` cuts input exactly where ``analysis.lines`` cuts decoded text (about 1 MB, at a line break),
so both paths see the same chunks; ``ByteScanner`` is the ``Scanner`` fed from them. A line's needles are
found as the per-line path finds them (``Scanner.feed``: the lowercased chunk, and the coloured lines again
without their CSI codes, each pass with its own edge at the chunk's first and last line), so a line gets the
same rule either way; the database only spares the lines and the rules that cannot match.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from . import multipattern
from .lines import _STAMP_LINE, _STAMP_START, CHUNK_CHARS, MAX_LINE_CHARS, clean
from .regex import Match
from .rules import RULES, Rule, is_excluded
from .scanner import Scanner, _first_rule

_INDEX = {id(rule): index for index, rule in enumerate(RULES)}

_BOM = b"\xef\xbb\xbf"
SEEN_LINES = 1024  # forgotten past this, between chunks: far from spanning the benchmark's repeated copies
SEEN_MAX_BYTES = 4 * MAX_LINE_CHARS  # longer lines are not kept (8 MB at most in all)


@dataclass(frozen=True)
class ByteChunk:
    """Raw bytes of consecutive input lines ``first ..``, line breaks normalised to ``\\n``, no final break."""

    first: int
    data: bytes
    raw_size: int  # bytes of input it came from (line breaks as given)

    @property
    def nbytes(self) -> int:
        """UTF-8 size of its decoded text, as ``analysis.lines.Chunk.nbytes`` (invalid bytes become U+FFFD)."""
        if self.data.isascii():
            return self.raw_size
        try:  # valid UTF-8 decodes and encodes back to itself: one pass, no copy back
            self.data.decode("utf-8")
            return self.raw_size
        except UnicodeDecodeError:
            pass
        extra = len(self.data.decode("utf-8", "replace").encode("utf-8")) - len(self.data)
        return self.raw_size + extra


def _held_back(data: bytes) -> int:
    """Trailing bytes an incremental UTF-8 decoder keeps for the next piece (an unfinished character)."""
    for back in range(1, min(3, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            return 0
        if byte >= 0xC0:
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return back if back < need and byte < 0xF5 and byte >= 0xC2 else 0
    return 0


class ByteChunker:
    """``analysis.lines.Chunker`` on bytes: the same cuts, no decoding."""

    def __init__(self, first_line: int = 1) -> None:
        self._pending = b""
        self._next = first_line
        self._at_start = True

    def feed(self, piece: bytes) -> Iterator[ByteChunk]:
        data = self._pending + piece
        if self._at_start:
            if len(data) < len(_BOM) and _BOM.startswith(data):
                self._pending = data
                return
            self._at_start = False
            data = data.removeprefix(_BOM)
        visible = len(data) - _held_back(data)  # what the text path has decoded so far
        cut = _last_break(data, visible)
        if cut == visible - 1 and cut >= 0 and data[cut] == 13:
            cut = _last_break(data, cut)  # the \r may be the first half of a \r\n split across pieces
        if cut < 0:
            self._pending = data
            return
        self._pending = data[cut + 1 :]
        yield self._chunk(data, cut + 1)

    def close(self) -> Iterator[ByteChunk]:
        if self._at_start and self._pending:
            self._pending = self._pending.removeprefix(_BOM)
        self._at_start = False
        if self._pending:
            data, self._pending = self._pending, b""
            yield self._chunk(data, len(data))

    def _chunk(self, data: bytes, size: int) -> ByteChunk:
        """The first ``size`` bytes of ``data``, without their final line break, breaks normalised: one copy."""
        end = size
        if end and data[end - 1] == 10:
            end -= 2 if end > 1 and data[end - 2] == 13 else 1
        elif end and data[end - 1] == 13:
            end -= 1
        body = data[:end]
        if b"\r" in body:
            body = body.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        chunk = ByteChunk(self._next, body, size)
        self._next += body.count(b"\n") + 1
        return chunk


def _last_break(data: bytes, end: int) -> int:
    """Index of the last line break (LF or CR) before ``end``, or -1; a CR is looked for after the last LF only."""
    newline = data.rfind(b"\n", 0, end)
    return max(newline, data.rfind(b"\r", newline + 1, end))


def byte_chunks(pieces: Iterable[bytes], first_line: int = 1) -> Iterator[ByteChunk]:
    chunker = ByteChunker(first_line)
    for piece in pieces:
        yield from chunker.feed(piece)
    yield from chunker.close()


def byte_chunks_of(data: bytes, first_line: int = 1) -> Iterator[ByteChunk]:
    return byte_chunks((data[i : i + CHUNK_CHARS] for i in range(0, len(data), CHUNK_CHARS)), first_line)


def _samples(lower: str, first: bool, last: bool) -> str:
    """The line as the per-line path's needle pass sees it within its chunk: a needle counts for the line its
    last character is on (a line break counts for the line it ends); the chunk's first line has no line
    break before it, its last none after."""
    return ("" if first else "\n") + lower + ("" if last else "\n")


_NEEDLES = tuple(rule.needles for rule in RULES)
# then "in" finds what the per-line pass finds, and NUL can join a line's two samples
assert all(needle != "\n" and "\x00" not in needle for needles in _NEEDLES for needle in needles)


def _has_needles(bits: int, text: str) -> int:
    """Those of ``bits`` whose rule has a needle in ``text`` (``_samples`` lines joined by NUL, which no
    needle holds): a few substring tests per rule, for the few rules the database kept."""
    out = 0
    while bits:
        low = bits & -bits
        bits ^= low
        if any(map(text.__contains__, _NEEDLES[low.bit_length() - 1])):
            out |= low
    return out


_CSI_LINE = multipattern.CSI.engine_for(MAX_LINE_CHARS)
_CARET_LINE = multipattern.CARET.engine_for(MAX_LINE_CHARS)


def _strip_stamp(line: str) -> str:
    """The rest of ``clean`` for a line the database found no dirt in, once its CSI codes are gone (it is at
    most ``MAX_LINE_CHARS`` bytes, has no control byte and no other escape): its runner timestamp."""
    if line[:1] in _STAMP_START or "\t" in line:
        return _STAMP_LINE.sub("", line, count=1)
    return line


def _colour_free(raw: str, lower: str, dirty: bool) -> tuple[str, str]:
    """(the lowercased coloured line as ``Scanner.feed``'s second needle pass sees it: CSI codes removed, but
    a code opening the line kept behind a NUL; the line with every CSI code removed). One removal serves
    both when lowercasing cannot change what a CSI code is (an ASCII line)."""
    if dirty or len(raw) > MAX_LINE_CHARS or not raw.isascii():
        kept = lower.replace("\x1b", "\x00", 1) if lower[:1] == "\x1b" else lower
        return multipattern.CSI.sub("", kept), multipattern.CSI.sub("", raw)
    stripped = _CSI_LINE.sub("", raw)
    if raw[:1] != "\x1b":
        return stripped.lower(), stripped
    opening = _CSI_LINE.match(raw)
    if opening is None:  # an ESC that opens no CSI code: removal starts after it
        return "\x00" + stripped[1:].lower(), stripped
    return "\x00" + raw[1 : opening.end()].lower() + stripped.lower(), stripped


class ByteScanner(Scanner):
    """A ``Scanner`` fed raw byte chunks; its state and rule handling are the Scanner's own."""

    def __init__(self) -> None:
        super().__init__()
        self._raw: list[bytes] = []  # the chunk at hand, split
        # A line seen before gets the same rule and match (or none): what the steps below decide is a function
        # of its bytes alone, away from a chunk's edges. Logs repeat lines (stack frames, test tallies, retries):
        # about half the picked lines of the data sets' logs repeat one of the last SEEN_LINES picked.
        self._seen: dict[bytes, tuple[str, Rule, Match] | tuple[()]] = {}

    def feed_bytes(self, chunk: ByteChunk) -> None:
        data = chunk.data
        lines = data.split(b"\n")
        self._raw, self._first = lines, chunk.first
        found = multipattern.scan(data)
        dirty = found.dirty
        if max(map(len, lines)) > MAX_LINE_CHARS:  # cleaning cuts them (bytes >= characters): try every rule
            dirty.update(i for i, line in enumerate(lines) if len(line) > MAX_LINE_CHARS)
        # the first and the last coloured line: the per-line path's second needle pass joins coloured lines
        first_esc = data.find(b"\x1b")
        last_line = len(lines) - 1
        first_coloured = data.count(b"\n", 0, first_esc) if first_esc >= 0 else -1
        last_coloured = last_line - data.count(b"\n", data.rfind(b"\x1b")) if first_esc >= 0 else -1
        # lines whose needle samples depend on where they sit in the chunk: never answered from ``_seen``
        edges = {0, last_line, first_coloured, last_coloured}
        seen = self._seen
        if len(seen) >= SEEN_LINES:  # between chunks only: the lines of one stay known throughout it
            seen.clear()
        unfiltered = multipattern.UNFILTERED
        flags = found.flags
        order = sorted(flags.keys() | dirty)
        cleaned: dict[int, str] = {}
        if dirty:  # cleaning changes more than a timestamp there: the database looks at them cleaned
            cleaned = {
                index: clean(lines[index].decode("utf-8", "replace"))
                for index in order
                if index in dirty and (index in edges or lines[index] not in seen)
            }
            for index, bits in zip(cleaned, multipattern.scan_clean(list(cleaned.values())), strict=True):
                flags[index] = bits
            if not unfiltered:  # a dirty line no rule's pattern matches once cleaned: nothing to try
                order = [index for index in order if flags.get(index) or index not in cleaned]
        for index in order:
            key = lines[index]
            edge = index in edges
            if not edge:
                known = seen.get(key)
                if known is not None:
                    if known:
                        self._apply(chunk.first + index, *known)
                    continue
            raw = key.decode("utf-8", "replace")
            lower = raw.lower()
            sample = _samples(lower, index == 0, index == last_line)
            stripped = raw
            coloured = first_esc >= 0 and "\x1b" in raw
            if coloured:  # and again without CSI codes, among the coloured lines of the chunk
                colour_free, stripped = _colour_free(raw, lower, index in dirty)
                sample += "\x00" + _samples(colour_free, index == first_coloured, index == last_coloured)
            if "^[[" in raw and index not in dirty:  # colours in caret notation (and no ESC): as the scan did
                stripped = _CARET_LINE.sub("", raw)
            mask = _has_needles(flags.get(index, 0) | unfiltered, sample)
            result: tuple[str, Rule, Match] | tuple[()] = ()
            if mask:
                line = cleaned.get(index)
                if line is None:
                    line = _strip_stamp(stripped)
                result = self._filtered_line(line, mask, sample)
                if result:
                    self._apply(chunk.first + index, *result)
            if not edge and len(key) <= SEEN_MAX_BYTES:
                seen[key] = result
        self._raw = []
        self.total_lines = chunk.first + last_line

    @staticmethod
    def _filtered_line(line: str, mask: int, sample: str) -> tuple[str, Rule, Match] | tuple[()]:
        """``Scanner._line`` with the rules the database ruled out left out: (the cleaned ``line``, the rule,
        its match) or () when none applies. A generic rule ruled out cannot match, but the per-line path
        stops at the first generic rule its needles pick when the line is an excluded one: so does this,
        when such a rule comes before the one found."""
        found = _first_rule(line, mask)
        if found is None:
            return ()
        before = multipattern.GENERIC_MASK & ~mask & ((1 << _INDEX[id(found[0])]) - 1)
        if before and _has_needles(before, sample) and is_excluded(line):
            return ()
        return line, *found

    def _raw_line(self, number: int) -> str:
        if self._lines:  # fed a decoded chunk (``Scanner.feed``)
            return super()._raw_line(number)
        index = number - self._first
        return self._raw[index].decode("utf-8", "replace") if 0 <= index < len(self._raw) else ""

    def _peek(self, number: int) -> str | None:
        if self._lines:  # fed a decoded chunk (``Scanner.feed``)
            return super()._peek(number)
        index = number - self._first
        if 0 <= index < len(self._raw):
            return clean(self._raw[index].decode("utf-8", "replace"))
        return None
