"""Approve or reject a fix from the dashboard or the API through the fixes feature's command service, so the
same rules apply as for a `/triage approve` comment: the fix must belong to the repository (and its pull
request), and a signed-in user needs write, maintain or admin permission on the repository, asked of GitHub.
An API key is an operator-issued credential of its installation and decides as ``api-key:<id>``.
Every decision, allowed or denied, goes to the audit log like a comment command."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import storage.fixes as store
from githubapp.commands.authz import WHO_MAY, repository_access
from githubapp.commands.parser import Command, CommandName
from githubapp.commands.service import Invocation, Outcome, execute
from githubapp.github import github_of

from ..deps import Deps
from .api.principal import Principal
from .triage_metrics import count


def _via(principal: Principal) -> str:
    return "dashboard" if principal.kind == "user" else "api"

NOTICES = {
    "approved": "The fix was approved.",
    "rejected": "The fix was rejected.",
    "denied": "Only people with write, maintain or admin permission on the repository may decide on fixes.",
    "refused": "The fix cannot be decided in its current state.",
    "failed": "Applying the fix failed; see the pull request for details.",
}


@dataclass(frozen=True)
class Decision:
    notice: str  # a key of NOTICES
    message: str  # the command service's explanation (Markdown)


@dataclass(frozen=True)
class Target:
    installation_id: int
    repository_id: int
    full_name: str
    pr_number: int | None = None


async def run_command(deps: Deps, principal: Principal, target: Target, command: Any) -> tuple[str, str]:
    """Run one ``/triage`` command for ``principal``: (result, message), result one of ok, denied, refused,
    failed. A signed-in user needs the access a comment command needs; the decision is audited either way."""

    gh = github_of(deps).for_installation(target.installation_id)
    inv = Invocation(
        installation_id=target.installation_id,
        repository_id=target.repository_id,
        full_name=target.full_name,
        pr_number=target.pr_number,
        actor=principal.actor,
        source="comment",  # the command service's vocabulary; the audit detail says dashboard or api
        key=f"{principal.kind}:{uuid.uuid4()}",
        via=_via(principal),  # what the PR is told: "approved by @alice in the dashboard"
    )
    if principal.kind == "user":
        access = await repository_access(gh, deps.queue, installation_id=target.installation_id,
                                         full_name=target.full_name, login=principal.actor)
        if not access.may_run_commands:
            outcome = Outcome("denied", f"@{principal.actor} has `{access.role_name}` access; this can be done "
                              f"by {WHO_MAY}.", target=command.fix_id or command.test_id)
            await _audit(store, deps, inv, command, outcome, principal)
            return "denied", outcome.message
    outcome = await execute(gh, deps, inv, command)
    await _audit(store, deps, inv, command, outcome, principal)
    return outcome.result, outcome.message


async def decide(deps: Deps, principal: Principal, fix: dict[str, Any], decision: str, *,
                 reason: str | None, diff_hash: str | None = None) -> Decision:
    """``diff_hash``: for approvals, the short hash of the diff the approver was shown (required)."""

    if decision not in ("approve", "reject"):
        return Decision("refused", f"unknown decision {decision!r}")
    target = Target(int(fix["installationId"]), int(fix["repositoryId"]), str(fix["repository"]), fix["pullRequest"])
    command = Command(CommandName.APPROVE if decision == "approve" else CommandName.REJECT, fix_id=str(fix["id"]),
                      reason=reason, diff_hash=(diff_hash or "").strip().lower() or None)
    result, message = await run_command(deps, principal, target, command)
    if result == "ok":
        notice = "approved" if decision == "approve" else "rejected"
    else:
        notice = result if result in NOTICES else "failed"
    # the command service has told the PR (comment and check run) who decided, as it does for a comment
    await count(deps, "ci_triage_fix_decisions_total", decision=decision, result=notice, via=_via(principal))
    return Decision(notice, message)


async def quarantine(deps: Deps, principal: Principal, target: Target, test_id: str, *, days: int | None,
                     end: bool = False) -> tuple[str, str]:
    """``/triage quarantine <test> [days]`` (or ``unquarantine``) for a repository."""

    name = CommandName.UNQUARANTINE if end else CommandName.QUARANTINE
    return await run_command(deps, principal, target, Command(name, test_id=test_id, days=None if end else days))


async def _audit(store: Any, deps: Deps, inv: Any, command: Any, outcome: Any, principal: Principal) -> None:
    await store.audit(
        deps.pool,
        installation_id=inv.installation_id,
        repository_id=inv.repository_id,
        actor=inv.actor,
        action=f"command.{command.name.value}",
        target=outcome.target or command.fix_id or command.test_id,
        result=outcome.result,
        message=outcome.message[:2000],
        detail={"command": command.describe(), "via": _via(principal),
                "pr": inv.pr_number, **{k: v for k, v in outcome.detail.items() if v is not None}},
    )
