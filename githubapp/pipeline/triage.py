"""The triage job: from a failed workflow run to a check run, a sticky PR comment and notifications.

Stages (timed, kept in ``reports.timings``): setup (repository config, check run in progress), fetch (jobs,
logs, artifacts), analyze (failure extraction), match (history, recommendations), report (GitHub writes).
Every step is idempotent, so arq may run the job again after a crash or a transient GitHub error; a
permanent error completes the check run saying triage failed.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from analysis.attribution import Attribution, TestCounts
from analysis.engine import parse_junit
from analysis.types import Failure
from storage import attribution as attribution_db
from storage import reports as db
from storage.fixes import active_quarantines

from ..analysis_pool import AnalysisFailed, Limits, run_isolated
from ..deps import Deps
from ..fixes.suggest import FailedJob, PastFix, suggest_fixes
from ..github import GitHubClient
from ..history import RunContext, is_infra
from ..notify.messages import Links
from ..notify.service import notify
from ..report.check_run import CheckRunOutput, ConclusionPolicy, check_run_output
from ..report.comment import CommentPolicy, should_comment, sticky_comment
from ..report.model import RecommendedTest, RunInfo, SuggestedFix, TriagedFailure, TriageReport
from ..snapshots.report import check_run_images, snapshot_check_summary, snapshot_comment_section
from ..snapshots.service import SnapshotRun, snapshot_service
from ..web import live
from ..web.links import run_page_url
from . import attribution as attributing
from . import fetch
from .assemble import flake_score, passed_on_rerun, summary_rows, triage
from .config import ParsedConfig, RepoConfig
from .config_source import load_repo_config
from .logwork import JobFindings, analyze_job_file, analyze_run_zip
from .publish import (
    complete_check_run,
    start_check_run,
    supersede_check_run,
    update_partial_check_run,
    upsert_comment,
)
from .tree import repository_tree, within_tree
from .triggers import RunRef, base_branch_of

log = logging.getLogger("ci_triage.pipeline")

STAGES = ("setup", "fetch", "analyze", "match", "fixes", "report")  # setup: repo config, check run in progress
LOG_CONCURRENCY = 4
BASE_RUN_JOBS = 4  # failed jobs analysed per base-branch run fetched for attribution
FORK_PR_EVENTS = ("pull_request", "pull_request_target")


class Stopwatch:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = dict.fromkeys(STAGES, 0.0)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - started


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


async def _fetch_logs(
    gh: GitHubClient, ref: RunRef, jobs: Sequence[fetch.JobInfo], cap: int, spool: Path
) -> list[fetch.JobLog | None]:
    """Each failed job's log, streamed to a file under ``spool``; None for a job whose log must come from
    the run-logs zip instead."""
    limit = asyncio.Semaphore(LOG_CONCURRENCY)

    async def one(job: fetch.JobInfo) -> fetch.JobLog | None:
        async with limit:
            try:
                return await fetch.fetch_job_log(gh, ref, job, max_bytes=cap, spool=spool)
            except fetch.LogUnavailable as exc:
                log.warning("job log unavailable, falling back to the run logs: %s", exc)
                return None

    return list(await asyncio.gather(*(one(job) for job in jobs)))


async def complete_ref(gh: GitHubClient, ref: RunRef) -> RunRef:
    """Fill what a ``workflow_job`` payload lacks (PRs, workflow id, links) from the run itself."""
    run = await gh.getitem(
        "/repos/{owner}/{repo}/actions/runs/{run_id}",
        url_vars={"owner": ref.owner, "repo": ref.name, "run_id": str(ref.run_id)},
    )
    prs = tuple(
        sorted(
            {
                p["number"]
                for p in run.get("pull_requests") or []
                if ((p.get("base") or {}).get("repo") or {}).get("id") in (None, ref.repository_id)
            }
        )
    )
    return replace(
        ref,
        workflow_id=run.get("workflow_id"),
        workflow_name=run.get("name") or ref.workflow_name,
        html_url=run.get("html_url"),
        run_number=run.get("run_number"),
        event=run.get("event"),
        pr_numbers=prs or ref.pr_numbers,
        base_branch=base_branch_of(run, ref.repository_id) or ref.base_branch,
        head_commit_at=(run.get("head_commit") or {}).get("timestamp") or ref.head_commit_at,
    )


async def prs_for_commit(gh: GitHubClient, ref: RunRef) -> tuple[int, ...]:
    """Open PRs of this repository whose head is the run's commit. ``workflow_run.pull_requests`` is empty for
    PRs from forks, so a ``pull_request`` run without PRs asks this way."""
    pulls = gh.getiter(
        "/repos/{owner}/{repo}/commits/{commit_sha}/pulls{?per_page}",
        url_vars={"owner": ref.owner, "repo": ref.name, "commit_sha": ref.head_sha, "per_page": "100"},
    )
    found = set()
    async for pr in pulls:
        base_repo = ((pr.get("base") or {}).get("repo") or {}).get("id")
        if (
            pr.get("state") == "open"
            and (pr.get("head") or {}).get("sha") == ref.head_sha
            and base_repo in (None, ref.repository_id)
        ):
            found.add(int(pr["number"]))
    return tuple(sorted(found))


async def _pr_files(gh: GitHubClient, ref: RunRef, pr_number: int, *, limit: int = 3000) -> list[str]:
    files = gh.getiter(
        "/repos/{owner}/{repo}/pulls/{pull_number}/files{?per_page}",
        url_vars={"owner": ref.owner, "repo": ref.name, "pull_number": str(pr_number), "per_page": "100"},
    )
    out: list[str] = []
    async for entry in files:
        out.append(str(entry["filename"]))
        if len(out) >= limit:
            break
    return out


def _test_map(config: RepoConfig) -> dict[str, Any] | None:
    """The config's ``glob: [tests]`` map in the history service's feature format."""
    if not config.test_map:
        return None
    return {"features": {glob: {"paths": [glob], "tests": list(tests)} for glob, tests in config.test_map}}


def run_info(ref: RunRef) -> RunInfo:
    return RunInfo(
        repo=ref.repo,
        run_id=ref.run_id,
        attempt=ref.attempt,
        workflow_name=ref.workflow_name,
        head_sha=ref.head_sha,
        html_url=ref.html_url,
        head_branch=ref.head_branch,
        event=ref.event,
        run_number=ref.run_number,
        pr_numbers=ref.pr_numbers,
    )


class Triage:
    def __init__(self, deps: Deps, gh: GitHubClient, ref: RunRef, *, only_job: int | None = None) -> None:
        self.deps = deps
        self.gh = gh
        self.ref = ref
        self.only_job = only_job
        self.watch = Stopwatch()
        self.check_run_id: int | None = None
        self.reused_check_run = False
        self.matches: list[Any] = []  # history matches of every failure, for past fixes
        self.config: RepoConfig | None = None
        self.previous: db.ReportRow | None = None  # the earlier failing attempt's report, on a re-run
        self.jobs: list[dict[str, Any]] = []  # the run's jobs (newest attempt of each)
        self.compared_branch: str | None = None  # the base branch (or pushed branch) failures were compared with

    @property
    def partial(self) -> bool:
        return self.only_job is not None

    async def claim(self) -> bool:
        """Take the run's report for this attempt and put the check run in progress; False if superseded."""
        ref = self.ref
        async with db.locked(self.deps.pool, "run", ref.installation_id, ref.run_id) as conn:
            existing = await db.get(conn, ref.installation_id, ref.run_id)
            if (
                self.partial
                and existing is not None
                and (
                    existing.run_attempt > ref.attempt
                    or (existing.run_attempt == ref.attempt and existing.status != "partial")
                )
            ):
                return False  # the whole run was (or is being) triaged: a job's early report adds nothing
            row = await db.claim(
                conn,
                ref.installation_id,
                ref.repository_id,
                run_id=ref.run_id,
                run_attempt=ref.attempt,
                workflow_id=ref.workflow_id,
                workflow_name=ref.workflow_name,
                head_sha=ref.head_sha,
                head_branch=ref.head_branch,
                pr_numbers=ref.pr_numbers,
                status="partial" if self.partial else "triaging",
            )
            if row is None:
                return False
            rerun = existing is not None and existing.run_attempt < ref.attempt
            if rerun and existing is not None and existing.status in ("failing", "partial"):
                self.previous = existing  # a re-run: what passed this time is flaky
            # A new attempt gets a new check run: annotations can only be appended, never removed.
            same_attempt = existing is not None and existing.run_attempt == ref.attempt
            previous = existing.check_run_id if same_attempt and existing is not None else None
            self.check_run_id = await start_check_run(self.gh, ref, previous)
            self.reused_check_run = previous is not None and self.check_run_id == previous
            if self.check_run_id != row.check_run_id:
                await db.set_check_run(conn, ref.installation_id, ref.run_id, ref.attempt, self.check_run_id)
            return True

    async def collect(self, config: RepoConfig) -> tuple[list[JobFindings], list[str], list[tuple[str, bytes]]]:
        ref, settings = self.ref, self.deps.settings
        problems: list[str] = []
        with tempfile.TemporaryDirectory(prefix="ci-triage-logs-") as spool:
            with self.watch.stage("fetch"):
                jobs = self.jobs = await fetch.list_jobs(self.gh, ref)
                failed = fetch.failed_jobs(jobs, attempt=ref.attempt, config=config)
                if self.only_job is not None:
                    failed = [j for j in failed if j.id == self.only_job]
                logs = await _fetch_logs(self.gh, ref, failed, settings.log_byte_cap, Path(spool))
                missing = [job for job, got in zip(failed, logs, strict=True) if got is None]
                zip_data = (
                    await fetch.fetch_run_logs_zip(self.gh, ref, max_bytes=settings.log_byte_cap)
                    if missing
                    else None
                )
                junit = [] if self.partial else await fetch.junit_reports(self.gh, ref, config.junit.artifact)
            with self.watch.stage("analyze"):
                findings = await self.analyze(logs, missing, zip_data, config)
        if missing and zip_data is None:
            problems.append(f"The logs of {', '.join(j.name for j in missing)} could not be downloaded.")
        if any(f.file or f.test_file for found in findings for f in found.failures):
            with self.watch.stage("fetch"):
                tree = await repository_tree(self.gh, ref)
            for found in findings:
                found.failures = [within_tree(f, tree) for f in found.failures]
        for found in findings:
            if found.problem:
                problems.append(found.problem)
            if found.truncated:
                problems.append(
                    f"The log of job {found.job.name} is larger than {settings.log_byte_cap} bytes; "
                    "only its beginning was analysed."
                )
        if not failed:
            problems.append("No failed job was found in this run (it may have failed before any job started).")
        return findings, problems, junit

    async def analyze(
        self,
        logs: Sequence[fetch.JobLog | None],
        missing: Sequence[fetch.JobInfo],
        zip_data: bytes | None,
        config: RepoConfig,
    ) -> list[JobFindings]:
        """Each log in a limited child process, one after the other: a log that exceeds a limit or kills its
        child is reported as not analysable, and the run's report goes on without it."""
        settings = self.deps.settings
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
                    repo_name=self.ref.name,
                    fix_rules=not self.partial,
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
                    JobFindings(job, problem=f"The log of job {job.name} could not be analysed: {exc}.")
                    for job in missing
                )
        return findings

    async def run(self) -> str:
        ref = self.ref
        self.started_at = time.time()
        with self.watch.stage("setup"):
            if self.partial or self.ref.workflow_id is None:
                self.ref = ref = await complete_ref(self.gh, ref)  # a workflow_job payload lacks PRs and links
            if not ref.pr_numbers and ref.event in FORK_PR_EVENTS:
                self.ref = ref = replace(ref, pr_numbers=await prs_for_commit(self.gh, ref))
            parsed: ParsedConfig = await load_repo_config(self.gh, self.deps.pool, ref)
            config = self.config = parsed.config
            if not await self.claim():
                return "superseded"
        assert self.check_run_id is not None
        # The preview snapshot waits on a browser, not on the logs: it runs beside fetch and analysis.
        snapshot_task = None if self.partial else asyncio.create_task(self.snapshot(parsed))
        try:
            findings, problems, junit = await self.collect(config)
            with self.watch.stage("analyze"):
                junit_failures = await asyncio.to_thread(_junit_failures, junit, findings)
            items, pattern_ids, recommended, risk = await self.match(findings, junit_failures, config)
            await self.carry_passed_on_rerun(items, pattern_ids)
            with self.watch.stage("fixes"):
                fixes = [] if self.partial else await self.suggest_fixes(findings)
            snapshot_parts = await snapshot_task if snapshot_task is not None else None
        finally:
            if snapshot_task is not None and not snapshot_task.done():
                snapshot_task.cancel()  # triage failed meanwhile: do not leave the capture running
        report = TriageReport(
            run=run_info(ref),
            failures=tuple(items),
            problems=tuple(problems),
            config_errors=tuple(str(e) for e in parsed.errors),
            failed_jobs=tuple(f.job.name for f in findings),
            recommended_tests=tuple(recommended),
            risk_level=risk,
            fixes=tuple(fixes),
            snapshot_markdown=snapshot_parts[0] if snapshot_parts else None,
            snapshot_summary=snapshot_parts[1] if snapshot_parts else None,
            images=snapshot_parts[2] if snapshot_parts else (),
            check_run_url=f"{self.deps.settings.github_url}/{ref.repo}/runs/{self.check_run_id}",
            dashboard_url=run_page_url(self.deps.settings.public_url, ref.repo, ref.run_id, ref.attempt),
            in_progress=self.partial,
            compared_branch=self.compared_branch,
        )
        out = check_run_output(
            report, policy=ConclusionPolicy(**asdict(config.conclusion)), max_annotations=config.max_annotations
        )
        with self.watch.stage("report"):
            written = await self.publish(report, out, config)
        if not written:
            return "superseded"
        async with self.deps.pool.acquire() as conn:
            await db.finish(
                conn,
                ref.installation_id,
                ref.run_id,
                ref.attempt,
                status="partial" if self.partial else "failing",
                conclusion=out.conclusion,
                failures=summary_rows(items, pattern_ids),
                timings={**self.watch.seconds, "started_at": self.started_at},
            )
        if not self.partial:
            await self.notify(report, config)
        log.info(
            "run triaged",
            extra={"fields": {"failures": len(items), "conclusion": out.conclusion, "timings": self.watch.seconds}},
        )
        return out.conclusion

    async def match(
        self, findings: list[JobFindings], junit_failures: list[Failure], config: RepoConfig
    ) -> tuple[list[TriagedFailure], list[int | None], list[RecommendedTest], str | None]:
        ref = self.ref
        history = self.deps.services.history
        pattern_ids: list[int | None] = []
        all_matches: list[Any] = []
        found: list[tuple[Failure, Any, tuple[str, ...], str | None, str | None, TestCounts | None]] = []
        with self.watch.stage("match"):
            commanded = await self.quarantined_by_command()
            if commanded:
                config = replace(config, quarantine=config.quarantine + commanded)
            groups: list[
                tuple[int, str | None, str | None, list[Failure], list[tuple[str, ...]], TestCounts | None]
            ] = [(f.job.id, f.job.name, f.job.html_url, f.failures, f.excerpts, f.counts) for f in findings]
            if junit_failures:
                groups.append((0, None, None, junit_failures, [()] * len(junit_failures), None))
            for job_id, job_name, job_url, failures, excerpts, counts in groups:
                matches: Sequence[Any] = [None] * len(failures)
                if history is not None and failures:
                    matches = await history.record_failures(
                        ref.installation_id,
                        ref.repository_id,
                        failures,
                        _run_context(ref, job_id, job_name, excerpts),
                        default_branch=ref.default_branch,
                    )
                    all_matches.extend(matches)
                    self.matches.extend(matches)
                    await live.publish_failures(self.deps, ref.installation_id, ref.repository_id, ref.repo,
                                                failures, matches)  # the dashboards' live list
                    await self._record_outcomes(history, failures, job_name)
                for failure, match, excerpt in zip(failures, matches, excerpts, strict=True):
                    found.append((failure, match, excerpt, job_name, job_url, counts))
                    pattern_ids.append(int(match.pattern_id) if match is not None else None)
            attributions = await self.attribute(found, pattern_ids, flake_rate=config.thresholds.flake_rate)
            items = [
                triage(failure, match, config=config, excerpt=excerpt, job_name=job_name, job_url=job_url,
                       repository_id=ref.repository_id, repo_url=f"{self.deps.settings.github_url}/{ref.repo}",
                       attribution=attribution)
                for (failure, match, excerpt, job_name, job_url, _), attribution in zip(
                    found, attributions, strict=True
                )
            ]
            recommended: list[RecommendedTest] = []
            risk: str | None = None
            if history is not None and ref.pr_numbers and not self.partial:
                changed = await _pr_files(self.gh, ref, ref.pr_numbers[0])
                recs = await history.recommend_tests(
                    ref.installation_id, ref.repository_id, changed, test_map=_test_map(config), matches=all_matches
                )
                recommended = [RecommendedTest(r.test_name, r.reason, float(r.confidence)) for r in recs.tests]
                risk = str(recs.risk.value) if recs.tests else None
        return items, pattern_ids, recommended, risk

    async def attribute(
        self,
        found: Sequence[tuple[Failure, Any, tuple[str, ...], str | None, str | None, TestCounts | None]],
        pattern_ids: Sequence[int | None],
        *,
        flake_rate: float,
    ) -> list[Attribution]:
        """Each failure's verdict (new, pre-existing, flaky, infra) from history and, when history has nothing
        of the base branch, from GitHub; recorded on the failures for the REST API."""
        ref = self.ref
        if not self.partial:
            await attributing.record_run(self.deps, ref, conclusion="failure", analysed=True)
        attributor = attributing.Attributor(self.deps, self.gh, ref, self.record_base_run)
        result = await attributor.attribute(
            [f[0] for f in found],
            pattern_ids,
            [flake_score(f[1], flake_rate=flake_rate) for f in found],
            [f[5] for f in found],
        )
        self.compared_branch = attributor.branch
        verdicts = [
            (int(match.failure_id), a.verdict.value, a.reason)
            for (_, match, *_rest), a in zip(found, result, strict=True)
            if match is not None and getattr(match, "failure_id", None) is not None
        ]
        async with self.deps.pool.acquire() as conn:
            await attribution_db.set_verdicts(conn, ref.installation_id, verdicts)
        return result

    async def carry_passed_on_rerun(self, items: list[TriagedFailure], pattern_ids: list[int | None]) -> None:
        """A re-run of some jobs: failures of the earlier attempt whose job passed now join this report as
        ``flaky`` (and are recorded so on the earlier attempt's failures)."""
        ref, previous = self.ref, self.previous
        if previous is None or self.partial:
            return
        passed_jobs = {
            str(job.get("name"))
            for job in self.jobs
            if job.get("conclusion") == "success" and int(job.get("run_attempt") or 1) == ref.attempt
        }
        carried, carried_ids = passed_on_rerun(
            previous.failures,
            attributing.attempt_seen(ref),
            failed_attempt=previous.run_attempt,
            failing_now={p for p in pattern_ids if p is not None},
            passed_jobs=passed_jobs,
        )
        items.extend(carried)
        pattern_ids.extend(carried_ids)
        async with self.deps.pool.acquire() as conn:
            await attribution_db.set_attempt_verdicts(
                conn,
                ref.installation_id,
                ref.run_id,
                previous.run_attempt,
                [(item.failure.fingerprint, item.reason) for item in carried if item.failure.fingerprint],
                "flaky",
            )

    async def record_base_run(self, base: RunRef) -> None:
        """A base-branch run GitHub told us about: its failed jobs' logs analysed and recorded like any run's
        (bounded: the first few failed jobs)."""
        history = self.deps.services.history
        if history is None:
            return
        settings = self.deps.settings
        config = self.config or RepoConfig()
        jobs = await fetch.list_jobs(self.gh, base)
        failed = fetch.failed_jobs(jobs, attempt=base.attempt, config=config)[:BASE_RUN_JOBS]
        with tempfile.TemporaryDirectory(prefix="ci-triage-base-") as spool:
            for job in failed:
                try:
                    got = await fetch.fetch_job_log(
                        self.gh, base, job, max_bytes=settings.log_byte_cap, spool=Path(spool)
                    )
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
                    await history.record_failures(
                        base.installation_id,
                        base.repository_id,
                        analysed.failures,
                        _run_context(base, job.id, job.name, analysed.excerpts),
                        default_branch=base.default_branch,
                    )

    async def _record_outcomes(self, history: Any, failures: Sequence[Failure], job_name: str | None) -> None:
        """Failed tests of this job run: evidence for flakiness when a later attempt passes."""
        tests = sorted({f.test_id for f in failures if f.test_id})
        if not tests:
            return
        ref = self.ref
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

    async def quarantined_by_command(self) -> tuple[str, ...]:
        """Tests quarantined with ``/triage quarantine``, besides the config's list."""
        async with self.deps.pool.acquire() as conn:
            rows = await active_quarantines(conn, self.ref.installation_id, self.ref.repository_id)
        return tuple(str(q.test_id) for q in rows)

    async def suggest_fixes(self, findings: Sequence[JobFindings]) -> list[SuggestedFix]:
        """Fix suggestions (history, rules, LLM; verified against the head commit); never fails the triage."""
        jobs = [
            FailedJob(f.analysis, f.text, f.job.name, proposals=f.proposals)
            for f in findings
            if f.analysis and f.analysis.failures
        ]
        if not jobs:
            return []
        ref = self.ref
        past = [
            PastFix(m.fingerprint or None, m.resolution.fixed_sha, ref.repo)
            for m in self.matches
            if m is not None and m.resolution is not None and m.resolution.fixed_sha
        ]
        try:
            rows = await suggest_fixes(
                self.gh,
                self.deps,
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

    async def snapshot(self, parsed: ParsedConfig) -> tuple[str | None, str | None, tuple[dict[str, str], ...]] | None:
        """The preview snapshot's report parts (comment, check-run details, images) when the run has a preview
        (the snapshot service decides); it never fails the triage."""
        ref = self.ref
        if not parsed.snapshot_valid:
            return None  # the section's errors are in the check run
        try:
            outcomes = await snapshot_service(self.deps).snapshot_run(
                snapshot_run_of(ref, passed=False),
                parsed.config.snapshot,
            )
        except Exception:
            log.exception("preview snapshot failed")
            return None
        if not outcomes:
            return None
        return (
            snapshot_comment_section(outcomes) or None,
            snapshot_check_summary(outcomes) or None,
            tuple(check_run_images(outcomes)),
        )

    async def publish(self, report: TriageReport, out: CheckRunOutput, config: RepoConfig) -> bool:
        ref = self.ref
        assert self.check_run_id is not None
        async with db.locked(self.deps.pool, "run", ref.installation_id, ref.run_id) as conn:
            current = await db.get(conn, ref.installation_id, ref.run_id)
            if current is None or current.run_attempt != ref.attempt or (self.partial and current.status != "partial"):
                # A newer attempt (or the whole run's triage) owns the report now. A check run only this
                # triage created must not stay "in progress" beside the newer one.
                if current is None or current.check_run_id != self.check_run_id:
                    await supersede_check_run(self.gh, ref, self.check_run_id)
                return False
            if self.partial:
                await update_partial_check_run(self.gh, ref, self.check_run_id, out)
            else:
                await complete_check_run(self.gh, ref, self.check_run_id, out, skip_existing=self.reused_check_run)
        policy = CommentPolicy(
            enabled=config.comments.enabled,
            skip_when_all_flaky=config.comments.skip_when_all_flaky,
            update_on_success=config.comments.update_on_success,
        )
        if config.comments.enabled:
            body = sticky_comment(report)
            for pr_number in ref.pr_numbers:
                await upsert_comment(
                    self.gh,
                    self.deps.pool,
                    ref,
                    pr_number,
                    body,
                    status="failing",
                    create=should_comment(report, policy),
                    bot_login=self.bot_login,
                )
        return True

    @property
    def bot_login(self) -> str | None:
        slug = self.deps.settings.github_app_slug
        return f"{slug}[bot]" if slug else None

    async def notify(self, report: TriageReport, config: RepoConfig) -> None:
        if not (config.notifications.slack or config.notifications.email):
            return
        ref, url = self.ref, self.deps.settings.github_url
        links = Links(
            check_run=report.check_run_url,
            pull_request=f"{url}/{ref.repo}/pull/{ref.pr_numbers[0]}" if ref.pr_numbers else None,
            run=ref.html_url,
        )
        await notify(
            report,
            config.notifications,
            settings=self.deps.settings,
            http=self.deps.http,
            links=links,
            metrics=self.deps.services.metrics,
        )


def _run_context(ref: RunRef, job_id: int, job_name: str | None, excerpts: Sequence[tuple[str, ...]]) -> RunContext:
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
    )


def _junit_failures(reports: Sequence[tuple[str, bytes]], findings: Sequence[JobFindings]) -> list[Failure]:
    """Failures from JUnit XML that the logs did not already show (same test id)."""
    if not reports:
        return []
    seen = {f.test_id for found in findings for f in found.failures if f.test_id}
    out: list[Failure] = []
    for _name, xml in reports:
        for failure in parse_junit(xml):
            if failure.test_id:
                if failure.test_id in seen:
                    continue
                seen.add(failure.test_id)
            out.append(failure)
    return out
