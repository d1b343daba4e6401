"""Where the extraction's CPU goes, stage by stage, on one log: ``python -m benchmarks extract -- --stages``.

Each stage is timed alone on the same chunks (``time.process_time``, one core, in a fresh process):

- ``chunks``: cutting the bytes into chunks of lines (``analysis.byte_scan.byte_chunks_of``) and splitting them;
- ``candidates``: the candidate search, ``analysis.multipattern.scan`` on every chunk (colour codes removed,
  the Hyperscan database, its reports turned into lines and rule bits);
- ``hyperscan``: the database's own scan of the same chunks, colour codes already removed, no callback: what
  the C engine costs, the part no Python change can shrink;
- ``whole``: the whole analysis (``analysis.engine.analyze_bytes``).

``whole - chunks - candidates`` is the Python that reads the lines the database picked (decoding, cleaning,
the rules' own regexes, the scanner's state); ``bound`` is the throughput if every byte-level step but
Hyperscan's scan cost nothing: what the design can reach while that per-line Python stays.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from analysis.scanner import Scanner


@dataclass(frozen=True)
class Stages:
    megabytes: float
    lines: int
    matched_lines: int  # lines a rule matched (each handed to the scanner's state machine)
    chunks_s: float
    candidates_s: float
    hyperscan_s: float
    whole_s: float

    @property
    def per_line_s(self) -> float:
        return max(0.0, self.whole_s - self.chunks_s - self.candidates_s)

    @property
    def bound_mb_s(self) -> float:
        return self.megabytes / max(1e-9, self.hyperscan_s + self.per_line_s)


def measure(data: bytes) -> Stages:
    """The stages on ``data`` (in this process: call it from a fresh one for figures that count)."""
    from analysis import multipattern
    from analysis.byte_scan import ByteScanner, byte_chunks_of
    from analysis.engine import analyze_bytes

    started = time.process_time()
    chunks = list(byte_chunks_of(data))
    lines = sum(len(chunk.data.split(b"\n")) for chunk in chunks)
    chunks_s = time.process_time() - started

    started = time.process_time()
    for chunk in chunks:
        multipattern.scan(chunk.data)
    candidates_s = time.process_time() - started

    stripped = [multipattern.colour_free(chunk.data)[0] for chunk in chunks]
    started = time.process_time()
    for piece in stripped:
        multipattern.engine_only(piece)
    hyperscan_s = time.process_time() - started

    started = time.process_time()
    analyze_bytes(data, byte_cap=4 * len(data) + 1)
    whole_s = time.process_time() - started

    def feed(scanner: ByteScanner) -> None:
        for chunk in chunks:
            scanner.feed_bytes(chunk)

    matched = matched_lines(ByteScanner, feed)
    return Stages(len(data) / 1e6, lines, matched, chunks_s, candidates_s, hyperscan_s, whole_s)


S = TypeVar("S", bound="Scanner")


def matched_lines(base: type[S], feed: Callable[[S], None]) -> int:
    """How many lines a rule matched (each one ``_apply`` gets) while ``feed`` feeds a ``base`` scanner."""
    count = 0

    class Counting(base):  # type: ignore[valid-type,misc]
        def _apply(self, *args: object) -> None:
            nonlocal count
            count += 1
            super()._apply(*args)

    feed(Counting())
    return count


def report(stages: Stages, goal_mb_s: float) -> str:
    mb = stages.megabytes
    rows = [
        ("chunks (cut, split)", stages.chunks_s),
        ("candidates (multipattern.scan)", stages.candidates_s),
        ("  of which Hyperscan's scan", stages.hyperscan_s),
        ("per matched line (Python)", stages.per_line_s),
        ("whole analysis", stages.whole_s),
    ]
    out = [
        f"stages on {mb:.0f} MB, {stages.lines} lines, {stages.matched_lines} matched by a rule "
        f"({100 * stages.matched_lines / max(1, stages.lines):.1f} %):"
    ]
    out += [f"  {name:<32} {seconds:>6.2f} s cpu  {mb / max(seconds, 1e-9):>8.1f} MB/s" for name, seconds in rows]
    per_line_us = 1e6 * stages.per_line_s / max(1, stages.matched_lines)
    out.append(f"  per matched line: {per_line_us:.1f} µs of Python")
    verdict = "within" if stages.bound_mb_s >= goal_mb_s else "below"
    out.append(
        f"  bound with every byte-level step but Hyperscan free: {stages.bound_mb_s:.1f} MB/s "
        f"({verdict} the goal of {goal_mb_s:.0f} MB/s)"
    )
    return "\n".join(out)


def main(argv: list[str]) -> int:
    """Child entry: ``python -m benchmarks.extract_stages LOG`` prints the stages as JSON."""
    data = Path(argv[0]).read_bytes()
    print(json.dumps(asdict(measure(data))))
    return 0


def from_json(text: str) -> Stages:
    return Stages(**json.loads(text))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
