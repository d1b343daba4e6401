"""Gathering the evidence for each failure's verdict (``analysis.attribution`` decides).

For a pull request: the merge base (``GET /repos/{o}/{r}/compare/{base}...{head}``), then history's runs of
the base branch at or after it; when history has none, the latest completed runs of the same workflow on
the base branch are asked of GitHub (``GET /repos/{o}/{r}/actions/workflows/{id}/runs``), and their failed
jobs' logs analysed and recorded like any run (bounded: a few runs, a few jobs each). For a push: the
branch's own earlier runs (its failing streak). For every run: passes on a commit where the same pattern
failed. Every lookup tolerates 404/403/422 (it then adds no evidence); server errors propagate so the job
retries.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import gidgethub

from analysis.attribution import Attribution, Evidence, RunSeen, TestCounts, attribute
from analysis.flakiness import FLAKY_SCORE
from analysis.types import Failure, FailureKind
from storage import attribution as q

from ..conclusions import FAILED_JOB, PASSED
from ..deps import Deps
from ..github import GitHubClient
from .triggers import PR_EVENTS, RunRef

log = logging.getLogger("ci_triage.pipeline")

BASE_RUNS_LISTED = 10  # one page of the base branch's latest completed runs
BASE_RUNS_USED = 3  # of those at or after the merge base, the newest few
STREAK_RUNS = 50  # how far back a branch's failing streak is followed
TOLERATED = (403, 404, 410, 422)

# Analyse a base-branch run's failed jobs and record their failures (the triage's own fetch and analysis).
RecordRun = Callable[[RunRef], Awaitable[None]]


@dataclass(frozen=True)
class MergeBase:
    sha: str
    at: datetime | None


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def is_pull_request_run(ref: RunRef) -> bool:
    return bool(ref.pr_numbers) or ref.event in PR_EVENTS


def compared_branch(ref: RunRef) -> str | None:
    """The branch a run's failures are compared with: a PR's base, else the pushed branch itself."""
    if is_pull_request_run(ref):
        return ref.base_branch or ref.default_branch
    return ref.head_branch


def run_row(ref: RunRef, *, conclusion: str, analysed: bool) -> q.RunRow:
    return q.RunRow(
        run_id=ref.run_id,
        run_attempt=ref.attempt,
        head_sha=ref.head_sha,
        conclusion=conclusion,
        workflow_id=ref.workflow_id,
        workflow_name=ref.workflow_name,
        run_number=ref.run_number,
        event=ref.event,
        head_branch=ref.head_branch,
        head_commit_at=parse_time(ref.head_commit_at),
        html_url=ref.html_url,
        analysed=analysed,
        repo_full_name=ref.repo,
        default_branch=ref.default_branch,
        pr_numbers=ref.pr_numbers,
    )


async def record_run(deps: Deps, ref: RunRef, *, conclusion: str, analysed: bool) -> None:
    async with deps.pool.acquire() as conn:
        await q.record_run(
            conn, ref.installation_id, ref.repository_id, run_row(ref, conclusion=conclusion, analysed=analysed)
        )


def seen(row: q.RunRow) -> RunSeen:
    name = f"{row.workflow_name} #{row.run_number}" if row.run_number else (row.workflow_name or str(row.run_id))
    return RunSeen(row.run_id, row.head_sha, row.html_url, name.strip(), row.run_attempt, row.order_at)


def attempt_seen(ref: RunRef) -> RunSeen:
    """This attempt of the run, as evidence (a passing re-run)."""
    return RunSeen(ref.run_id, ref.head_sha, ref.html_url, f"{ref.workflow_name} attempt {ref.attempt}", ref.attempt)


async def merge_base(gh: GitHubClient, ref: RunRef, base: str) -> MergeBase | None:
    """The merge base of the run's head and ``base``; None when GitHub cannot compare them."""
    try:
        data = await gh.getitem(
            "/repos/{owner}/{repo}/compare/{basehead}{?per_page}",
            url_vars={"owner": ref.owner, "repo": ref.name, "basehead": f"{base}...{ref.head_sha}", "per_page": "1"},
        )
    except gidgethub.BadRequest as exc:
        if exc.status_code in TOLERATED:
            return None
        raise
    commit = data.get("merge_base_commit") or {}
    sha = commit.get("sha")
    if not isinstance(sha, str):
        return None
    details = commit.get("commit") or {}
    committer, author = details.get("committer") or {}, details.get("author") or {}
    at = parse_time(committer.get("date")) or parse_time(author.get("date"))
    return MergeBase(sha, at)


def at_or_after(run: dict[str, Any], base: MergeBase | None) -> bool:
    """A base-branch run of the merge base or of a later commit (by the head commit's time)."""
    if base is None:
        return True
    if run.get("head_sha") == base.sha:
        return True
    when = parse_time((run.get("head_commit") or {}).get("timestamp")) or parse_time(run.get("created_at"))
    return base.at is not None and when is not None and when >= base.at


class Attributor:
    def __init__(self, deps: Deps, gh: GitHubClient, ref: RunRef, record_base_run: RecordRun) -> None:
        self.deps = deps
        self.gh = gh
        self.ref = ref
        self.record_base_run = record_base_run
        self.branch = compared_branch(ref)
        self.push = not is_pull_request_run(ref)

    async def attribute(
        self,
        failures: Sequence[Failure],
        pattern_ids: Sequence[int | None],
        flake_scores: Sequence[float | None],
        job_counts: Sequence[TestCounts | None],
    ) -> list[Attribution]:
        # Runner trouble is infra whatever else is found: no lookups for it.
        known = sorted(
            {p for p, f in zip(pattern_ids, failures, strict=True) if p is not None and f.kind is not FailureKind.INFRA}
        )
        base: dict[int, tuple[RunSeen, RunSeen]] = {}
        passes: dict[int, RunSeen] = {}
        if known and self.branch:
            base = await (self._branch_streaks(known) if self.push else self._base_failures(known))
        if known:
            async with self.deps.pool.acquire() as conn:
                rows = await q.passes_where_failed(conn, self.ref.installation_id, self.ref.repository_id, known)
            passes = {p: seen(r) for p, r in rows.items()}
        out = []
        for failure, pattern, score, counts in zip(failures, pattern_ids, flake_scores, job_counts, strict=True):
            found = base.get(pattern) if pattern is not None else None
            evidence = Evidence(
                base_branch=self.branch,
                base_failing=found[0] if found else None,
                base_since=found[1] if found else None,
                passed_on=passes.get(pattern) if pattern is not None else None,
                flake_score=score,
                job_counts=counts,
                push=self.push,
            )
            out.append(attribute(failure, evidence, flake_threshold=FLAKY_SCORE))
        return out

    # --- pull requests: the base branch at or after the merge base ----------------------------------------

    async def _base_failures(self, patterns: Sequence[int]) -> dict[int, tuple[RunSeen, RunSeen]]:
        ref, branch = self.ref, self.branch
        assert branch is not None
        base = await merge_base(self.gh, ref, branch)
        since, since_sha = (base.at, base.sha) if base is not None else (None, None)
        runs = await self._base_runs(since, since_sha)
        if not runs and ref.workflow_id is not None:
            await self._ask_github(base)
            runs = await self._base_runs(since, since_sha)
        if not runs:
            return {}
        if base is None:  # no merge base: only the base branch's newest state counts
            since = runs[0].order_at
        async with self.deps.pool.acquire() as conn:
            failing = await q.base_failures(
                conn,
                ref.installation_id,
                ref.repository_id,
                branch=branch,
                pattern_ids=patterns,
                since=since,
                since_sha=since_sha,
                exclude_run=ref.run_id,
            )
        out = {}
        for pattern, row in failing.items():
            first = await self._streak_start(row, pattern)
            out[pattern] = (seen(row), seen(first))
        return out

    async def _base_runs(self, since: datetime | None, since_sha: str | None) -> list[q.RunRow]:
        ref = self.ref
        assert self.branch is not None
        async with self.deps.pool.acquire() as conn:
            return await q.branch_runs(
                conn,
                ref.installation_id,
                ref.repository_id,
                branch=self.branch,
                workflow_id=ref.workflow_id,
                since=since,
                since_sha=since_sha,
                exclude_run=ref.run_id,
                limit=1,
            )

    async def _ask_github(self, base: MergeBase | None) -> None:
        """The latest completed runs of this workflow on the base branch, analysed and recorded."""
        ref, branch = self.ref, self.branch
        assert branch is not None and ref.workflow_id is not None
        try:
            data = await self.gh.getitem(
                "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs{?branch,status,exclude_pull_requests,per_page}",
                url_vars={
                    "owner": ref.owner,
                    "repo": ref.name,
                    "workflow_id": str(ref.workflow_id),
                    "branch": branch,
                    "status": "completed",
                    "exclude_pull_requests": "true",
                    "per_page": str(BASE_RUNS_LISTED),
                },
            )
        except gidgethub.BadRequest as exc:
            if exc.status_code in TOLERATED:
                return
            raise
        candidates = [
            r
            for r in data.get("workflow_runs") or []
            if isinstance(r, dict)
            and r.get("head_branch") == branch
            and r.get("event") not in PR_EVENTS
            and r.get("conclusion") in PASSED | FAILED_JOB
            and isinstance(r.get("id"), int)
            and at_or_after(r, base)
        ]
        if base is None:
            candidates = candidates[:1]  # without a merge base only the newest state is worth a look
        for run in candidates[:BASE_RUNS_USED]:
            base_ref = replace(
                ref,
                run_id=int(run["id"]),
                attempt=int(run.get("run_attempt") or 1),
                head_sha=str(run.get("head_sha") or ""),
                head_branch=branch,
                event=run.get("event"),
                html_url=run.get("html_url"),
                run_number=run.get("run_number"),
                workflow_name=str(run.get("name") or ref.workflow_name),
                conclusion=run.get("conclusion"),
                pr_numbers=(),
                base_branch=None,
                head_commit_at=(run.get("head_commit") or {}).get("timestamp") or run.get("created_at"),
            )
            if not base_ref.head_sha:
                continue
            if run.get("conclusion") == "success":
                await record_run(self.deps, base_ref, conclusion="success", analysed=False)
                continue
            await self.record_base_run(base_ref)
            await record_run(self.deps, base_ref, conclusion="failure", analysed=True)

    # --- pushes: the branch's own failing streak ---------------------------------------------------------

    async def _branch_streaks(self, patterns: Sequence[int]) -> dict[int, tuple[RunSeen, RunSeen]]:
        """For a push: the earlier runs of the branch that failed with the same pattern, back to the streak's
        start (a pass, or a run failing otherwise, ends it)."""
        ref = self.ref
        assert self.branch is not None
        async with self.deps.pool.acquire() as conn:
            runs = await q.branch_runs(
                conn,
                ref.installation_id,
                ref.repository_id,
                branch=self.branch,
                workflow_id=ref.workflow_id,
                until=parse_time(ref.head_commit_at),
                exclude_run=ref.run_id,
                limit=STREAK_RUNS,
            )
            failed = await q.patterns_of_runs(
                conn, ref.installation_id, ref.repository_id, [r.run_id for r in runs if r.conclusion == "failure"]
            )
        out = {}
        for pattern in patterns:
            streak = streak_of(runs, failed, pattern)
            if streak:
                out[pattern] = (seen(streak[0]), seen(streak[-1]))
        return out

    async def _streak_start(self, failing: q.RunRow, pattern: int) -> q.RunRow:
        ref = self.ref
        async with self.deps.pool.acquire() as conn:
            runs = await q.branch_runs(
                conn,
                ref.installation_id,
                ref.repository_id,
                branch=failing.head_branch or "",
                workflow_id=failing.workflow_id,
                until=failing.order_at,
                exclude_run=ref.run_id,
                limit=STREAK_RUNS,
            )
            failed = await q.patterns_of_runs(
                conn, ref.installation_id, ref.repository_id, [r.run_id for r in runs if r.conclusion == "failure"]
            )
        streak = streak_of(runs, failed, pattern)
        return streak[-1] if streak else failing


def streak_of(runs: Sequence[q.RunRow], failed: dict[int, set[int]], pattern: int) -> list[q.RunRow]:
    """Newest first: the consecutive runs failing with ``pattern``; a pass or another failure ends it."""
    streak: list[q.RunRow] = []
    for run in runs:
        if run.conclusion != "failure" or pattern not in failed.get(run.run_id, set()):
            break
        streak.append(run)
    return streak
