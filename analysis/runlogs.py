"""Zips: GitHub's run-logs archive, or an artifact of JUnit XML reports.

Run-logs layout (``logs_download.zip_layout`` in the GitHub facts): a top-level ``<n>_<job>.txt`` per job
(the ordinal ``n`` may be negative on legacy runs) and a folder ``<job>/`` with ``<n>_<step>.txt`` per step,
the same lines again. Job files are analysed when present (one pass per job); step files only when a zip
has no job files. Members are read one at a time; a member larger than the byte cap is streamed up to the cap.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace

from .engine import analyze_bytes, analyze_lines, looks_like_junit, summarize
from .junit import JUnitError, analyze_junit
from .types import Analysis, Failure, LineRange

MAX_MEMBERS = 2000
_ORDINAL = re.compile(r"^-?\d+_")


def _job_name(member: str) -> tuple[str, str | None]:
    """(job, step) from ``3_build.txt`` or ``build/3_Run tests.txt``."""
    parts = member.split("/")
    stem = parts[-1].removesuffix(".txt")
    if len(parts) == 1:
        return _ORDINAL.sub("", stem), None
    return parts[-2], _ORDINAL.sub("", stem)


def analyze_archive(data: bytes, *, budget: int, byte_cap: int) -> Analysis:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ValueError(f"not a readable zip archive: {exc}") from None
    infos = [
        i
        for i in archive.infolist()
        if not i.is_dir()
        and not i.filename.startswith("__MACOSX/")
        and not i.filename.rsplit("/", 1)[-1].startswith(".")
    ][:MAX_MEMBERS]
    jobs = [i for i in infos if "/" not in i.filename and i.filename.endswith(".txt")]
    steps = [i for i in infos if "/" in i.filename and i.filename.endswith(".txt")]
    xmls = [i for i in infos if i.filename.endswith(".xml")]
    chosen = jobs or steps
    results: list[tuple[str, Analysis]] = []
    truncated = False
    for info in chosen:
        job, step = _job_name(info.filename)
        if info.file_size <= byte_cap:
            result = analyze_bytes(archive.read(info), budget=budget, byte_cap=byte_cap)
        else:
            with archive.open(info) as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")
                result = analyze_lines(text, budget=budget, byte_cap=byte_cap)
        truncated |= result.truncated
        failures = tuple(
            replace(f, member=info.filename, job=job, step=f.step if step is None else step) for f in result.failures
        )
        results.append((info.filename, replace(result, failures=failures)))
    for info in xmls:
        payload = archive.read(info)
        if not looks_like_junit(payload):
            continue
        try:
            result = analyze_junit(payload, budget=budget)
        except JUnitError:
            continue
        failures = tuple(replace(f, member=info.filename) for f in result.failures)
        results.append((info.filename, replace(result, failures=failures)))
    if not results:
        raise ValueError("the zip holds neither job logs (.txt) nor JUnit reports (.xml)")
    member_excerpts = _share_budget(results, budget)
    failures_all: list[Failure] = [f for _, r in results for f in r.failures]
    # a job's generic fallback says little when another job has a real failure
    if any(f.tool != "generic" for f in failures_all):
        failures_all = [f for f in failures_all if f.tool != "generic"]
    return Analysis(
        failures=tuple(failures_all),
        excerpt=(),
        summary=summarize(failures_all, truncated=truncated),
        total_lines=sum(r.total_lines for _, r in results),
        truncated=truncated,
        member_excerpts=member_excerpts,
    )


def _share_budget(results: list[tuple[str, Analysis]], budget: int) -> tuple[tuple[str, tuple[LineRange, ...]], ...]:
    """Round-robin over the members' ranked ranges (members with failures first) until the budget is spent."""
    order = sorted(results, key=lambda item: (not item[1].failures, item[0]))
    order = [item for item in order if item[1].failures] or order[:1]
    queues = [(name, list(analysis.excerpt)) for name, analysis in order]
    taken: dict[str, list[LineRange]] = {name: [] for name, _ in queues}
    left = budget
    while left > 0 and any(q for _, q in queues):
        for name, queue in queues:
            if not queue or left <= 0:
                continue
            rng = queue.pop(0)
            if len(rng) > left:
                rng = LineRange(rng.start, rng.start + left - 1)
            taken[name].append(rng)
            left -= len(rng)
    return tuple((name, tuple(ranges)) for name, ranges in taken.items() if ranges)
