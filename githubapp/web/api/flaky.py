"""Flaky tests by impact (``GET /api/flaky-tests``, also the dashboard's flaky page and the metrics), and
``/triage quarantine`` through the API, by the fixes feature's command service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from analysis.flakiness import FLAKY_SCORE
from storage import browse
from storage import fixes as fix_store
from storage.browse import Scope

from ...deps import Deps
from ..fix_actions import Target, quarantine
from . import schemas as s
from .call import JSON, LIMIT, REPOSITORY, Call, iso_or_none, repository_ids
from .openapi import FieldError, Operation, ValidationFailed
from .principal import Principal


async def flaky_tests(deps: Deps, scope: Scope, principal: Principal, repository_id: int | None) -> list[JSON]:
    """Flake scores from the history, for one repository or every visible one (the 50 most recent)."""
    history = deps.services.history
    if history is None:
        return []
    repos = await browse.repositories(deps.pool, scope)
    if repository_id is not None:
        repos = [r for r in repos if r["id"] == repository_id]
    out: list[JSON] = []
    for repo in repos[:50]:
        scores, suggestions = await history.flaky_tests(repo["installationId"], repo["id"],
                                                        default_branch=repo["defaultBranch"])
        suggested = {getattr(q, "test_id", None) for q in suggestions}
        quarantined = await active_quarantines(deps, repo["installationId"], repo["id"])
        for score in scores:
            # Only tests at the flaky threshold are flaky (the level at which a failure is reported as flaky);
            # a quarantined test stays listed whatever its score, so its quarantine can be ended.
            if score.score < FLAKY_SCORE and score.test_id not in quarantined:
                continue
            failures = int(getattr(score, "failures", 0))
            out.append(
                {
                    "repositoryId": repo["id"],
                    "repository": repo["fullName"],
                    "testId": score.test_id,
                    "score": float(score.score),
                    "failures": failures,
                    "runs": int(getattr(score, "runs", 0)),
                    "impact": float(score.score) * failures,
                    "lastSeen": iso_or_none(getattr(score, "last_failed_at", None)),
                    "quarantineSuggested": score.test_id in suggested,
                    "quarantinedUntil": quarantined.get(score.test_id),
                }
            )
    out.sort(key=lambda t: (-t["impact"], -t["score"], t["testId"]))
    return out


async def active_quarantines(deps: Deps, installation_id: int, repository_id: int) -> dict[str, str]:
    """Test id -> end of its quarantine (the fixes feature's table)."""
    rows = await fix_store.active_quarantines(deps.pool, installation_id, repository_id)
    return {q.test_id: q.expires_at.isoformat() for q in rows}


async def list_flaky(call: Call) -> JSON:
    repo_ids = await repository_ids(call)
    if repo_ids == []:
        return {"items": [], "nextCursor": None}
    items: list[JSON] = []
    wanted: list[int | None] = list(repo_ids) if repo_ids else [None]
    for repo_id in wanted:
        items += await flaky_tests(call.deps, call.scope, call.principal, repo_id)
    return {"items": items[: call.params["limit"]], "nextCursor": None}


async def quarantine_target(call: Call) -> Any:
    repos = await browse.repositories(call.deps.pool, call.scope)
    found = [r for r in repos if r["fullName"].lower() == call.body["repository"].lower()]
    if not found:
        raise ValidationFailed([FieldError("repository", "no such repository")])
    repo = found[0]
    return Target(repo["installationId"], repo["id"], repo["fullName"])


def _quarantiner(end: bool) -> Callable[[Call], Awaitable[JSON]]:
    async def run(call: Call) -> JSON:
        target = await quarantine_target(call)
        result, message = await quarantine(call.deps, call.principal, target, call.body["testName"],
                                           days=call.body.get("days", 14), end=end)
        return {"result": result, "message": message}

    return run


def operations() -> list[Operation]:
    return [
        Operation("GET", "/api/flaky-tests", "listFlakyTests", "Flaky tests by impact", list_flaky, "flaky-tests",
                  s.page("FlakyTest"), params=(REPOSITORY, LIMIT)),
        *quarantine_operations(),
    ]


def quarantine_operations() -> list[Operation]:
    """``/triage quarantine`` through the API, by the fixes feature's command service."""
    return [
        Operation("POST", "/api/flaky-tests/quarantine", "quarantineTest",
                  "Quarantine a test: its failures stop counting against pull requests", _quarantiner(False),
                  "flaky-tests", s.ref("CommandResult"), body=s.obj({
                      "repository": {"type": "string", "minLength": 1, "maxLength": 300},
                      "testName": {"type": "string", "minLength": 1, "maxLength": 1000},
                      "days": {"type": "integer", "minimum": 1, "maximum": 90}}, required=["repository", "testName"]),
                  description="Same rules as `/triage quarantine <test> [days]` (default 14 days)."),
        Operation("POST", "/api/flaky-tests/unquarantine", "unquarantineTest", "End a test's quarantine",
                  _quarantiner(True), "flaky-tests", s.ref("CommandResult"), body=s.obj({
                      "repository": {"type": "string", "minLength": 1, "maxLength": 300},
                      "testName": {"type": "string", "minLength": 1, "maxLength": 1000}})),
    ]
