"""Writing the report to GitHub: the "CI Triage" check run and the sticky PR comment.

Both are idempotent: the check run's id and the comment's id are kept in the ``reports`` and
``report_comments`` tables, so triaging the same (run, attempt) twice updates them in place. Writes happen
under an advisory lock per run (check run) and per PR (comment), after checking that no newer attempt or run
has written meanwhile, so racing attempts end with the newest state.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import asyncpg
import gidgethub
import gidgethub.abc

from storage import reports as db

from ..report.check_run import CHECK_NAME, CheckRunOutput, in_progress_output
from ..report.comment import find_sticky
from ..settings import Settings
from .triggers import RunRef

log = logging.getLogger("ci_triage.pipeline")


def bot_login(settings: Settings) -> str | None:
    """The App's user name on GitHub (``<slug>[bot]``): whose sticky comment is ours; None before setup."""
    return f"{settings.github_app_slug}[bot]" if settings.github_app_slug else None


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def start_check_run(gh: gidgethub.abc.GitHubAPI, ref: RunRef, existing_id: int | None) -> int:
    """Mark the check run in progress (creating it on the head sha the first time); its id."""
    url_vars = {"owner": ref.owner, "repo": ref.name}
    body: dict[str, Any] = {
        "status": "in_progress",
        "output": in_progress_output(ref.workflow_name),
        "external_id": f"{ref.run_id}:{ref.attempt}",
    }
    if existing_id is not None:
        try:
            await gh.patch(
                "/repos/{owner}/{repo}/check-runs/{check_run_id}",
                url_vars={**url_vars, "check_run_id": str(existing_id)},
                data=body,
            )
            return existing_id
        except gidgethub.BadRequest as exc:
            if exc.status_code != 404:
                raise
            log.info("check run %s is gone; creating a new one", existing_id)
    created = await gh.post(
        "/repos/{owner}/{repo}/check-runs",
        url_vars=url_vars,
        data={"name": CHECK_NAME, "head_sha": ref.head_sha, "started_at": now_iso(), **body},
    )
    return int(created["id"])


async def existing_annotation_keys(gh: gidgethub.abc.GitHubAPI, ref: RunRef, check_run_id: int) -> set[tuple[Any, ...]]:
    annotations = gh.getiter(
        "/repos/{owner}/{repo}/check-runs/{check_run_id}/annotations{?per_page}",
        url_vars={"owner": ref.owner, "repo": ref.name, "check_run_id": str(check_run_id), "per_page": "100"},
    )
    return {_annotation_key(a) async for a in annotations}


def _annotation_key(a: dict[str, Any]) -> tuple[Any, ...]:
    return (a.get("path"), a.get("start_line"), a.get("end_line"), a.get("title"))


async def complete_check_run(
    gh: gidgethub.abc.GitHubAPI, ref: RunRef, check_run_id: int, out: CheckRunOutput, *, skip_existing: bool = False
) -> None:
    """Complete the run; further annotation batches (50 each) are appended by later PATCHes.

    ``skip_existing``: the check run was written before (the same attempt triaged again). GitHub appends
    annotations on every update, so those already there are not sent twice.
    """
    if skip_existing:
        present = await existing_annotation_keys(gh, ref, check_run_id)
        out = replace(out, annotations=tuple(a for a in out.annotations if _annotation_key(a) not in present))
    for body in out.requests(completed_at=now_iso()):
        await _patch_check_run(gh, ref, check_run_id, body)


async def _patch_check_run(gh: gidgethub.abc.GitHubAPI, ref: RunRef, check_run_id: int, data: dict[str, Any]) -> None:
    await gh.patch(
        "/repos/{owner}/{repo}/check-runs/{check_run_id}",
        url_vars={"owner": ref.owner, "repo": ref.name, "check_run_id": str(check_run_id)},
        data=data,
    )


async def conclude_check_run(
    gh: gidgethub.abc.GitHubAPI,
    ref: RunRef,
    check_run_id: int,
    conclusion: str,
    title: str,
    summary: str,
    **extra: Any,
) -> None:
    """Complete a check run with a plain title and summary (no annotations)."""
    data = {"status": "completed", "conclusion": conclusion, "completed_at": now_iso()}
    await _patch_check_run(gh, ref, check_run_id, {**data, "output": {"title": title, "summary": summary}, **extra})


async def update_partial_check_run(
    gh: gidgethub.abc.GitHubAPI, ref: RunRef, check_run_id: int, out: CheckRunOutput
) -> None:
    """A job's early report while the run goes on: the text only, still in progress; annotations come with
    the run's full report (they could not be taken back)."""
    await _patch_check_run(gh, ref, check_run_id, {"status": "in_progress", "output": out.output()})


async def _find_comment(gh: gidgethub.abc.GitHubAPI, ref: RunRef, pr_number: int, bot_login: str | None) -> int | None:
    comments = gh.getiter(
        "/repos/{owner}/{repo}/issues/{issue_number}/comments{?per_page}",
        url_vars={"owner": ref.owner, "repo": ref.name, "issue_number": str(pr_number), "per_page": "100"},
    )
    found = find_sticky([c async for c in comments], bot_login=bot_login)
    return int(found["id"]) if found else None


async def upsert_comment(
    gh: gidgethub.abc.GitHubAPI,
    pool: asyncpg.Pool,
    ref: RunRef,
    pr_number: int,
    body: str,
    *,
    status: str,
    create: bool,
    bot_login: str | None,
    only_if_showing: int | None = None,
) -> int | None:
    """Edit the PR's sticky comment in place, or post it when ``create``; its id (None: nothing written).

    The comment only moves forward: a run older than the one it shows (or an older attempt) leaves it alone.
    ``only_if_showing``: edit only while the comment shows that run (a pass of one workflow must not hide
    another workflow's failure).
    """
    async with db.locked(pool, "comment", ref.installation_id, ref.repository_id, pr_number) as conn:
        cached = await db.get_comment(conn, ref.installation_id, ref.repository_id, pr_number)
        if cached is not None and (cached.run_id, cached.run_attempt) > (ref.run_id, ref.attempt):
            log.info("PR #%s already shows a newer run (%s)", pr_number, cached.run_id)
            return None
        if only_if_showing is not None and (cached is None or cached.run_id != only_if_showing):
            return None
        comment_id = cached.comment_id if cached else None
        if comment_id is not None and not await _edit(gh, ref, comment_id, body):
            comment_id = None  # deleted by someone: look again, else post anew
        if comment_id is None:
            comment_id = await _find_comment(gh, ref, pr_number, bot_login)
            if comment_id is not None and not await _edit(gh, ref, comment_id, body):
                comment_id = None
        if comment_id is None:
            if not create:
                return None
            created = await gh.post(
                "/repos/{owner}/{repo}/issues/{issue_number}/comments",
                url_vars={"owner": ref.owner, "repo": ref.name, "issue_number": str(pr_number)},
                data={"body": body},
            )
            comment_id = int(created["id"])
        await db.save_comment(
            conn,
            ref.installation_id,
            ref.repository_id,
            pr_number,
            comment_id=comment_id,
            run_id=ref.run_id,
            run_attempt=ref.attempt,
            status=status,
        )
        return comment_id


async def _edit(gh: gidgethub.abc.GitHubAPI, ref: RunRef, comment_id: int, body: str) -> bool:
    try:
        await gh.patch(
            "/repos/{owner}/{repo}/issues/comments/{comment_id}",
            url_vars={"owner": ref.owner, "repo": ref.name, "comment_id": str(comment_id)},
            data={"body": body},
        )
    except gidgethub.BadRequest as exc:
        if exc.status_code in (404, 410):
            return False
        raise
    return True


async def fail_check_run(gh: gidgethub.abc.GitHubAPI, ref: RunRef, check_run_id: int, reason: str) -> None:
    """Triage itself failed for good: say so rather than leave the check run in progress."""
    summary = (
        f"ci-triage could not analyse this run ({reason}). The run's own logs are "
        "unaffected; `/triage retry` on the PR tries again."
    )
    await conclude_check_run(gh, ref, check_run_id, "neutral", "Triage failed", summary)


async def supersede_check_run(gh: gidgethub.abc.GitHubAPI, ref: RunRef, check_run_id: int) -> None:
    """A newer attempt of the run reported meanwhile: close this attempt's check run, pointing there."""
    summary = f"Attempt {ref.attempt} was triaged after a newer attempt of this run; see its check run."
    await conclude_check_run(gh, ref, check_run_id, "skipped", "Superseded", summary)
