"""Zips: GitHub's run-logs archive, or an artifact of JUnit XML reports.

Run-logs layout (``logs_download.zip_layout`` in the GitHub facts): a top-level ``<n>_<job>.txt`` per job
(the ordinal ``n`` may be negative on legacy runs) and a folder ``<job>/`` with ``<n>_<step>.txt`` per step,
the same lines again. Job files are analysed when present (one pass per job); step files only when a zip
has no job files. Members are read one at a time; a member larger than the byte cap is streamed up to the cap.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import replace
from typing import IO

from .engine import DEFAULT_BUDGET, DEFAULT_BYTE_CAP, analyze_bytes, analyze_stream
from .junit import JUnitError, analyze_junit, looks_like_junit
from .regex import compile_linear
from .summary import summarize
from .types import Analysis, Failure, LineRange

MAX_MEMBERS = 2000
TOTAL_CAP_FACTOR = 4  # all members together are read up to this many byte caps (zip bombs: bounded time)
_ORDINAL = compile_linear(r"^-?\d+_")


def _job_name(member: str) -> tuple[str, str | None]:
    """(job, step) from ``3_build.txt`` or ``build/3_Run tests.txt``."""
    parts = member.split("/")
    stem = parts[-1].removesuffix(".txt")
    if len(parts) == 1:
        return _ORDINAL.sub("", stem), None
    return parts[-2], _ORDINAL.sub("", stem)


def analyze_zip(data: bytes, *, budget: int = DEFAULT_BUDGET, byte_cap: int = DEFAULT_BYTE_CAP) -> Analysis:
    """A run-logs zip (one ``<n>_<job>.txt`` per job, ``<job>/<n>_<step>.txt`` per step) or an artifact zip
    of JUnit XML files. Failures name their member and job; the members that failed share the budget."""
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
    left = byte_cap * TOTAL_CAP_FACTOR
    for info in chosen:
        job, step = _job_name(info.filename)
        if left <= 0:
            truncated = True  # the zip's total is over the cap: later members are not read
            break
        try:
            if info.file_size <= min(byte_cap, left):
                result = analyze_bytes(_read_capped(archive, info, byte_cap), budget=budget, byte_cap=byte_cap)
            else:
                with archive.open(info) as raw:  # 1 MB reads up to the cap, even when no line ever ends
                    cap = min(byte_cap, left)
                    result = analyze_stream(_pieces(raw, cap), budget=budget, byte_cap=cap)
                    truncated |= bool(raw.read(1))
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
            truncated = True  # a damaged, lying or encrypted member is skipped, the rest still analysed
            continue
        left -= min(info.file_size, byte_cap)
        truncated |= result.truncated
        failures = tuple(
            replace(f, member=info.filename, job=job, step=f.step if step is None else step) for f in result.failures
        )
        results.append((info.filename, replace(result, failures=failures)))
    for info in xmls:
        if info.file_size > min(byte_cap, left):
            truncated = True
            continue
        try:
            payload = _read_capped(archive, info, byte_cap)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
            truncated = True
            continue
        left -= len(payload)
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


def _pieces(raw: IO[bytes], cap: int) -> Iterator[bytes]:
    while cap > 0 and (piece := raw.read(min(cap, 1 << 20))):
        cap -= len(piece)
        yield piece


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    """The member, refusing one that inflates past ``cap`` whatever its header declares."""
    with archive.open(info) as raw:
        data = raw.read(cap + 1)
    if len(data) > cap:
        raise zipfile.BadZipFile(f"{info.filename} is larger than its declared size")
    return data


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
