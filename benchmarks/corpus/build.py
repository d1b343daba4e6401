"""Regenerate the corpus: run every ecosystem's generator, render each case as a job log, write the truth.

``python -m benchmarks.corpus.build [--only ECOSYSTEM ...] [--workdir DIR] [--keep-going] [--add-missing]``

Each module in ``benchmarks/corpus/ecosystems/`` exposes ``cases(workdir, rng)`` (see ``model.py``). For every
case this writes ``logs/<project>/<case>.log`` (the job log, BOM and all) and ``logs/<project>/<case>.json``
(the truth, schema in README.md), and ``logs/<project>/project.json`` (the project's files and ecosystem).
The projects an ecosystem yields are replaced whole; with ``--add-missing`` only the cases not committed yet
are made and written, every committed file stays byte-identical (see ``additive.py``). Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import pkgutil
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from . import additive, ecosystems
from .gha_log import EvidenceNotFound, RenderedLog, locate, render, workspace_for
from .model import RawCase, TruthFailure

HERE = Path(__file__).resolve().parent
LOGS = HERE / "logs"
SCHEMA = 1


def ecosystem_names() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(ecosystems.__path__) if not m.name.startswith("_"))


def truth_document(case: RawCase, rendered: RenderedLog, failures: Sequence[TruthFailure]) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "project": case.project,
        "case": case.case,
        "ecosystem": case.ecosystem,
        "job_name": case.job_name,
        "variant": case.variant,
        "hard_negative": case.hard_negative,
        "negative_of": case.negative_of,
        "runner_os": case.runner_os,
        "repo": case.repo or case.project,
        "workspace": workspace_for(case),
        "log_lines": len(rendered.lines),
        "steps": [{"command": s.command, "exit_code": s.exit_code} for s in case.steps],
        "failures": [_failure(f, rendered) for f in failures],
    }


def _failure(failure: TruthFailure, rendered: RenderedLog) -> dict[str, Any]:
    document = dataclasses.asdict(failure)
    document["evidence_text"] = [rendered.mapper(t) for t in failure.evidence_text]
    document["message"] = rendered.mapper(failure.message) if failure.message else failure.message
    return document


def write_case(case: RawCase, workdir: Path, out: Path) -> None:
    rendered = render(case, str(workdir))
    failures = [dataclasses.replace(f, evidence_lines=tuple(locate(rendered, f.evidence_text))) for f in case.failures]
    project_dir = out / case.project
    project_dir.mkdir(parents=True, exist_ok=True)
    (project_dir / f"{case.case}.log").write_bytes(rendered.encoded())
    document = truth_document(case, rendered, failures)
    (project_dir / f"{case.case}.json").write_text(json.dumps(document, indent=1, sort_keys=False) + "\n")


def write_project(case: RawCase, out: Path) -> None:
    document = {"project": case.project, "ecosystem": case.ecosystem, "files": sorted(case.project_files)}
    (out / case.project / "project.json").write_text(json.dumps(document, indent=1) + "\n")


def _check(case: RawCase) -> None:
    if not case.project_files:
        raise ValueError(f"{case.project}/{case.case}: no project_files")
    files = set(case.project_files)
    for f in case.failures:
        if f.fault_file and f.fault_file not in files:
            raise ValueError(f"{case.project}/{case.case}: fault file {f.fault_file} not in the project's files")
    if case.variant == "negative" and (case.hard_negative is None or case.negative_of is None):
        raise ValueError(f"{case.project}/{case.case}: a negative needs hard_negative and negative_of")


def generate(name: str, workdir: Path) -> Iterator[RawCase]:
    module = importlib.import_module(f"{ecosystems.__name__}.{name}")
    rng = random.Random(f"corpus/{name}")  # seeded by the ecosystem's name: the same build every time
    target = workdir / name
    target.mkdir(parents=True, exist_ok=True)
    yield from module.cases(target, rng)


def committed(out: Path) -> set[tuple[str, str]]:
    """The ``(project, case)`` pairs with a log and a truth file under ``out``."""
    return {(log.parent.name, log.stem) for log in out.glob("*/*.log") if log.with_suffix(".json").exists()}


def build(names: Sequence[str], workdir: Path, out: Path, *, keep_going: bool, add_missing: bool = False) -> int:
    failed = 0
    additive.skip_committed(committed(out) if add_missing else None)
    for name in names:
        started, count = time.monotonic(), 0
        seen: set[str] = set()
        cases_in = workdir / name
        try:
            for case in generate(name, workdir):
                if case.project not in seen:
                    seen.add(case.project)
                    if not add_missing:
                        shutil.rmtree(out / case.project, ignore_errors=True)
                try:
                    _check(case)
                    write_case(case, cases_in, out)
                    write_project(case, out)
                except (ValueError, EvidenceNotFound) as exc:
                    failed += 1
                    print(f"  ! {case.project}/{case.case}: {exc}", file=sys.stderr)
                    if not keep_going:
                        raise
                    continue
                count += 1
                print(f"  {name}: {case.project}/{case.case} ({case.variant})", file=sys.stderr)
        except Exception as exc:
            if not keep_going:
                raise
            failed += 1
            print(f"! {name}: generator failed: {exc!r}", file=sys.stderr)
        print(f"{name}: {count} logs, {len(seen)} projects in {time.monotonic() - started:.0f}s", file=sys.stderr)
    return failed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.corpus.build", description=__doc__)
    parser.add_argument("--only", action="append", choices=ecosystem_names(), help="default: every ecosystem")
    parser.add_argument("--workdir", type=Path, help="where projects are written and run (default: a temp dir)")
    parser.add_argument("--out", type=Path, default=LOGS, help=f"default: {LOGS}")
    parser.add_argument("--keep-going", action="store_true", help="skip a case or ecosystem that fails")
    parser.add_argument("--add-missing", action="store_true",
                        help="make only the cases not committed yet; leave committed logs byte-identical")
    args = parser.parse_args(argv)
    names = args.only or ecosystem_names()
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        return 1 if build(names, args.workdir.resolve(), args.out, keep_going=args.keep_going,
                          add_missing=args.add_missing) else 0
    with tempfile.TemporaryDirectory(prefix="ci-triage-corpus-") as tmp:
        return 1 if build(names, Path(tmp), args.out, keep_going=args.keep_going, add_missing=args.add_missing) else 0


if __name__ == "__main__":
    raise SystemExit(main())
