"""The triage's work on one job log, run in a limited child process (``githubapp.analysis_pool``).

A job log (up to 64 MiB) comes in as a file the fetch stage streamed to disk; out come the findings: the
Analysis, the failures located and excerpted, the lines that reports and fix suggestions quote (a
``SparseLines``, not the log) and the rule-based fix proposals. So the worker's memory holds excerpts, not
logs, and the log's text lives only in the child for as long as it is read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from analysis.attribution import TestCounts, summary_counts
from analysis.engine import analyze_bytes
from analysis.fixes.rules import rule_proposals
from analysis.fixes.types import Proposal
from analysis.runlogs import analyze_zip
from analysis.signature import diff_range
from analysis.sparse_lines import SparseLines
from analysis.types import Analysis, Failure

from .assemble import excerpt_lines
from .config import RepoConfig
from .fetch import JobInfo
from .locate import section, with_location
from .source import SourceSites

QUOTED_TAIL_LINES = 150  # a fix suggestion's excerpt falls back on the log's end


@dataclass
class JobFindings:
    job: JobInfo
    failures: list[Failure] = field(default_factory=list)
    excerpts: list[tuple[str, ...]] = field(default_factory=list)
    problem: str | None = None
    truncated: bool = False
    analysis: Analysis | None = None
    text: SparseLines | str = ""  # the lines quoted by reports and fix suggestions, at their numbers
    proposals: tuple[Proposal, ...] | None = None  # the fix rules' proposals, when they ran with the analysis
    counts: TestCounts | None = None  # the job's test totals, when its log printed them (mass failures)
    sites: SourceSites = field(default_factory=SourceSites)  # failure index -> its symbol and line from the source


def log_lines(data: bytes | str) -> list[str]:
    """The log's lines as the extraction numbers them (``\\r\\n``, ``\\r`` and ``\\n`` each end one)."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def analyze_job_file(
    job: JobInfo,
    path: str,
    *,
    budget: int,
    byte_cap: int,
    config: RepoConfig,
    repo_name: str | None = None,
    fix_rules: bool = False,
) -> JobFindings:
    """``analyze_job_log`` of a log on disk (the child's entry point: a path is all that is sent to it)."""
    return analyze_job_log(
        job,
        Path(path).read_bytes(),
        budget=budget,
        byte_cap=byte_cap,
        config=config,
        repo_name=repo_name,
        fix_rules=fix_rules,
    )


def analyze_job_log(
    job: JobInfo,
    data: bytes,
    *,
    budget: int,
    byte_cap: int,
    config: RepoConfig,
    repo_name: str | None = None,
    fix_rules: bool = False,
) -> JobFindings:
    """CPU-bound: run in a child process. Failures get their job name; ignored steps are dropped. With
    ``fix_rules`` the fix rules read the log here too, so it is read once and never leaves the child."""
    analysis: Analysis = analyze_bytes(data, budget=budget, byte_cap=byte_cap)
    text = data.decode("utf-8", "replace")
    del data
    lines = log_lines(text)
    findings = JobFindings(job, analysis=analysis, counts=summary_counts(lines))
    for failure in analysis.failures:
        if failure.step and config.ignore.step(failure.step):
            continue
        found = section(lines, failure)
        located = with_location(lines, failure, repo_name=repo_name, found=found)
        findings.failures.append(replace(located, job=failure.job or job.name))
        # a snapshot or assertion diff under a one-line message: what a reader and the signature need
        around = found.lines if found else diff_range(lines, failure)
        findings.excerpts.append(excerpt_lines(lines, failure, analysis, around=around))
    findings.text = SparseLines.keep(lines, _quoted(analysis, len(lines)))
    del lines
    if fix_rules and analysis.failures:
        findings.proposals = tuple(rule_proposals(text, fingerprint=analysis.failures[0].fingerprint or None))
    return findings


def _quoted(analysis: Analysis, total: int) -> Iterable[int]:
    """0-based indexes of the lines reports and fix suggestions quote: the excerpt, every failure's evidence
    and the log's end."""
    spans = [*analysis.excerpt, *(span for f in analysis.failures for span in f.evidence)]
    for span in spans:
        yield from range(span.start - 1, span.end)
    yield from range(max(0, total - QUOTED_TAIL_LINES), total)


def analyze_run_zip(
    jobs: Sequence[JobInfo], data: bytes, *, budget: int, byte_cap: int, config: RepoConfig
) -> list[JobFindings]:
    """The run-logs zip fallback: failures are attributed to jobs by the zip member they came from."""
    analysis: Analysis = analyze_zip(data, budget=budget, byte_cap=byte_cap)
    by_job = {job.name: JobFindings(job) for job in jobs}
    for failure in analysis.failures:
        job_name = _job_of_member(failure.member or "", [j.name for j in jobs]) or failure.job
        if job_name not in by_job or (failure.step and config.ignore.step(failure.step)):
            continue
        by_job[job_name].failures.append(replace(failure, job=job_name))
        by_job[job_name].excerpts.append(())
    return list(by_job.values())


def _job_of_member(member: str, names: Sequence[str]) -> str | None:
    """Zip members are ``<n>_<job>.txt`` or ``<job>/<n>_<step>.txt`` (names sanitized: no '/' or ':')."""
    for name in names:
        clean = name.replace("/", "").replace(":", "")[:90]
        if member.startswith(clean + "/") or member.endswith("_" + clean + ".txt"):
            return name
    return None
