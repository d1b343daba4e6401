"""Running ``/triage`` commands from PR comments and check-run buttons.

Every comment (or button press) runs at most once, only for people with write access, and every command
is written to the audit log with its result. The commenter sees 👀 on receipt, then 🚀 or 😕 and a reply.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import gidgethub
from gidgethub.abc import GitHubAPI

from analysis.fixes.llm import Budget, explain_messages
from analysis.fixes.verify import short_hash, shown_whole
from analysis.regex import compile_linear
from storage import fixes as store

from .. import escaping
from ..conclusions import FAILED_JOB
from ..deps import Deps
from ..fixes.apply import apply_fix
from ..fixes.gitdata import repo_url
from ..fixes.llm import ModelError
from ..fixes.publish import publish_decision
from ..fixes.redaction import redact_for_model
from ..github.client import GitHubUnavailable
from .authz import WHO_MAY, repository_access
from .parser import (
    HELP_TEXT,
    Command,
    CommandError,
    CommandName,
    CommandSyntaxError,
    Parsed,
    parse_action_identifier,
    parse_comment,
)

log = logging.getLogger("ci_triage.commands")

APPLY_LOCK_SECONDS = 300
Result = Literal["ok", "denied", "refused", "failed"]


@dataclass(frozen=True)
class Invocation:
    """Who asked for what, where: built from an issue_comment or check_run.requested_action payload."""

    installation_id: int
    repository_id: int
    full_name: str
    pr_number: int | None
    actor: str
    source: Literal["comment", "check_run"]
    key: str  # at most one execution per key
    comment_id: int | None = None
    head_sha: str | None = None
    via: str | None = None  # where a decision was made, when not ``source``: dashboard | api

    @property
    def decided_via(self) -> str:
        return self.via or self.source


@dataclass(frozen=True)
class Outcome:
    result: Result
    message: str  # Markdown for the reply
    target: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.result == "ok"


def code(text: str, limit: int = 100) -> str:
    """User-supplied text shown safely in a reply: a code span it cannot leave, one line, no pings, capped."""
    return escaping.code_span(text, limit=limit) or "``"


_LOGIN = compile_linear(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")


def mention(login: str) -> str:
    """The person a reply answers, pinged on purpose; anything that is not a GitHub login is shown inert."""
    return f"@{login}" if _LOGIN.match(login) else escaping.markdown_text(login, limit=60)


def comment_key(comment: dict[str, Any]) -> str:
    """A comment's commands run once per text: keyed by the comment and a hash of its body (the edit), never
    by the delivery that brought it, so a redelivery or a replay under a new delivery id runs nothing."""
    digest = hashlib.sha256(str(comment.get("body") or "").encode()).hexdigest()[:16]
    return f"{comment['id']}:{digest}"


def _is_bot(user: dict[str, Any]) -> bool:
    return user.get("type") == "Bot" or str(user.get("login", "")).endswith("[bot]")


# --- entry points (called by the webhook handlers) ----------------------------------------------------------


async def handle_issue_comment(gh: GitHubAPI, deps: Deps, payload: dict[str, Any]) -> None:
    """issue_comment.created on a pull request: run the ``/triage`` commands it contains."""
    if payload.get("action") != "created":
        return  # edits never run anything: what was approved is what was first written
    comment, issue = payload["comment"], payload["issue"]
    if "pull_request" not in issue or _is_bot(comment.get("user") or {}) or comment.get("performed_via_github_app"):
        return
    parsed = parse_comment(comment.get("body") or "")
    if parsed.empty:
        return
    repo = payload["repository"]
    invocation = Invocation(
        installation_id=int(payload["installation"]["id"]),
        repository_id=int(repo["id"]),
        full_name=repo["full_name"],
        pr_number=int(issue["number"]),
        actor=comment["user"]["login"],
        source="comment",
        key=comment_key(comment),
        comment_id=int(comment["id"]),
    )
    await run_commands(gh, deps, invocation, parsed)


async def handle_requested_action(
    gh: GitHubAPI,
    deps: Deps,
    payload: dict[str, Any],
    *,
    delivery_id: str | None,
) -> None:
    """check_run.requested_action: a button of one of our check runs."""
    check_run = payload["check_run"]
    app_id = deps.settings.github_app_id
    if app_id is not None and (check_run.get("app") or {}).get("id") not in (None, app_id):
        return  # GitHub sends these to the check run's own app only; be sure anyway
    sender = payload.get("sender") or {}
    if _is_bot(sender):
        return
    identifier = str((payload.get("requested_action") or {}).get("identifier", ""))
    prs = check_run.get("pull_requests") or []
    repo = payload["repository"]
    invocation = Invocation(
        installation_id=int(payload["installation"]["id"]),
        repository_id=int(repo["id"]),
        full_name=repo["full_name"],
        pr_number=int(prs[0]["number"]) if prs else None,
        actor=sender["login"],
        source="check_run",
        # Not the delivery id: a signed payload sent again under a new delivery id is the same press.
        key=f"{check_run['id']}:{identifier}:{sender.get('id') or sender['login']}",
        head_sha=check_run.get("head_sha"),
    )
    try:
        parsed = Parsed(commands=(parse_action_identifier(identifier),))
    except CommandSyntaxError as exc:
        parsed = Parsed(errors=(CommandError(str(exc)),))
    await run_commands(gh, deps, invocation, parsed)


# --- the common path ---------------------------------------------------------------------------------------


class CommandsInProgress(RuntimeError):
    """Another worker holds this comment's commands: the job is retried later (transient)."""


COMMAND_LEASE_SECONDS = 300.0  # longer than a command takes; a dead worker's claim is taken over after it
_INTERRUPTED = (
    "was interrupted while it asked GitHub to act, so whether it took effect is unknown; "
    "check before asking again. Nothing more was done."
)


async def run_commands(gh: GitHubAPI, deps: Deps, inv: Invocation, parsed: Parsed) -> None:
    """Run a comment's (or button's) commands exactly once: claimed with a lease, each outcome recorded as it
    finishes, the reply posted once (found again by its marker when an earlier attempt may have posted it)."""
    pool = deps.pool
    claim = await store.claim_execution(
        pool,
        inv.installation_id,
        inv.source,
        inv.key,
        repository_id=inv.repository_id,
        actor=inv.actor,
        lease_seconds=COMMAND_LEASE_SECONDS,
    )
    if claim is None:
        log.info("commands of %s %s already ran", inv.source, inv.key)
        return
    if isinstance(claim, store.Busy):
        raise CommandsInProgress(f"commands of {inv.source} {inv.key} are running elsewhere ({claim.seconds:.0f} s)")
    try:
        await _run_claimed(gh, deps, inv, parsed, claim)
    except Exception:
        # Transient (5xx, network, rate limits) or unexpected: the job's retry takes the claim over at once.
        # Finished commands are recorded and not run again; a write that may have happened is reported.
        await store.release_execution(pool, inv.installation_id, inv.source, inv.key)
        raise
    await store.finish_execution(pool, inv.installation_id, inv.source, inv.key)


def _recorded(claim: store.Claim, index: str) -> Outcome | None:
    found = claim.outcomes.get(index)
    if not isinstance(found, dict):
        return None
    if found.get("state") == "started":  # a write was under way when that attempt ended
        return Outcome("failed", _INTERRUPTED, found.get("target"))
    return Outcome(found["result"], found["message"], found.get("target"), dict(found.get("detail") or {}))


async def _record(deps: Deps, inv: Invocation, index: str, outcome: Outcome) -> None:
    await store.record_command_outcome(
        deps.pool,
        inv.installation_id,
        inv.source,
        inv.key,
        index,
        {"result": outcome.result, "message": outcome.message, "target": outcome.target, "detail": outcome.detail},
    )


async def _run_claimed(gh: GitHubAPI, deps: Deps, inv: Invocation, parsed: Parsed, claim: store.Claim) -> None:
    await _react(gh, inv, "eyes")  # GitHub keeps one reaction per user and content: a retry adds none
    outcomes: list[tuple[str, Outcome]] = []
    for number, error in enumerate(parsed.errors):
        index = f"e{number}"
        outcome = _recorded(claim, index) or Outcome("refused", error.message)
        if index not in claim.outcomes:
            await _audit(deps, inv, "command.invalid", outcome, text=error.text)
            await _record(deps, inv, index, outcome)
        outcomes.append((error.text or "(command)", outcome))
    if parsed.commands:
        access = None
        for number, command in enumerate(parsed.commands):
            index = f"c{number}"
            recorded = _recorded(claim, index)
            if recorded is not None:
                outcomes.append((command.describe(), recorded))
                if index in claim.outcomes and claim.outcomes[index].get("state") == "started":
                    await _audit(deps, inv, f"command.{command.name.value}", recorded, text=command.describe())
                    await _record(deps, inv, index, recorded)
                continue
            if access is None:
                access = await repository_access(
                    gh, deps.queue, installation_id=inv.installation_id, full_name=inv.full_name, login=inv.actor
                )
            if not access.may_run_commands:
                outcome = Outcome(
                    "denied",
                    (
                        f"{escaping.markdown_text('@' + inv.actor)} has {code(access.role_name)} access; "
                        f"ci-triage commands can be run by {WHO_MAY}. "
                        "Nothing was done."
                    ),
                    detail={"role_name": access.role_name, "permission": access.permission},
                )
            else:

                async def before_write(index: str = index, command: Command = command) -> None:
                    await store.record_command_outcome(
                        deps.pool, inv.installation_id, inv.source, inv.key, index,
                        {"state": "started", "target": command.fix_id or command.test_id},
                    )

                try:
                    outcome = await execute(gh, deps, inv, command, before_write=before_write)
                except gidgethub.BadRequest as exc:
                    if isinstance(exc, gidgethub.RateLimitExceeded):
                        raise
                    outcome = Outcome("failed", f"GitHub answered {exc.status_code}: {code(str(exc), 200)}")
            await _audit(deps, inv, f"command.{command.name.value}", outcome, text=command.describe())
            await _record(deps, inv, index, outcome)
            outcomes.append((command.describe(), outcome))
    await _reply(gh, deps, inv, outcomes, claim)
    await _react(gh, inv, "rocket" if outcomes and all(o.ok for _, o in outcomes) else "confused")


BeforeWrite = Callable[[], Awaitable[None]]


async def _nothing() -> None:
    return None


async def execute(
    gh: GitHubAPI, deps: Deps, inv: Invocation, command: Command, *, before_write: BeforeWrite = _nothing
) -> Outcome:
    """One command. ``before_write`` runs right before a request that cannot be repeated safely (a re-run),
    so an attempt that dies after it is reported, not repeated."""
    name = command.name
    if name is CommandName.HELP:
        return Outcome("ok", HELP_TEXT)
    if name is CommandName.APPROVE:
        return await _approve(gh, deps, inv, command.fix_id or "", command.diff_hash)
    if name is CommandName.REJECT:
        return await _reject(gh, deps, inv, command.fix_id or "", command.reason)
    if name is CommandName.RETRY:
        return await _retry(gh, inv, before_write)
    if name is CommandName.EXPLAIN:
        return await _explain(deps, inv, command.failure)
    if name is CommandName.QUARANTINE:
        return await _quarantine(deps, inv, command.test_id or "", command.days or 14)
    if name is CommandName.UNQUARANTINE:
        return await _unquarantine(deps, inv, command.test_id or "")
    raise AssertionError(f"unhandled command {name}")


async def _find_fix(deps: Deps, inv: Invocation, fix_id: str) -> tuple[store.FixRow | None, Outcome | None]:
    fix = await store.get_fix(deps.pool, inv.installation_id, fix_id)
    if fix is None or fix.repository_id != inv.repository_id:
        return None, Outcome("refused", f"there is no fix {code(fix_id)} in this repository.", target=fix_id)
    if inv.pr_number is not None and fix.pr_number is not None and fix.pr_number != inv.pr_number:
        return None, Outcome("refused", f"fix {code(fix_id)} belongs to pull request #{fix.pr_number}.", target=fix_id)
    return fix, None


async def _approve(gh: GitHubAPI, deps: Deps, inv: Invocation, fix_id: str, diff_hash: str | None) -> Outcome:
    fix, refusal = await _find_fix(deps, inv, fix_id)
    if fix is None:
        assert refusal is not None
        return refusal
    if not shown_whole(fix.diff):
        return Outcome(
            "refused",
            f"fix {code(fix_id)} is too large to be shown whole, so it cannot be approved; nothing was done.",
            target=fix_id,
        )
    seen = diff_hash or ""
    if len(seen) < len(short_hash(fix.diff)) or not store.diff_hash(fix.diff).startswith(seen):
        # What is approved is what was seen: the hash shown beside the diff must come with the approval.
        return Outcome(
            "refused",
            f"{code(diff_hash or '(none)', 70)} is not the hash of fix {code(fix_id)}'s diff; approve with the "
            "hash shown beside the diff you read. Nothing was done.",
            target=fix_id,
        )
    if fix.status == "applied":
        return Outcome(
            "refused", f"fix {code(fix_id)} was already applied in `{(fix.commit_sha or '')[:7]}`.", target=fix_id
        )
    if fix.status == "rejected":
        return Outcome(
            "refused",
            f"fix {code(fix_id)} was rejected by {escaping.markdown_text('@' + (fix.decided_by or '?'))}; "
            "it cannot be approved.",
            target=fix_id,
        )
    if fix.status == "suggested_in_review":
        return Outcome("refused", f"fix {code(fix_id)} was already offered as review suggestions.", target=fix_id)
    pr_number = inv.pr_number or fix.pr_number
    if pr_number is None:
        return Outcome("refused", f"fix {code(fix_id)} is not attached to a pull request.", target=fix_id)
    lock = f"ci-triage:applying:{inv.installation_id}:{fix.id}"
    if not await deps.queue.set(lock, inv.actor, ex=APPLY_LOCK_SECONDS, nx=True):
        return Outcome("refused", f"fix {code(fix_id)} is being applied right now.", target=fix_id)
    try:
        result = await apply_fix(gh, fix, pr_number=pr_number, approver=inv.actor)
        detail = {
            "pr": pr_number,
            "commit_sha": result.commit_sha,
            "review_url": result.review_url,
            "source": fix.source,
            "rule": fix.rule,
        }
        if result.outcome == "refused":
            await store.set_fix_status(
                deps.pool, inv.installation_id, fix.id, status="failed", by=inv.actor, reason=result.message[:500]
            )
            return Outcome("refused", f"fix {code(fix_id)} was not applied: {result.message}", fix_id, detail)
        await store.set_fix_status(
            deps.pool, inv.installation_id, fix.id, status=result.outcome, by=inv.actor, commit_sha=result.commit_sha
        )
        await _publish(gh, deps, inv, fix.id, "approve")
        title = escaping.markdown_text(fix.title, limit=200)
        return Outcome("ok", f"fix {code(fix_id)} ({title}): {result.message}", fix_id, detail)
    finally:
        await deps.queue.delete(lock)


async def _publish(gh: GitHubAPI, deps: Deps, inv: Invocation, fix_id: str, decision: str) -> None:
    """The PR stops offering `/triage approve` for the decided fix and says who decided (comment and check run),
    however it was decided; best effort (``publish_decision`` logs what GitHub refused)."""
    row = await store.get_fix(deps.pool, inv.installation_id, fix_id)
    await publish_decision(deps, row, decision, by=inv.actor, via=inv.decided_via, gh=gh)


async def _reject(gh: GitHubAPI, deps: Deps, inv: Invocation, fix_id: str, reason: str | None) -> Outcome:
    fix, refusal = await _find_fix(deps, inv, fix_id)
    if fix is None:
        assert refusal is not None
        return refusal
    clean_reason = redact_for_model(reason[:500]) if reason else None  # a pasted secret is not kept
    if not await store.set_fix_status(
        deps.pool, inv.installation_id, fix.id, status="rejected", by=inv.actor, reason=clean_reason
    ):
        return Outcome("refused", f"fix {code(fix_id)} is already {fix.status.replace('_', ' ')}.", target=fix_id)
    await _publish(gh, deps, inv, fix.id, "reject")
    said = f" Reason recorded: {code(clean_reason, 300)}." if clean_reason else ""
    return Outcome("ok", f"fix {code(fix_id)} rejected.{said}", fix_id, {"reason": clean_reason})


async def _retry(gh: GitHubAPI, inv: Invocation, before_write: BeforeWrite = _nothing) -> Outcome:
    base = repo_url(inv.full_name)
    head_sha = inv.head_sha
    if inv.pr_number is not None:
        pr: Any = await gh.getitem(f"{base}/pulls/{inv.pr_number}")
        head_sha = pr["head"]["sha"]
    if not head_sha:
        return Outcome("refused", "no pull request or commit to re-run.")
    runs: Any = await gh.getitem(f"{base}/actions/runs?head_sha={head_sha}&per_page=100")
    failed = [r for r in runs.get("workflow_runs", []) if r.get("conclusion") in FAILED_JOB]  # runs with logs
    if not failed:
        return Outcome("refused", f"no failed workflow run on the head commit `{head_sha[:7]}`; nothing to re-run.")
    latest = max(failed, key=lambda r: (str(r.get("created_at") or ""), int(r["id"])))
    await before_write()
    try:
        await gh.post(f"{base}/actions/runs/{latest['id']}/rerun-failed-jobs", data={})
    except (gidgethub.GitHubBroken, GitHubUnavailable):
        # The request may have reached GitHub: never sent twice (the client does not retry a POST either).
        return Outcome("failed", "GitHub did not confirm the re-run; it " + _INTERRUPTED, str(latest["id"]))
    label = f"{latest.get('name') or 'workflow'} #{latest.get('run_number', latest['id'])}"
    return Outcome(
        "ok",
        f"re-running the failed jobs of [{code(label)}]({latest.get('html_url', '')}).",
        str(latest["id"]),
        {"run_id": latest["id"], "head_sha": head_sha},
    )


def _pick_failure(failures: list[dict[str, Any]], wanted: str | None) -> dict[str, Any] | None:
    if not failures:
        return None
    if not wanted:
        return failures[0]
    if wanted.isdigit() and 1 <= int(wanted) <= len(failures):
        return failures[int(wanted) - 1]
    for f in failures:
        if wanted in (f.get("test_id"), f.get("file"), f.get("fingerprint")):
            return f
    lowered = wanted.lower()
    return next(
        (
            f
            for f in failures
            if lowered in " ".join(str(f.get(k) or "") for k in ("test_id", "file", "message")).lower()
        ),
        None,
    )


def describe_failure(f: dict[str, Any]) -> str:
    where = f"{f['file']}:{f['line']}" if f.get("file") and f.get("line") else f.get("file") or ""
    kind = escaping.markdown_text(str(f.get("kind") or "failure"), limit=40)
    head = f"**{kind}** from {code(str(f.get('tool')), 60)}" + (f" in {code(where, 200)}" if where else "")
    if f.get("test_id"):
        head += f", test {code(str(f['test_id']), 200)}"
    if f.get("job"):
        head += f" (job {code(str(f['job']))})"
    excerpt = str(f.get("excerpt") or "").strip()
    body = f"{head}\n\n> {escaping.markdown_text(str(f.get('message') or ''), limit=500)}"
    if excerpt:
        body += "\n\n" + escaping.code_block(excerpt[:20_000])
    return body


async def _explain(deps: Deps, inv: Invocation, wanted: str | None) -> Outcome:
    if inv.pr_number is None:
        return Outcome("refused", "explain works on pull requests.")
    context = await store.latest_context(deps.pool, inv.installation_id, inv.repository_id, inv.pr_number)
    failure = _pick_failure(context[1], wanted) if context else None
    if failure is None:
        which = f" matching {code(wanted)}" if wanted and context else ""
        return Outcome("refused", f"no triaged failure{which} on this pull request yet.")
    text = describe_failure(failure)
    model = deps.services.fix_model
    if model is not None:
        budget = Budget(prompt_tokens=3_000, answer_tokens=700)
        excerpt = redact_for_model(f"{failure.get('message')}\n{failure.get('excerpt') or ''}")
        try:
            explanation = await model.explain(
                explain_messages(excerpt, wanted, budget=budget), max_tokens=budget.answer_tokens
            )
            # The model's words are untrusted (it read the log): literal paragraphs, no links, HTML or pings.
            text += "\n\n" + escaping.markdown_paragraphs(redact_for_model(explanation.strip()), limit=4_000)
        except ModelError as exc:
            log.warning("explain without the model: %s", exc)
    fixes = (
        [
            f
            for f in await store.fixes_for_pr(deps.pool, inv.installation_id, inv.repository_id, inv.pr_number)
            if f.status == "suggested" and f.head_sha == context[0]
        ]
        if context
        else []
    )
    if fixes:
        text += "\n\nSuggested: " + ", ".join(
            f"{code(f.id)} ({escaping.markdown_text(f.title, limit=200)})" for f in fixes[:3]
        )
    return Outcome("ok", text, failure.get("test_id") or failure.get("fingerprint"))


async def _quarantine(deps: Deps, inv: Invocation, test_id: str, days: int) -> Outcome:
    q = await store.quarantine_test(
        deps.pool,
        installation_id=inv.installation_id,
        repository_id=inv.repository_id,
        test_id=test_id,
        by=inv.actor,
        days=days,
    )
    until = _date(q.expires_at)
    return Outcome(
        "ok",
        (
            f"{code(test_id, 200)} is quarantined until {until}: its failures are still reported, "
            "marked quarantined, and do not count against the pull request."
        ),
        test_id,
        {"days": days, "expires_at": q.expires_at.isoformat()},
    )


async def _unquarantine(deps: Deps, inv: Invocation, test_id: str) -> Outcome:
    if await store.end_quarantine(
        deps.pool, installation_id=inv.installation_id, repository_id=inv.repository_id, test_id=test_id, by=inv.actor
    ):
        return Outcome("ok", f"{code(test_id, 200)} is no longer quarantined.", test_id)
    return Outcome("refused", f"{code(test_id, 200)} is not quarantined.", test_id)


def _date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


# --- GitHub side effects -----------------------------------------------------------------------------------


async def _react(gh: GitHubAPI, inv: Invocation, content: str) -> None:
    if inv.comment_id is None:
        return
    try:
        await gh.post(
            f"{repo_url(inv.full_name)}/issues/comments/{inv.comment_id}/reactions", data={"content": content}
        )
    except gidgethub.BadRequest as exc:  # a missing reaction must not stop the command
        log.warning("reaction %s failed: %s", content, exc.status_code)


def reply_marker(inv: Invocation) -> str:
    """Hidden in the reply: a retried job finds the reply an earlier attempt posted and posts no other."""
    return f"<!-- ci-triage:reply {inv.source}:{inv.key} -->"


def reply_body(actor: str, outcomes: list[tuple[str, Outcome]], *, marker: str = "") -> str:
    lines = []
    for text, outcome in outcomes:
        mark = {"ok": "✅", "denied": "⛔", "refused": "⚠️", "failed": "❌"}[outcome.result]
        lines.append(f"{mark} {code(text, 120)}: {outcome.message}")
    body = f"{mention(actor)}\n\n" + "\n\n".join(lines)
    if len(body) > 64_000:
        body = body[:63_900] + "\n\n[… cut]"
    return f"{body}\n\n{marker}" if marker else body


async def _posted_reply(gh: GitHubAPI, inv: Invocation, claim: store.Claim, marker: str) -> str | None:
    """The reply an earlier attempt posted (its POST may have succeeded though the answer was lost)."""
    since = claim.claimed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    url = f"{repo_url(inv.full_name)}/issues/{inv.pr_number}/comments?since={since}&per_page=100"
    async for comment in gh.getiter(url):
        if marker in str(comment.get("body") or "") and (comment.get("user") or {}).get("type") == "Bot":
            return str(comment.get("html_url") or comment.get("url") or "posted")
    return None


async def _reply(
    gh: GitHubAPI, deps: Deps, inv: Invocation, outcomes: list[tuple[str, Outcome]], claim: store.Claim
) -> None:
    if inv.pr_number is None or not outcomes or claim.reply_url:
        return
    marker = reply_marker(inv)
    if claim.taken_over:
        found = await _posted_reply(gh, inv, claim, marker)
        if found is not None:
            await store.record_reply(deps.pool, inv.installation_id, inv.source, inv.key, found)
            return
    posted: Any = await gh.post(
        f"{repo_url(inv.full_name)}/issues/{inv.pr_number}/comments",
        data={"body": reply_body(inv.actor, outcomes, marker=marker)},
    )
    url = str((posted or {}).get("html_url") or "posted")
    await store.record_reply(deps.pool, inv.installation_id, inv.source, inv.key, url)


async def _audit(deps: Deps, inv: Invocation, action: str, outcome: Outcome, *, text: str) -> None:
    await store.audit(
        deps.pool,
        installation_id=inv.installation_id,
        repository_id=inv.repository_id,
        actor=inv.actor,
        action=action,
        target=outcome.target,
        result=outcome.result,
        message=redact_for_model(outcome.message[:2000]),
        detail={
            "command": redact_for_model(text[:300]),
            "source": inv.source,
            "key": inv.key,
            "pr": inv.pr_number,
            **{k: v for k, v in outcome.detail.items() if v is not None},
        },
    )
