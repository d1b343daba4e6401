"""The one-pass engine over bytes (``analysis.byte_scan`` + ``analysis.multipattern``) finds exactly what the
per-line path finds (``Scanner.feed`` on decoded chunks, ``engine.RAW_BYTES = False``): same failures, same
excerpt, same summary and line count, on the golden cases, the data sets' logs, the development corpus, and
those logs dressed the ways runners print them (timestamps, colours, CRLF, ``gh run view`` columns, control
bytes, invalid UTF-8, a BOM) and cut into small pieces so chunk edges fall everywhere.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis import engine, multipattern
from analysis.byte_patterns import translate
from analysis.rules import RULES
from benchmarks.corpus.split import part_of

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = sorted((ROOT / "tests" / "analysis" / "golden").glob("*.log"))
DATA = sorted((ROOT / "benchmarks" / "data").rglob("*.log"))
HELD_OUT = {"py-dates", "js-argv", "cpp-matrix", "go-ratelimit", "pl-csvlite", "rs-floorplan"}  # never read
CORPUS = ROOT / "benchmarks" / "corpus" / "logs"
DEV = sorted(
    path
    for project in sorted(CORPUS.iterdir())
    if project.is_dir() and project.name not in HELD_OUT and part_of(project.name) == "dev"
    for path in project.glob("*.log")
)


def _both(run: object) -> tuple[object, object]:
    assert callable(run)
    try:
        engine.RAW_BYTES = False
        reference = run()
        engine.RAW_BYTES = True
        fast = run()
    finally:
        engine.RAW_BYTES = True
    return reference, fast


def _same(data: bytes, pieces: int | None = None) -> None:
    if pieces is None:
        reference, fast = _both(lambda: engine.analyze_bytes(data))
    else:
        split = [data[i : i + pieces] for i in range(0, len(data), pieces)]
        reference, fast = _both(lambda: engine.analyze_stream(iter(split), byte_cap=len(data) * 3 + 10))
    assert fast == reference


@pytest.mark.parametrize("path", GOLDEN + DATA, ids=lambda p: str(p.relative_to(ROOT)))
def test_same_on_golden_cases_and_data_sets(path: Path) -> None:
    _same(path.read_bytes())


def test_the_development_corpus_is_there() -> None:
    assert len(DEV) > 100 and len(GOLDEN) > 50 and len(DATA) > 20


def test_same_on_the_development_corpus() -> None:
    different = []
    for path in DEV:
        data = path.read_bytes()
        reference, fast = _both(lambda data=data: engine.analyze_bytes(data))  # type: ignore[misc]
        if fast != reference:
            different.append(str(path.relative_to(ROOT)))
    assert not different


_STAMPED = "2026-11-24T10:00:{:02d}.{:07d}Z "
_WORDS = ("error", "Error", "FAIL", "failed", "at ", "File ", "panic", "E   ", "--- FAIL", "Traceback", "##[error]")


def _dress(text: str, rng: random.Random) -> Iterator[str]:
    """The log's lines as runners and terminals print them, a few ways at random."""
    for number, line in enumerate(text.splitlines()):
        style = rng.randrange(12)
        if style == 0:
            line = _STAMPED.format(number % 60, number) + line
        elif style == 1:  # colour codes, some inside the words rules look for
            for word in _WORDS:
                if word in line:
                    cut = rng.randrange(len(word) + 1)
                    line = line.replace(word, f"{word[:cut]}\x1b[1m{word[cut:]}\x1b[0m", 1)
            line = ("\x1b[31m" if rng.random() < 0.5 else "") + line
        elif style == 2:
            line = f"build\tRun tests\t{_STAMPED.format(1, number)}{line}"
        elif style == 3:
            line = line.replace(" ", " \x07", 1)
        elif style == 4:
            line = "[31m" + line + "[0m"
        elif style == 5:
            line = _STAMPED.format(2, number).rstrip() + line  # a timestamp run into the text
        elif style == 6:
            line = "\x1b]8;;https://example.com\x1b\\" + line + "\x1b]8;;\x1b\\"  # an OSC 8 hyperlink
        elif style == 7:
            line = line + " " + "x" * rng.choice((1990, 2100))
        elif style == 8:
            line = "\ufeff" + line
        yield line


def _dressed(path: Path, seed: int) -> bytes:
    rng = random.Random(seed)
    lines = list(_dress(path.read_bytes().decode("utf-8", "replace"), rng))
    out = bytearray(b"\xef\xbb\xbf" if seed % 2 else b"")
    for line in lines:
        out += line.encode("utf-8")
        if rng.random() < 0.05:
            out += b"\xff\xc3"  # invalid UTF-8
        out += rng.choice((b"\n", b"\n", b"\r\n", b"\r"))
    return bytes(out)


@pytest.mark.parametrize("seed", range(6))
def test_same_on_dressed_logs_cut_anywhere(seed: int) -> None:
    sources = GOLDEN[seed::6] + DATA[seed::12]
    for path in sources:
        data = _dressed(path, seed)
        _same(data)
        _same(data, pieces=997 + 131 * seed)  # many chunks: their first and last lines everywhere


def test_every_rule_is_in_the_database() -> None:
    """A rule added to the table joins the database (or is tried on every line its needles pick)."""
    assert multipattern.UNFILTERED == 0, [RULES[i].name for i in range(len(RULES)) if multipattern.UNFILTERED >> i & 1]


def test_a_translation_matches_a_superset() -> None:
    import hyperscan

    texts, caseless = translate(r"^\s*(?P<file>[^\s:]+\.py):(?P<line>\d+): (?P<msg>.+)$", 0, "#")
    db = hyperscan.Database()
    db.compile(
        expressions=[t.encode() for t in texts],
        ids=[0] * len(texts),
        elements=len(texts),
        flags=[hyperscan.HS_FLAG_MULTILINE] * len(texts),
    )
    found: list[int] = []
    db.scan("x\n#  src/é.py:12: boom\nsrc/a.py:x: no".encode(), match_event_handler=lambda *a: found.append(a[2]))
    assert found and not caseless
    assert all(end <= len("x\n#  src/é.py:12: boom".encode()) for end in found)
