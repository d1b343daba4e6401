"""Labeled CI logs, as benchmarks/data/README.md defines them: line numbers count ``\\r\\n``, ``\\r`` and ``\\n``
as line ends (universal newlines).

``logdx-dev`` and ``cidiff`` live in the repository (``benchmarks/data``); larger sets (``logchunks``) are read from
an external folder given by ``--datasets PATH`` or ``$CI_TRIAGE_DATASETS``, and skipped when it is absent.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "benchmarks" / "data"
ENV = "CI_TRIAGE_DATASETS"
# The folder (inside a data set's root) whose presence says the set is there.
MARKERS = {"logdx-dev": "logdx-dev", "cidiff": "cidiff/data/breakages", "logchunks": "logchunks/labels.jsonl"}


def external_dir(given: str | Path | None = None) -> Path | None:
    """The external data sets folder: ``given`` (a ``--datasets`` flag), else ``$CI_TRIAGE_DATASETS``."""
    chosen = given or os.environ.get(ENV)
    return Path(chosen) if chosen else None


def dataset_root(name: str, external: Path | None = None) -> Path | None:
    """The folder holding data set ``name`` (as ``<root>/<name>/...``): the external folder if it has it, else
    the repository's copy; None when neither has it."""
    for base in (external, BUNDLED):
        if base is not None and (base / MARKERS[name]).exists():
            return base
    return None


def skipped_note(name: str, external: Path | None) -> str:
    where = f"not in {external}" if external else f"set --datasets PATH or {ENV}"
    return f"{name}: skipped (external data set, {where})"


@dataclass(frozen=True)
class Case:
    dataset: str
    name: str
    path: Path
    items: tuple[tuple[tuple[int, int], ...], ...]  # each labeled item: its line ranges (1-based, inclusive)
    group: str = ""  # repository, for held-out splits
    tests: tuple[str, ...] = field(default=())  # failing test ids (logdx-dev)


def universal_text(data: bytes) -> str:
    return data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")


def logdx(base: Path) -> Iterator[Case]:
    for case_dir in sorted((base / "logdx-dev").iterdir()):
        truth = case_dir / "ground_truth.json"
        if not truth.is_file():
            continue
        data = json.loads(truth.read_text())
        items = tuple(
            tuple((int(a), int(b)) for a, b in signal["evidence_lines"])
            for signal in data["required_signals"]
            if signal.get("importance") == "critical"
        )
        yield Case(
            "logdx-dev",
            case_dir.name,
            case_dir / "raw.log",
            items,
            case_dir.name,
            tuple(data.get("relevant_tests", ())),
        )


def logchunks(base: Path) -> Iterator[Case]:
    root = base / "logchunks"
    with (root / "labels.jsonl").open() as rows:
        for raw in rows:
            row = json.loads(raw)
            path = root / row["log_path"]
            text = universal_text(path.read_bytes())
            pos = text.find(row["chunk"])
            if pos < 0:
                continue  # 4 chunks are not verbatim in their log; the README counts 793 items
            first = text.count("\n", 0, pos) + 1
            last = first + row["chunk"].count("\n")
            yield Case("logchunks", row["log_path"], path, (((first, last),),), row["repo"])


def cidiff(base: Path) -> Iterator[Case]:
    for case_dir in sorted((base / "cidiff" / "data" / "breakages").iterdir()):
        truth = case_dir / "groundtruth"
        if not truth.is_file():
            continue
        items = []
        for line in truth.read_text().splitlines()[1:]:
            if line.startswith("E "):
                a, _, b = line[2:].strip().partition("-")
                items.append(((int(a), int(b or a)),))
        yield Case("cidiff", case_dir.name, case_dir / "fail.log", tuple(items), case_dir.name)


LOADERS = {"logdx-dev": logdx, "logchunks": logchunks, "cidiff": cidiff}


def held_out(repo: str) -> bool:
    """A fixed fifth of logchunks repositories, never looked at while writing rules."""
    return hashlib.sha256(repo.encode()).digest()[0] % 5 == 0
