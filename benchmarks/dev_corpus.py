"""Development corpus for matching quality: real tool output, re-run with what changes between runs.

Sources are real failing CI logs from ``benchmarks/data`` (LogDx-CI dev: pytest, jest, cargo, mypy, eslint,
docker buildx, pip; CiDiff: Maven/Gradle/JUnit on Jenkins and GitHub Actions). Each source is one fault. A
*re-run* of a source keeps the fault and changes what a new run changes: timestamps (shifted), durations
(rescaled), temp paths, hex ids and PIDs (new random values), line numbers in ``file:line`` references
(shifted by a few lines, as after an unrelated edit above), and progress lines (some dropped). *Hard negatives*
are the other sources: several share a tool (two pytest logs, two jest logs, ~30 Maven/JUnit logs) but not the
fault.

A few CiDiff sources fail in the same way in different projects (the same JDK class-version error, the same
git clone error on the same Jenkins): they form one group (``SHARED_FAULTS``), decided by reading the logs.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from .datasets import BUNDLED

DATASETS = BUNDLED

# Sources that fail the same way (read from the logs' error lines): one group each.
SHARED_FAULTS = {
    # java.lang.UnsupportedClassVersionError: spoon/processing/ProcessorProperties (the spoon maven plugin)
    **dict.fromkeys(["cidiff/disklrucache_2210", "cidiff/jodatime_1837"], "spoon-plugin-class-version"),
    # spoon-maven-plugin:generate dies with "No space left on device" (the same Jenkins, days apart). Other
    # logs of that disk-full period fail in other steps (checkout, compile, test reports): not grouped.
    **dict.fromkeys(
        ["cidiff/googleguice_2121", "cidiff/jodatime_2082", "cidiff/guava_2087"], "jenkins-disk-full-spoon"
    ),
    # "ERROR: Error cloning remote repo 'origin'" on the same Jenkins
    **dict.fromkeys(["cidiff/assertfixer_1320", "cidiff/spork_441"], "jenkins-git-clone"),
}

# Same root cause, different symptom ("cannot access spoon.X" for different X, all from "class file has wrong
# version 55.0, should be 52.0"): whether they are one pattern is a matter of taste, so pairs *across* these
# sources are not scored either way (re-runs of each one still are).
AMBIGUOUS = {
    "cidiff/casper_1774",
    "cidiff/cocospoon_1754",
    "cidiff/jperturb_1634",
    "cidiff/metamutator_1765",
    "cidiff/nopol_1347",
    "cidiff/google_auto_693",
}


@dataclass(frozen=True)
class Source:
    name: str  # e.g. logdx/pytest-pandas-001, cidiff/guava_1947
    path: Path

    @property
    def group(self) -> str:
        return SHARED_FAULTS.get(self.name, self.name)


def sources(root: Path = DATASETS) -> list[Source]:
    found = [Source(f"logdx/{p.parent.name}", p) for p in sorted((root / "logdx-dev").glob("*/raw.log"))]
    found += [Source(f"cidiff/{p.parent.name}", p) for p in sorted((root / "cidiff/data/breakages").glob("*/fail.log"))]
    return found


_ISO = re.compile(r"\b(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?(Z?)")
_CLOCK = re.compile(r"(?<![\d:.])(\d\d):(\d\d):(\d\d)(?![\d:])")
_DURATION = re.compile(r"\b(\d+(?:\.\d+)?)(\s?)(ms|s|sec|secs|seconds|m|min)\b")
_TMP = re.compile(r"(/tmp/|/var/folders/[\w]+/[\w]+/T/)([\w.-]+)")
_HEX = re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}\b")
_PID = re.compile(r"\b(pid|PID|process|thread)([ =:#]+)(\d+)\b")
# Possessive and anchored at a token start: a 190k-character line of dots must not backtrack quadratically.
_FILE_LINE = re.compile(r"(?<![\w/.-])([\w/.-]++)(:|\(|:\[| line |, line )(\d+)")
_SOURCE_FILE = re.compile(r"\.(py|java|js|jsx|ts|tsx|rs|go|rb|scala|kt|c|cc|cpp|h|php|cs|swift|erl|ex|exs|hs)$")
_PROGRESS = re.compile(r"(Download|Progress|Downloaded|Downloading|Receiving objects|Resolving deltas|\d+%)")


def rerun(text: str, rng: random.Random) -> str:
    """The same fault on another run."""
    shift = timedelta(days=rng.randint(1, 40), seconds=rng.randint(0, 86_000))

    def iso(m: re.Match[str]) -> str:
        try:
            when = datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}") + shift
        except ValueError:  # not a real timestamp (a version string, say): leave it
            return m.group(0)
        frac = m.group(3)
        if frac:
            frac = "." + "".join(rng.choice("0123456789") for _ in range(len(frac) - 1))
        return when.strftime("%Y-%m-%dT%H:%M:%S") + (frac or "") + m.group(4)

    def clock(m: re.Match[str]) -> str:
        seconds = (int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3)) + shift.seconds) % 86_400
        return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"

    def duration(m: re.Match[str]) -> str:
        value = float(m.group(1)) * rng.uniform(0.5, 2.0)
        digits = len(m.group(1).split(".")[1]) if "." in m.group(1) else 0
        return f"{value:.{digits}f}{m.group(2)}{m.group(3)}"

    renamed: dict[str, str] = {}

    def tmp(m: re.Match[str]) -> str:
        name = renamed.setdefault(
            m.group(2),
            "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789_") for _ in range(max(6, len(m.group(2))))),
        )
        return m.group(1) + name

    def hexid(m: re.Match[str]) -> str:
        return renamed.setdefault(m.group(0), "".join(rng.choice("0123456789abcdef") for _ in m.group(0)))

    offsets: dict[str, int] = {}

    def file_line(m: re.Match[str]) -> str:
        if not _SOURCE_FILE.search(m.group(1)):
            return m.group(0)
        offset = offsets.setdefault(m.group(1), rng.choice([0, 0, 1, 2, 3, -1, 5, 8]))
        return f"{m.group(1)}{m.group(2)}{max(1, int(m.group(3)) + offset)}"

    out = []
    for line in text.splitlines(keepends=True):
        if _PROGRESS.search(line) and rng.random() < 0.3:
            continue  # progress output differs from run to run
        line = _ISO.sub(iso, line)
        line = _CLOCK.sub(clock, line)
        line = _DURATION.sub(duration, line)
        line = _TMP.sub(tmp, line)
        line = _HEX.sub(hexid, line)
        line = _PID.sub(lambda m: f"{m.group(1)}{m.group(2)}{rng.randint(100, 99999)}", line)
        line = _FILE_LINE.sub(file_line, line)
        out.append(line)
    return "".join(out)


@dataclass(frozen=True)
class CorpusLog:
    path: Path
    source: str
    group: str
    rerun: int  # 0: the original log


def build(out_dir: Path, *, reruns: int = 3, seed: int = 1, root: Path = DATASETS) -> list[CorpusLog]:
    """Write originals and re-runs to ``out_dir``; returns them in a shuffled (replay) order."""
    rng = random.Random(seed)
    logs: list[CorpusLog] = []
    out_dir.mkdir(parents=True, exist_ok=True)
    for source in sources(root):
        text = source.path.read_bytes().decode("utf-8", "replace")
        for k in range(reruns + 1):
            path = out_dir / f"{source.name.replace('/', '__')}__run{k}.log"
            path.write_text(text if k == 0 else rerun(text, rng), encoding="utf-8")
            logs.append(CorpusLog(path, source.name, source.group, k))
    rng.shuffle(logs)
    return logs
