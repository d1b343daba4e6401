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
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import httpx
from gidgethub import GitHubException

from analysis.attribution import Attribution, TestCounts
from analysis.change_loci import Places
from analysis.junit import parse_junit
from analysis.types import Failure, FailureKind
from storage import attribution as attribution_db
from storage import reports as db

from ..deps import Deps
from ..github import GitHubClient
from ..notify import live
from ..report.check_run import ConclusionPolicy, check_run_output
from ..report.links import run_page_url
from ..report.model import RecommendedTest, RunInfo, TriagedFailure, TriageReport
from . import attribution as attributing
from . import fetch
from .assemble import flake_score, passed_on_rerun, summary_rows, triage
from .changes import PullChange, change_places, pull_change
from .config import ParsedConfig, RepoConfig
from .config_source import load_repo_config
from .logwork import JobFindings
from .publish import (
    start_check_run,
)
from .source import GitHubSource, SourceSites, sites_by_job
from .tree import repository_tree, within_tree
from .triage_steps import (
    analyze_logs,
    fix_suggestions,
    preview_snapshot,
    publish_report,
    quarantined_by_command,
    record_base_run,
    record_failed_tests,
    run_context,
    send_notifications,
)
from .triggers import PR_EVENTS, RunRef, base_branch_of

log = logging.getLogger("ci_triage.pipeline")

STAGES = ("setup", "fetch", "analyze", "match", "fixes", "report")  # setup: repo config, check run in progress
LOG_CONCURRENCY = 4


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


@dataclass
class Collected:
    """What fetching and analysing the logs found: each job's findings, problems to report, JUnit reports."""

    findings: list[JobFindings]
    problems: list[str]
    junit: list[tuple[str, bytes]]  # (artifact file name, XML)


@dataclass(frozen=True)
class SeenFailure:
    """One failure, its history match (None without history) and the job it was seen in."""

    failure: Failure
    match: Any
    excerpt: tuple[str, ...]
    job_name: str | None
    job_url: str | None
    counts: TestCounts | None


@dataclass
class Matched:
    """The failures triaged against history, their patterns, and the tests recommended for the PR."""

    items: list[TriagedFailure]
    pattern_ids: list[int | None]
    recommended: list[RecommendedTest]
    risk: str | None


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
        self.change: PullChange | None = None  # the pull request's files and changed lines
        self.change_failed = False  # GitHub could not list them
        self.change_places = Places()  # where its change touched the code (analysis.change_loci)
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

    async def collect(self, config: RepoConfig) -> Collected:
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
                    await fetch.fetch_run_logs_zip(self.gh, ref, max_bytes=settings.log_byte_cap) if missing else None
                )
                junit = [] if self.partial else await fetch.junit_reports(self.gh, ref, config.junit.artifact)
            with self.watch.stage("analyze"):
                findings = await analyze_logs(
                    self.deps.settings, self.ref, logs, missing, zip_data, config, partial=self.partial
                )
        if missing and zip_data is None:
            problems.append(f"The logs of {', '.join(j.name for j in missing)} could not be downloaded.")
        if any(f.file or f.test_file for found in findings for f in found.failures):
            with self.watch.stage("fetch"):
                tree = await repository_tree(self.gh, ref)
            for found in findings:
                found.failures = [within_tree(f, tree) for f in found.failures]
        with self.watch.stage("fetch"):  # the symbols compile/type/lint errors are in and their lines, from the source
            source = GitHubSource(self.gh, ref, max_bytes=settings.source_file_max_bytes)
            sites = await sites_by_job(
                [found.failures for found in findings], source, max_files=settings.source_files_per_run
            )
        for found, found_sites in zip(findings, sites, strict=True):
            found.sites = found_sites
        tests_failed = bool(junit) or any(f.kind is FailureKind.TEST for found in findings for f in found.failures)
        if ref.pr_numbers and not self.partial and self.deps.services.history is not None and tests_failed:
            with self.watch.stage("fetch"):  # where the change touched the code: what tells test failures apart
                change = await self.pull_change()
                if change is not None:
                    self.change_places = await change_places(change, source, max_files=settings.source_files_per_run)
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
        return Collected(findings, problems, junit)

    async def run(self) -> str:
        ref = self.ref
        self.started_at = time.time()
        with self.watch.stage("setup"):
            if self.partial or self.ref.workflow_id is None:
                self.ref = ref = await complete_ref(self.gh, ref)  # a workflow_job payload lacks PRs and links
            if not ref.pr_numbers and ref.event in PR_EVENTS:
                self.ref = ref = replace(ref, pr_numbers=await prs_for_commit(self.gh, ref))
            parsed: ParsedConfig = await load_repo_config(self.gh, self.deps.pool, ref)
            config = self.config = parsed.config
            if not await self.claim():
                return "superseded"
        assert self.check_run_id is not None
        # The preview snapshot waits on a browser, not on the logs: it runs beside fetch and analysis.
        snapshot_task = None if self.partial else asyncio.create_task(preview_snapshot(self.deps, ref, parsed))
        try:
            collected = await self.collect(config)
            findings = collected.findings
            with self.watch.stage("analyze"):
                junit_failures = await asyncio.to_thread(_junit_failures, collected.junit, findings)
            matched = await self.match(findings, junit_failures, config)
            await self.carry_passed_on_rerun(matched.items, matched.pattern_ids)
            with self.watch.stage("fixes"):
                fixes = [] if self.partial else await fix_suggestions(self.deps, self.gh, ref, findings, self.matches)
            snapshot_parts = await snapshot_task if snapshot_task is not None else None
        finally:
            if snapshot_task is not None and not snapshot_task.done():
                snapshot_task.cancel()  # triage failed meanwhile: do not leave the capture running
        report = TriageReport(
            run=run_info(ref),
            failures=tuple(matched.items),
            problems=tuple(collected.problems),
            config_errors=tuple(str(e) for e in parsed.errors),
            failed_jobs=tuple(f.job.name for f in findings),
            recommended_tests=tuple(matched.recommended),
            risk_level=matched.risk,
            fixes=tuple(fixes),
            snapshot_markdown=snapshot_parts.markdown if snapshot_parts else None,
            snapshot_summary=snapshot_parts.summary if snapshot_parts else None,
            images=snapshot_parts.images if snapshot_parts else (),
            check_run_url=f"{self.deps.settings.github_url}/{ref.repo}/runs/{self.check_run_id}",
            dashboard_url=run_page_url(self.deps.settings.public_url, ref.repo, ref.run_id, ref.attempt),
            in_progress=self.partial,
            compared_branch=self.compared_branch,
        )
        out = check_run_output(
            report, policy=ConclusionPolicy(**asdict(config.conclusion)), max_annotations=config.max_annotations
        )
        with self.watch.stage("report"):
            written = await publish_report(
                self.deps,
                self.gh,
                ref,
                self.check_run_id,
                report,
                out,
                config,
                partial=self.partial,
                reused_check_run=self.reused_check_run,
            )
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
                failures=summary_rows(matched.items, matched.pattern_ids),
                timings={**self.watch.seconds, "started_at": self.started_at},
            )
        if not self.partial:
            await send_notifications(self.deps, ref, report, config)
        log.info(
            "run triaged",
            extra={
                "fields": {"failures": len(matched.items), "conclusion": out.conclusion, "timings": self.watch.seconds}
            },
        )
        return out.conclusion

    async def match(self, findings: list[JobFindings], junit_failures: list[Failure], config: RepoConfig) -> Matched:
        ref = self.ref
        history = self.deps.services.history
        pattern_ids: list[int | None] = []
        all_matches: list[Any] = []
        found: list[SeenFailure] = []
        with self.watch.stage("match"):
            commanded = await quarantined_by_command(self.deps, ref)
            if commanded:
                config = replace(config, quarantine=config.quarantine + commanded)
            groups: list[
                tuple[
                    int,
                    str | None,
                    str | None,
                    list[Failure],
                    list[tuple[str, ...]],
                    TestCounts | None,
                    SourceSites,
                ]
            ] = [(f.job.id, f.job.name, f.job.html_url, f.failures, f.excerpts, f.counts, f.sites) for f in findings]
            if junit_failures:
                groups.append((0, None, None, junit_failures, [()] * len(junit_failures), None, SourceSites()))
            for job_id, job_name, job_url, failures, excerpts, counts, sites in groups:
                matches: Sequence[Any] = [None] * len(failures)
                if history is not None and failures:
                    matches = await history.record_failures(
                        ref.installation_id,
                        ref.repository_id,
                        failures,
                        run_context(ref, job_id, job_name, excerpts, sites, change=self.change_places),
                        default_branch=ref.default_branch,
                    )
                    all_matches.extend(matches)
                    self.matches.extend(matches)
                    await live.publish_failures(
                        self.deps, ref.installation_id, ref.repository_id, ref.repo, failures, matches
                    )  # the dashboards' live list
                    await record_failed_tests(history, ref, failures, job_name)
                for failure, match, excerpt in zip(failures, matches, excerpts, strict=True):
                    found.append(SeenFailure(failure, match, excerpt, job_name, job_url, counts))
                    pattern_ids.append(int(match.pattern_id) if match is not None else None)
            attributions = await self.attribute(found, pattern_ids, flake_rate=config.thresholds.flake_rate)
            items = [
                triage(
                    seen.failure,
                    seen.match,
                    config=config,
                    excerpt=seen.excerpt,
                    job_name=seen.job_name,
                    job_url=seen.job_url,
                    repository_id=ref.repository_id,
                    repo_url=f"{self.deps.settings.github_url}/{ref.repo}",
                    attribution=attribution,
                )
                for seen, attribution in zip(found, attributions, strict=True)
            ]
            recommended: list[RecommendedTest] = []
            risk: str | None = None
            if history is not None and ref.pr_numbers and not self.partial:
                change = await self.pull_change()
                changed = list(change.files) if change is not None else []
                recs = await history.recommend_tests(
                    ref.installation_id, ref.repository_id, changed, test_map=_test_map(config), matches=all_matches
                )
                recommended = [RecommendedTest(r.test_name, r.reason, float(r.confidence)) for r in recs.tests]
                risk = str(recs.risk.value) if recs.tests else None
        return Matched(items, pattern_ids, recommended, risk)

    async def pull_change(self) -> PullChange | None:
        """The pull request's files and changed lines, listed once; None when GitHub cannot list them (the report
        goes out without what needs them: the change's places, the tests ranked by the files)."""
        if self.change is None and not self.change_failed and self.ref.pr_numbers:
            try:
                self.change = await pull_change(self.gh, self.ref, self.ref.pr_numbers[0])
            except (GitHubException, httpx.HTTPError) as exc:
                self.change_failed = True
                log.info("the pull request's files are unavailable: %s", exc)
        return self.change

    async def attribute(
        self,
        found: Sequence[SeenFailure],
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
            [f.failure for f in found],
            pattern_ids,
            [flake_score(f.match, flake_rate=flake_rate) for f in found],
            [f.counts for f in found],
        )
        self.compared_branch = attributor.branch
        verdicts = [
            (int(seen.match.failure_id), a.verdict.value, a.reason)
            for seen, a in zip(found, result, strict=True)
            if seen.match is not None and getattr(seen.match, "failure_id", None) is not None
        ]
        async with self.deps.pool.acquire() as conn:
            await attribution_db.set_verdicts(conn, ref.installation_id, verdicts)
        return result

    async def record_base_run(self, base: RunRef) -> None:
        await record_base_run(self.deps, self.gh, self.config or RepoConfig(), base)

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
