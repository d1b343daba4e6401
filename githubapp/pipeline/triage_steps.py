"""Steps of a triage that need none of its running state: each takes what it reads and returns a value.
``triage.Triage`` runs them in order; the preview snapshot, fixes and notifications never fail a triage."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.change_loci import Places
from analysis.types import Failure
from storage import reports as db
from storage.fixes import active_quarantines

from ..analysis_pool import AnalysisFailed, Limits, run_isolated
from ..deps import Deps
from ..fixes.suggest import FailedJob, PastFix, suggest_fixes
from ..github import GitHubClient
from ..history.service import HistoryService, RunContext, is_infra
from ..notify.messages import Links
from ..notify.service import notify
from ..report.check_run import CheckRunOutput
from ..report.comment import CommentPolicy, should_comment, sticky_comment
from ..report.model import SuggestedFix, TriageReport
from ..settings import Settings
from ..snapshots.report import check_run_images, snapshot_check_summary, snapshot_comment_section
from ..snapshots.service import SnapshotRun, snapshot_service
from . import fetch
from .config import ParsedConfig, RepoConfig
from .logwork import JobFindings, analyze_job_file, analyze_run_zip
from .publish import (
    bot_login,
    complete_check_run,
    supersede_check_run,
    update_partial_check_run,
    upsert_comment,
)
from .source import GitHubSource, SourceSites, sites_of
from .triggers import RunRef

log = logging.getLogger("ci_triage.pipeline")

BASE_RUN_JOBS = 4  # failed jobs analysed per base-branch run fetched for attribution


@dataclass(frozen=True)
class SnapshotParts:
    """The preview snapshot's parts of the report."""

    markdown: str | None  # the comment's section
    summary: str | None  # the check run's details
    images: tuple[dict[str, str], ...]


def run_context(
    ref: RunRef,
    job_id: int,
    job_name: str | None,
    excerpts: Sequence[tuple[str, ...]],
    sites: SourceSites | None = None,
    *,
    change: Places | None = None,
) -> RunContext:
    """Where a job's failures were seen, for the history (``sites``: the symbols and lines the source gave;
    ``change``: where the run's change touched the code)."""
    return RunContext(
        run_id=ref.run_id,
        run_attempt=ref.attempt,
        job_id=job_id,
        job_name=job_name,
        head_sha=ref.head_sha,
        branch=ref.head_branch,
        pr_number=ref.pr_number,
        run_number=ref.run_number,
        excerpts={i: "\n".join(e) for i, e in enumerate(excerpts) if e},
        symbols=dict(sites.symbols) if sites else {},
        code_lines=dict(sites.lines) if sites else {},
        change_loci=change.functions if change else (),
        change_lines=change.lines if change else (),
    )


def snapshot_run_of(ref: RunRef, *, passed: bool) -> SnapshotRun:
    """What the snapshot service needs to know about a run (a failing one compares, a passing one seeds)."""
    return SnapshotRun(
        ref.installation_id,
        ref.repository_id,
        ref.run_id,
        ref.attempt,
        ref.head_sha,
        passed=passed,
        pr_number=ref.pr_number,
        branch=ref.head_branch,
    )


async def analyze_logs(
    settings: Settings,
    ref: RunRef,
    logs: Sequence[fetch.JobLog | None],
    missing: Sequence[fetch.JobInfo],
    zip_data: bytes | None,
    config: RepoConfig,
    *,
    partial: bool,
) -> list[JobFindings]:
    """Each log in a limited child process, one after the other: a log that exceeds a limit or kills its
    child is reported as not analysable, and the run's report goes on without it."""
    findings: list[JobFindings] = []
    for got in logs:
        if got is None:
            continue
        if got.path is None:
            findings.append(JobFindings(got.job, problem=got.problem))
            continue
        try:
            found = await run_isolated(
                analyze_job_file,
                got.job,
                str(got.path),
                budget=settings.excerpt_budget,
                byte_cap=settings.log_byte_cap,
                config=config,
                repo_name=ref.name,
                fix_rules=not partial,
                limits=Limits.of(settings),
            )
        except AnalysisFailed as exc:
            log.warning("job %s: %s", got.job.id, exc.reason)
            found = JobFindings(got.job, problem=f"The log of job {got.job.name} could not be analysed: {exc}.")
        finally:
            got.path.unlink(missing_ok=True)  # the log is read: only its findings stay
        found.truncated = got.truncated
        findings.append(found)
    if missing and zip_data is not None:
        try:
            findings.extend(
                await run_isolated(
                    analyze_run_zip,
                    missing,
                    zip_data,
                    budget=settings.excerpt_budget,
                    byte_cap=settings.log_byte_cap,
                    config=config,
                    limits=Limits.of(settings),
                )
            )
        except AnalysisFailed as exc:
            findings.extend(
                JobFindings(job, problem=f"The log of job {job.name} could not be analysed: {exc}.") for job in missing
            )
    return findings


async def record_base_run(deps: Deps, gh: GitHubClient, config: RepoConfig, base: RunRef) -> None:
    """A base-branch run GitHub told us about: its failed jobs' logs analysed and recorded like any run's
    (bounded: the first few failed jobs)."""
    history = deps.services.history
    if history is None:
        return
    settings = deps.settings
    jobs = await fetch.list_jobs(gh, base)
    failed = fetch.failed_jobs(jobs, attempt=base.attempt, config=config)[:BASE_RUN_JOBS]
    with tempfile.TemporaryDirectory(prefix="ci-triage-base-") as spool:
        for job in failed:
            try:
                got = await fetch.fetch_job_log(gh, base, job, max_bytes=settings.log_byte_cap, spool=Path(spool))
            except fetch.LogUnavailable:
                continue
            if got.path is None:
                continue
            try:
                analysed = await run_isolated(
                    analyze_job_file,
                    job,
                    str(got.path),
                    budget=settings.excerpt_budget,
                    byte_cap=settings.log_byte_cap,
                    config=config,
                    repo_name=base.name,
                    limits=Limits.of(settings),
                )
            except AnalysisFailed as exc:
                log.warning("base run %s, job %s: %s", base.run_id, job.id, exc.reason)
                continue
            finally:
                got.path.unlink(missing_ok=True)
            if analysed.failures:
                # the base run's source, so its failures get the signatures this run's would
                sites = await sites_of(
                    analysed.failures,
                    GitHubSource(gh, base, max_bytes=settings.source_file_max_bytes),
                    max_files=settings.source_files_per_run,
                )
                await history.record_failures(
                    base.installation_id,
                    base.repository_id,
                    analysed.failures,
                    run_context(base, job.id, job.name, analysed.excerpts, sites),
                    default_branch=base.default_branch,
                )


async def record_failed_tests(
    history: HistoryService, ref: RunRef, failures: Sequence[Failure], job_name: str | None
) -> None:
    """Failed tests of this job run: evidence for flakiness when a later attempt passes."""
    tests = sorted({f.test_id for f in failures if f.test_id})
    if not tests:
        return
    await history.record_test_outcomes(
        ref.installation_id,
        ref.repository_id,
        [(t, "failed") for t in tests],
        head_sha=ref.head_sha,
        run_id=ref.run_id,
        run_attempt=ref.attempt,
        job=job_name or "",
        branch=ref.head_branch,
        pr_number=ref.pr_number,
        infra=is_infra(failures),
    )


async def quarantined_by_command(deps: Deps, ref: RunRef) -> tuple[str, ...]:
    """Tests quarantined with ``/triage quarantine``, besides the config's list."""
    async with deps.pool.acquire() as conn:
        rows = await active_quarantines(conn, ref.installation_id, ref.repository_id)
    return tuple(str(q.test_id) for q in rows)


async def fix_suggestions(
    deps: Deps, gh: GitHubClient, ref: RunRef, findings: Sequence[JobFindings], matches: Sequence[Any]
) -> list[SuggestedFix]:
    """Fix suggestions (history, rules, LLM; verified against the head commit); never fails the triage."""
    jobs = [
        FailedJob(f.analysis, f.text, f.job.name, proposals=f.proposals)
        for f in findings
        if f.analysis and f.analysis.failures
    ]
    if not jobs:
        return []
    past = [
        PastFix(m.fingerprint or None, m.resolution.fixed_sha, ref.repo)
        for m in matches
        if m is not None and m.resolution is not None and m.resolution.fixed_sha
    ]
    try:
        rows = await suggest_fixes(
            gh,
            deps,
            installation_id=ref.installation_id,
            repository_id=ref.repository_id,
            repo_full_name=ref.repo,
            pr_number=ref.pr_number,
            head_sha=ref.head_sha,
            jobs=jobs,
            past_fixes=past,
            max_fixes=3,
        )
    except Exception:  # a fix suggestion must never cost the report
        log.exception("fix suggestions failed")
        return []
    return [
        SuggestedFix(
            id=r.id,
            title=r.title,
            explanation=r.explanation,
            confidence=float(r.score),
            diff=r.diff,
            source=r.source,
        )
        for r in rows
    ]


async def preview_snapshot(deps: Deps, ref: RunRef, parsed: ParsedConfig) -> SnapshotParts | None:
    """The preview snapshot's report parts (comment, check-run details, images) when the run has a preview
    (the snapshot service decides); it never fails the triage."""
    if not parsed.snapshot_valid:
        return None  # the section's errors are in the check run
    try:
        outcomes = await snapshot_service(deps).snapshot_run(
            snapshot_run_of(ref, passed=False),
            parsed.config.snapshot,
        )
    except Exception:
        log.exception("preview snapshot failed")
        return None
    if not outcomes:
        return None
    return SnapshotParts(
        snapshot_comment_section(outcomes) or None,
        snapshot_check_summary(outcomes) or None,
        tuple(check_run_images(outcomes)),
    )


async def publish_report(
    deps: Deps,
    gh: GitHubClient,
    ref: RunRef,
    check_run_id: int,
    report: TriageReport,
    out: CheckRunOutput,
    config: RepoConfig,
    *,
    partial: bool,
    reused_check_run: bool,
) -> bool:
    """The check run, then the sticky comment on each PR; False (nothing written) when a newer attempt, or
    the whole run's triage, owns the report now."""
    async with db.locked(deps.pool, "run", ref.installation_id, ref.run_id) as conn:
        current = await db.get(conn, ref.installation_id, ref.run_id)
        if current is None or current.run_attempt != ref.attempt or (partial and current.status != "partial"):
            # A check run only this triage created must not stay "in progress" beside the newer one.
            if current is None or current.check_run_id != check_run_id:
                await supersede_check_run(gh, ref, check_run_id)
            return False
        if partial:
            await update_partial_check_run(gh, ref, check_run_id, out)
        else:
            await complete_check_run(gh, ref, check_run_id, out, skip_existing=reused_check_run)
    policy = CommentPolicy(
        enabled=config.comments.enabled,
        skip_when_all_flaky=config.comments.skip_when_all_flaky,
        update_on_success=config.comments.update_on_success,
    )
    if config.comments.enabled:
        body = sticky_comment(report)
        for pr_number in ref.pr_numbers:
            await upsert_comment(
                gh,
                deps.pool,
                ref,
                pr_number,
                body,
                status="failing",
                create=should_comment(report, policy),
                bot_login=bot_login(deps.settings),
            )
    return True


async def send_notifications(deps: Deps, ref: RunRef, report: TriageReport, config: RepoConfig) -> None:
    if not (config.notifications.slack or config.notifications.email):
        return
    url = deps.settings.github_url
    links = Links(
        check_run=report.check_run_url,
        pull_request=f"{url}/{ref.repo}/pull/{ref.pr_numbers[0]}" if ref.pr_numbers else None,
        run=ref.html_url,
    )
    await notify(
        report,
        config.notifications,
        settings=deps.settings,
        http=deps.http,
        links=links,
        metrics=deps.services.metrics,
    )
