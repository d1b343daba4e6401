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
        elif style in (9, 10):  # colours in caret notation (pytest-xdist through some runners), with an ESC too
            for word in _WORDS:
                line = line.replace(word, f"^[[1m{word}^[[0m", 1)
            line = f"^[[32m{line}" if style == 9 else f"^[[33m\x1b[1m{line}\x1b[0m"
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


_TALLIES = (
    "[INFO] Tests run: 12, Failures: 0, Errors: 0, Skipped: 1, Time elapsed: 0.5 s - in org.example.FooTest",
    "Tests run: 3, Failures: 0, Errors: 2, Skipped: 0",
    "Tests run: 3, Failures: 2, Errors: 0, Skipped: 0",
    "errors=0 failures=1",
    "failures: 0 then ERROR: disk full",
    "error: 0.5 s",
    "ERRORS: 0",
    "2026-11-24T10:00:00.0000000Z Failed: 0",
    "2026-11-24T10:00:00.0000000ZFailures: 0",
    "\x1b[32mTests run: 4, Failures: 0\x1b[0m, Errors: 0",
    "^[[32mTests run: 4, Failures: 0^[[0m, Errors: 0",
    "Tests run: 4, Failures: 0, Errors: 0 \x07 error",
    "build\tRun tests\t2026-11-24T10:00:00.0000000Z Failures: 0, Errors: 0",
    "[ERROR] Tests run: 4, Failures: 0, Errors: 0",
    "FAILED: 0",
    "failed=0.",
    "Error: failures=0",
)


def test_tallies_of_zero_decided_in_the_database_as_per_line() -> None:
    """Lines with a zero tally and no non-zero one, which only fallbacks may match, never leave the database;
    any other tally line is tried as before: both paths agree on each, among other lines and alone."""
    lines = [f"{tally}{suffix}" for tally in _TALLIES for suffix in ("", " failed", ", Errors: 1")]
    for line in lines:
        _same(f"step\n{line}\nnext\n".encode())
    _same(("\n".join(lines) + "\n").encode() * 3)
    assert multipattern.scan(_TALLIES[0].encode()).flags == {}
    assert multipattern.scan(_TALLIES[1].encode()).flags != {}


def test_caret_notation_colours_are_not_dirt() -> None:
    """``^[[32m`` codes go before the scan like CSI codes; a line with both kinds is left dirty (cleaned first)."""
    assert multipattern.scan(b"^[[32mPASSED^[[0m tests/test_x.py::test_a").dirty == set()
    assert multipattern.scan(b"ok\n^[[31m\x1b[1mFAILED^[[0m x\nok").dirty == {1}
    for line in ("^[[31mFAILED^[[0m tests/test_x.py::test_a - assert 1 == 2", "^\x1b[0m[[31mError: x", "^[^[[0m[31m"):
        _same(f"{line}\n\x1b[1m{line}\n".encode())
