"""Learning from outcomes: a run that passes after a triaged failure on the same PR or branch.

- The sticky comment says "passing now" (when the repository wants that).
- A pass on a re-run of the same commit is flaky evidence: the failed tests are recorded as passed on a later
  attempt of the same run (or another run of that sha).
- A pass on a later commit records how the failure was fixed on its patterns: the commits between and the
  files they changed (``GET /repos/{o}/{r}/compare/{base}...{head}``).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, replace

import gidgethub

from storage import attribution as attribution_db
from storage import reports as db

from ..deps import Deps
from ..github import GitHubClient
from ..report.check_run import ConclusionPolicy, check_run_output
from ..report.comment import passing_comment
from ..report.common import failure_name
from ..report.model import PassingReport, TriagedFailure, TriageReport, Verdict
from ..snapshots.service import snapshot_service
from . import attribution as attributing
from .assemble import rerun_items
from .attribution import attempt_seen
from .config import RepoConfig
from .config_source import load_repo_config
from .publish import bot_login, conclude_check_run, upsert_comment
from .triage import prs_for_commit, run_info
from .triage_steps import snapshot_run_of
from .triggers import PR_EVENTS, RunRef

log = logging.getLogger("ci_triage.pipeline")
COMPARE_FILES_MAX = 300  # GitHub's compare API lists at most 300 files


async def compare(gh: GitHubClient, ref: RunRef, base: str, head: str) -> tuple[list[str], list[str]]:
    """(commit shas, changed files) between two commits; empty when GitHub cannot compare them."""
    try:
        data = await gh.getitem(
            "/repos/{owner}/{repo}/compare/{basehead}",
            url_vars={"owner": ref.owner, "repo": ref.name, "basehead": f"{base}...{head}"},
        )
    except gidgethub.BadRequest as exc:
        if exc.status_code in (404, 422):  # force-pushed away, or unrelated histories
            return [], []
        raise
    commits = [str(c["sha"]) for c in data.get("commits") or []]
    files = [str(f["filename"]) for f in (data.get("files") or [])[:COMPARE_FILES_MAX]]
    return commits, files


async def record_passing(deps: Deps, gh: GitHubClient, ref: RunRef) -> str:
    if not ref.pr_numbers and ref.event in PR_EVENTS:
        ref = replace(ref, pr_numbers=await prs_for_commit(gh, ref))
    pr_number = ref.pr_number
    # Evidence for attribution: a pass on this commit (flaky evidence), and the end of a branch's failing streak.
    await attributing.record_run(deps, ref, conclusion="success", analysed=False)
    await seed_snapshot_baselines(deps, gh, ref)
    async with deps.pool.acquire() as conn:
        previous = await db.latest_failing(
            conn,
            ref.installation_id,
            ref.repository_id,
            workflow_id=ref.workflow_id,
            pr_number=pr_number,
            branch=None if pr_number else ref.head_branch,
        )
    if previous is None:
        return "nothing to resolve"
    history = deps.services.history
    failed_tests = sorted({f["test_id"] for f in previous.failures if f.get("test_id")})
    same_sha = previous.head_sha == ref.head_sha
    if history is not None:
        if failed_tests:
            # Passing now: on the same sha this is flaky evidence; on a new sha, the tests' new state.
            await history.record_test_outcomes(
                ref.installation_id,
                ref.repository_id,
                [(t, "passed") for t in failed_tests],
                head_sha=ref.head_sha,
                run_id=ref.run_id,
                run_attempt=ref.attempt,
                job="",
                branch=ref.head_branch,
                pr_number=pr_number,
            )
        if not same_sha:
            commits, files = await compare(gh, ref, previous.head_sha, ref.head_sha)
            await history.record_resolution(
                ref.installation_id,
                ref.repository_id,
                fixed_sha=ref.head_sha,
                branch=ref.head_branch,
                pr_number=pr_number,
                commits=commits,
                changed_files=files,
                run_id=ref.run_id,
                by=ref.actor,
            )
    config = (await load_repo_config(gh, deps.pool, ref)).config
    rerun = same_sha and previous.run_id == ref.run_id
    flaky_names: tuple[str, ...] = ()
    if rerun:
        # A later attempt of the same commit passed: what failed before is flaky (unless its identity is
        # generic), and the earlier attempt's report says so.
        passed = attempt_seen(ref)
        items = rerun_items(previous.failures, passed, failed_attempt=previous.run_attempt)
        flaky_names = tuple(failure_name(i) for i in items if i.verdict is Verdict.FLAKY)
        if previous.check_run_id is not None:
            await rerun_check_run(deps, gh, ref, previous, items, config)
    if config.comments.enabled and config.comments.update_on_success:
        names = tuple(str(f.get("name")) for f in previous.failures if f.get("name") and f["name"] not in flaky_names)
        body = passing_comment(
            PassingReport(
                run=run_info(ref),
                previously_failing=names,
                previous_run_url=_run_url(deps, ref, previous.run_id),
                flaky=flaky_names,
                failed_attempt=previous.run_attempt if rerun else None,
            )
        )
        for number in ref.pr_numbers:
            await upsert_comment(
                gh,
                deps.pool,
                ref,
                number,
                body,
                status="passing",
                create=False,
                bot_login=bot_login(deps.settings),
                only_if_showing=previous.run_id,
            )
    async with deps.pool.acquire() as conn:
        await db.mark_passing(
            conn,
            ref.installation_id,
            ref.repository_id,
            workflow_id=ref.workflow_id,
            pr_number=pr_number,
            branch=None if pr_number else ref.head_branch,
        )
    return "resolved" if not same_sha else "flaky evidence"


async def rerun_check_run(
    deps: Deps, gh: GitHubClient, ref: RunRef, previous: db.ReportRow, items: list[TriagedFailure], config: RepoConfig
) -> None:
    """The failed attempt's check run rebuilt with the new verdicts (annotations already sent stay)."""
    failed_run = replace(run_info(ref), attempt=previous.run_attempt)
    report = TriageReport(
        run=failed_run,
        failures=tuple(items),
        check_run_url=f"{deps.settings.github_url}/{ref.repo}/runs/{previous.check_run_id}",
        compared_branch=attributing.compared_branch(ref),
    )
    out = check_run_output(report, policy=ConclusionPolicy(**asdict(config.conclusion)), max_annotations=0)
    title = f"{out.title}: attempt {ref.attempt} passed"
    assert previous.check_run_id is not None
    await conclude_check_run(gh, ref, previous.check_run_id, out.conclusion, title, out.summary, actions=[])
    flaky = [(row.get("fingerprint"), item.reason) for row, item in zip(previous.failures, items, strict=True)
             if item.verdict is Verdict.FLAKY]
    async with deps.pool.acquire() as conn:
        await attribution_db.set_attempt_verdicts(
            conn, ref.installation_id, ref.run_id, previous.run_attempt, [(str(f), r) for f, r in flaky if f], "flaky"
        )
        await db.set_failures(
            conn,
            ref.installation_id,
            ref.run_id,
            failures=[
                {**row, "verdict": item.verdict.value, "reason": item.reason}
                for row, item in zip(previous.failures, items, strict=True)
            ],
            conclusion=out.conclusion,
        )


def _run_url(deps: Deps, ref: RunRef, run_id: int) -> str:
    return f"{deps.settings.github_url}/{ref.repo}/actions/runs/{run_id}"


async def seed_snapshot_baselines(deps: Deps, gh: GitHubClient, ref: RunRef) -> None:
    """A passing run captures the preview routes that have no green baseline yet (snapshot feature)."""
    try:
        parsed = await load_repo_config(gh, deps.pool, ref)
        config = parsed.config.snapshot
        if not parsed.snapshot_valid or not config.enabled or not config.baseline:
            return
        await snapshot_service(deps).snapshot_run(
            snapshot_run_of(ref, passed=True),
            config,
        )
    except Exception:
        log.exception("snapshot baseline capture failed")
