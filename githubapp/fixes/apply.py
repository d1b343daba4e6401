"""Applying an approved fix to a pull request: a commit on its branch, or review suggestions for forks.

The diff is checked again against the branch's current head right before committing: a fix verified
against an older head is applied only if it still applies exactly, and the branch is only fast-forwarded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

import gidgethub
from gidgethub.abc import GitHubAPI

from analysis.fixes.patch import PatchError, check_paths, parse_patch, unified_diff
from analysis.fixes.suggestions import commentable_lines, suggestion_comments
from analysis.fixes.verify import verify
from storage.fixes import FixRow

from .. import escaping
from .gitdata import FileUnavailable, PushRefused, RefMoved, commit_changes, get_files, repo_url

log = logging.getLogger("ci_triage.fixes.apply")
ATTEMPTS = 3  # the branch may move between reading it and updating it

Outcome = Literal["applied", "suggested_in_review", "refused"]


@dataclass(frozen=True)
class ApplyResult:
    outcome: Outcome
    message: str  # Markdown for the reply
    commit_sha: str | None = None
    review_url: str | None = None


def commit_message(fix: FixRow, approver: str) -> str:
    """Title and explanation come from logs, past commits or a model: through the escaping policy, so they
    carry no trailer (``Co-authored-by:`` ...), mention or control character. Our trailers come last."""
    return (
        f"{escaping.commit_title(fix.title)} (ci-triage fix {fix.id})\n\n"
        f"{escaping.commit_text(fix.explanation, limit=1000)}\n\n"
        f"Suggested by ci-triage ({escaping.commit_title(f'{fix.source}: {fix.rule}', limit=80)}), "
        f"approved by {escaping.commit_title('@' + approver, limit=60)}.\n\n"
        f"Fix-Id: {fix.id}\n"
        f"Approved-by: {escaping.commit_title(approver, limit=60)}\n"
    )


async def apply_fix(gh: GitHubAPI, fix: FixRow, *, pr_number: int, approver: str) -> ApplyResult:
    base = fix.repo_full_name
    for _attempt in range(ATTEMPTS):
        pr: Any = await gh.getitem(f"{repo_url(base)}/pulls/{pr_number}")
        if pr.get("state") != "open":
            return ApplyResult("refused", f"pull request #{pr_number} is {pr.get('state')}; nothing was committed.")
        head = pr["head"]
        head_sha: str = head["sha"]
        head_repo = head.get("repo")
        if head_repo is None:
            return ApplyResult("refused", "the pull request's head repository no longer exists.")
        try:
            # Pull request heads are readable through the base repository, forks included.
            patch = parse_patch(fix.diff)
            check_paths(patch)  # before any path reaches a URL
            paths = patch.paths
            files = await get_files(gh, base, paths, head_sha)
            verified = verify(fix.diff, files, untrusted=fix.source != "history")
        except (PatchError, FileUnavailable) as exc:
            moved = head_sha != fix.head_sha
            why = str(exc)
            if moved:
                return ApplyResult(
                    "refused",
                    (
                        f"the branch moved from `{fix.head_sha[:7]}` to `{head_sha[:7]}` and the fix no longer "
                        f"applies there ({escaping.markdown_text(why, limit=300)}). Nothing was committed; the "
                        "next triage run will suggest fixes "
                        "against the new head."
                    ),
                )
            return ApplyResult(
                "refused",
                f"the fix does not apply to `{head_sha[:7]}`: {escaping.markdown_text(why, limit=300)}. "
                "Nothing was committed.",
            )
        same_repo = head_repo["id"] == pr["base"]["repo"]["id"]
        if same_repo or pr.get("maintainer_can_modify"):
            try:
                sha = await commit_changes(
                    gh,
                    head_repo["full_name"],
                    branch=head["ref"],
                    parent_sha=head_sha,
                    changes=verified.results,
                    message=commit_message(fix, approver),
                )
            except RefMoved:
                log.info("branch moved while applying fix %s; retrying", fix.id)
                continue
            except FileUnavailable as exc:
                return ApplyResult("refused", f"{escaping.markdown_text(str(exc), limit=300)}; nothing was committed.")
            except PushRefused as exc:
                if same_repo:
                    return ApplyResult(
                        "refused",
                        (
                            f"GitHub refused the push to {escaping.code_span(head['ref'])} ({exc.status}): the "
                            "branch may be "
                            "protected or the App lacks `contents: write`. Nothing was committed."
                        ),
                    )
                log.info("push to fork %s refused (%s); offering a review instead", head_repo["full_name"], exc)
            else:
                return ApplyResult(
                    "applied", f"committed `{sha[:7]}` to {escaping.code_span(head['ref'])}.", commit_sha=sha
                )
        return await _suggest_in_review(gh, fix, pr, files, verified.results, approver)
    return ApplyResult(
        "refused",
        "the branch kept moving while the fix was being committed; nothing was committed. "
        "Approve again once pushes have settled.",
    )


async def _suggest_in_review(
    gh: GitHubAPI,
    fix: FixRow,
    pr: dict[str, Any],
    files: dict[str, str | None],
    results: dict[str, str | None],
    approver: str,
) -> ApplyResult:
    """Forks the App cannot push to: suggested changes the author can commit with one click."""
    base = fix.repo_full_name
    number = pr["number"]
    pr_files: list[Any] = [f async for f in gh.getiter(f"{repo_url(base)}/pulls/{number}/files")]
    patches = {f["filename"]: f.get("patch") or "" for f in pr_files}
    comments: list[dict[str, Any]] = []
    for path, new in results.items():
        old = files.get(path)
        built = None
        if old is not None and new is not None and path in patches:
            built = suggestion_comments(path, old, new, commentable_lines(patches[path]))
        if built is None:
            comments = []
            break
        comments.extend(built)
    intro = (
        f"ci-triage fix `{fix.id}` approved by {escaping.markdown_text('@' + approver, limit=60)}: "
        f"**{escaping.markdown_text(fix.title, limit=200)}**. This branch is in a fork "
        "the App cannot push to, so here are the changes to commit."
    )
    if comments:
        review: Any = await gh.post(
            f"{repo_url(base)}/pulls/{number}/reviews",
            data={"commit_id": pr["head"]["sha"], "event": "COMMENT", "body": intro, "comments": comments},
        )
        return ApplyResult(
            "suggested_in_review",
            (
                "the branch is in a fork the App cannot push to: the change is offered as suggestions in "
                f"[a review]({review.get('html_url', '')}); commit them from there."
            ),
            review_url=review.get("html_url"),
        )
    diff = "".join(unified_diff(files.get(p), results[p], p) for p in results)
    # verbatim: byte-exact for `git apply` (GitHub never notifies from a code block).
    body = f"{intro}\n\nApply with `git apply`:\n\n{escaping.code_block(diff, lang='diff', verbatim=True)}\n"
    try:
        comment: Any = await gh.post(f"{repo_url(base)}/issues/{number}/comments", data={"body": body[:65_000]})
    except gidgethub.BadRequest as exc:
        return ApplyResult("refused", f"the fix could not be posted for the fork ({exc.status_code}).")
    return ApplyResult(
        "suggested_in_review",
        (
            "the branch is in a fork the App cannot push to and the change lies outside the lines GitHub "
            f"accepts suggestions on: the diff is [posted here]({comment.get('html_url', '')}) for `git apply`."
        ),
    )
