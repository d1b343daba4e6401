"""The benchmark's stage breakdown (``benchmarks.extract_stages``) counts what it says it counts: its matched
lines are the lines the per-line reference path hands to the scanner's state machine, on a real log."""

from __future__ import annotations

from pathlib import Path

from analysis.lines import chunks_from_bytes, count_lines_bytes
from analysis.scanner import Scanner
from benchmarks.extract_stages import Stages, from_json, matched_lines, measure, report

GOLDEN = Path(__file__).resolve().parent / "golden"


def _reference_matched(data: bytes) -> int:
    def feed(scanner: Scanner) -> None:
        for chunk in chunks_from_bytes(data):
            scanner.feed(chunk)

    return matched_lines(Scanner, feed)


def test_stages_count_the_lines_the_rules_match() -> None:
    data = b"".join(path.read_bytes() + b"\n" for path in sorted(GOLDEN.glob("*.log")))
    stages = measure(data)
    assert stages.lines == count_lines_bytes(data)
    assert stages.matched_lines == _reference_matched(data) > 100
    assert min(stages.chunks_s, stages.candidates_s, stages.hyperscan_s, stages.whole_s) >= 0


def test_the_bound_leaves_out_every_byte_level_step_but_hyperscan() -> None:
    stages = Stages(100.0, 10, 4, chunks_s=0.5, candidates_s=1.0, hyperscan_s=0.4, whole_s=2.5)
    assert stages.per_line_s == 1.0
    assert round(stages.bound_mb_s, 3) == round(100 / 1.4, 3)
    text = report(stages, 100.0)
    assert "4 matched by a rule (40.0 %)" in text and "below the goal of 100 MB/s" in text
    assert (
        from_json(
            '{"megabytes": 1, "lines": 1, "matched_lines": 0, "chunks_s": 0, "candidates_s": 0,'
            ' "hyperscan_s": 0, "whole_s": 0}'
        ).matched_lines
        == 0
    )
