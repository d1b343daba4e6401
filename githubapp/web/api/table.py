"""The REST API under /api: operations declared in ``operations()``, served and documented from one list."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from analysis import ci_metrics
from analysis.flakiness import FLAKY_SCORE
from storage import browse, health_metrics
from storage import fixes as fix_store
from storage.browse import FailureFilter, Scope

from ..api.auth import request_api_key
from ..deps import Deps
from . import fix_actions, fixes_api, ingest, snapshots_doc, triage_metrics
from . import schemas as s
from .api_errors import ApiError, error_response, not_found
from .fix_actions import Target, quarantine
from .openapi import (
    Document,
    FieldError,
    Operation,
    Param,
    ValidationFailed,
    decode_cursor,
    encode_cursor,
    parse_params,
    validate_body,
)
from .principal import Principal

log = logging.getLogger("ci_triage.api")

JSON = dict[str, Any]
MAX_JSON_BODY = 1024 * 1024


@dataclass
class Call:
    """One API request after authentication and validation."""

    request: Request
    deps: Deps
    principal: Principal
    params: dict[str, Any]
    body: Any

    @property
    def scope(self) -> Scope:
        return Scope(list(self.principal.installations), self.principal.repo_filter)


# ---- authentication and limits ------------------------------------------------------------------------------


async def authenticate(deps: Deps, request: Request) -> Principal:
    """The API key's principal (githubapp.api.auth: Bearer or x-api-key, hashed keys); 401 with the same
    answer for missing, unknown and revoked keys."""

    key = await request_api_key(request)
    if key is None:
        raise ApiError(
            401, "unauthorized", "a valid API key is required (Authorization: Bearer KEY or x-api-key: KEY)",
            {"WWW-Authenticate": 'Bearer realm="ci-triage"'},
        )
    return Principal(kind="key", actor=f"api-key:{key.id}", installations=(key.installation_id,), key_id=key.id,
                     scopes=key.scopes)


# ---- request handling ---------------------------------------------------------------------------------------


async def read_json(request: Request) -> Any:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise ApiError(415, "unsupported_media_type", "send application/json")
    raw = await request.body()
    if len(raw) > MAX_JSON_BODY:
        raise ApiError(413, "too_large", f"the body is larger than {MAX_JSON_BODY} bytes")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "bad_json", "the body is not valid JSON") from None


def endpoint(op: Operation) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        deps: Deps = request.app.state.deps
        response = await answer(request, deps)
        await triage_metrics.count(deps, "ci_triage_api_requests_total", operation=op.operation_id,
                                   status=response.status_code)
        return response

    async def answer(request: Request, deps: Deps) -> Response:
        try:
            principal = await authenticate(deps, request)  # rate limits: ratelimit.ApiRateLimit, before this
            if not principal.allows(op.required_scope):
                raise ApiError(403, "insufficient_scope",
                               f"this API key lacks the {op.required_scope!r} scope (create a key with it)")
            params = parse_params(op.params, request.query_params, request.path_params)
            body: Any = None
            if op.body is not None:
                if op.reader is not None:
                    body = await op.reader(request, deps)
                elif op.optional_body and not await request.body():
                    body = {}
                else:
                    body = await read_json(request)
                validate_body(op.body, body, s.COMPONENTS)
            result = await op.handler(Call(request, deps, principal, params, body))
        except ValidationFailed as exc:
            return error_response(
                ApiError(422, "validation", str(exc)), [e.as_json() for e in exc.errors]
            )
        except ApiError as exc:
            return error_response(exc)
        if isinstance(result, Response):
            return result
        return JSONResponse(result, status_code=op.status)

    return handle


def _cursor_after(call: Call) -> tuple[datetime, int] | None:
    cursor = call.params.get("cursor")
    if cursor is None:
        return None
    when, ident = decode_cursor(cursor, [datetime, int])
    return when, ident


def _page(items: list[JSON], limit: int, time_field: str) -> JSON:
    more = len(items) > limit
    items = items[:limit]
    next_cursor = None
    if more and items:
        last = items[-1]
        next_cursor = encode_cursor(datetime.fromisoformat(last[time_field]), last["id"])
    return {"items": items, "nextCursor": next_cursor}


async def _repo_ids(call: Call) -> list[int] | None:
    name = call.params.get("repository")
    if name is None:
        return None
    return await browse.repository_ids_named(call.deps.pool, call.scope, name)


# ---- handlers -----------------------------------------------------------------------------------------------


async def list_repositories(call: Call) -> JSON:
    return {"items": await browse.repositories(call.deps.pool, call.scope), "nextCursor": None}


async def list_runs(call: Call) -> JSON:
    p = call.params
    rows = await browse.runs(
        call.deps.pool, call.scope, repository_ids=await _repo_ids(call), branch=p["branch"],
        conclusion=p["conclusion"], after=_cursor_after(call), limit=p["limit"] + 1,
    )
    return _page(rows, p["limit"], "finishedAt")


def failure_filter(params: dict[str, Any], repository_ids: list[int] | None) -> FailureFilter:
    since, until = params.get("since"), params.get("until")
    if since and until and since >= until:
        raise ValidationFailed([FieldError("until", "must be later than since")])
    return FailureFilter(
        repository_ids=repository_ids, branch=params.get("branch"), kind=params.get("kind"), since=since,
        until=until, pattern_id=params.get("pattern"), verdict=params.get("verdict"),
    )


async def list_failures(call: Call) -> JSON:
    p = call.params
    where = failure_filter(p, await _repo_ids(call))
    if p.get("run") is not None:
        key = await browse.run_key(call.deps.pool, call.scope, p["run"])
        if key is None:
            return {"items": [], "nextCursor": None}
        where = replace(where, run_id=key[0], run_attempt=key[1])
    rows = await browse.failures(call.deps.pool, call.scope, where, after=_cursor_after(call), limit=p["limit"] + 1)
    return _page(rows, p["limit"], "seenAt")


async def get_failure(call: Call) -> JSON:
    found = await browse.failure(call.deps.pool, call.scope, call.params["failure_id"])
    if found is None:
        raise not_found("failure")
    return found


async def list_patterns(call: Call) -> JSON:
    p = call.params
    rows = await browse.patterns(
        call.deps.pool, call.scope, status=p["status"], after=_cursor_after(call), limit=p["limit"] + 1
    )
    return _page(rows, p["limit"], "lastSeen")


async def get_pattern(call: Call) -> JSON:
    pattern_id = call.params["pattern_id"]
    found = await browse.pattern(call.deps.pool, call.scope, pattern_id)
    if found is None:
        raise not_found("pattern")
    members = await browse.failures(
        call.deps.pool, call.scope, FailureFilter(pattern_id=pattern_id), after=None, limit=50
    )
    timeline = await browse.pattern_timeline(call.deps.pool, call.scope, pattern_id, days=30)
    return {"pattern": found, "members": members, "timeline": timeline}


async def search_patterns(call: Call) -> JSON:
    history = call.deps.services.history
    if history is None:
        raise ApiError(503, "unavailable", "pattern history is not available")
    p = call.params
    hits: list[dict[str, Any]] = []
    for installation_id in call.principal.installations:
        for hit in await history.search(installation_id, p["q"], top_k=p["top_k"], threshold=p["threshold"]):
            if not math.isfinite(hit.similarity):
                continue  # a text without any token embeds to the zero vector: cosine is undefined (NaN)
            visible = call.principal.repositories is None or any(
                call.principal.sees_repository(installation_id, r) for r in hit.repositories
            )
            if visible:
                hits.append(
                    {
                        "patternId": hit.pattern_id,
                        "installationId": installation_id,
                        "similarity": float(hit.similarity),
                        "title": hit.title,
                        "kind": hit.kind,
                        "occurrences": hit.occurrences,
                        "lastSeen": hit.last_seen.isoformat(),
                        "status": hit.status,
                    }
                )
    hits.sort(key=lambda h: (-h["similarity"], h["patternId"]))
    return {"items": hits[: p["top_k"]], "nextCursor": None}


async def require_write(call: Call, installation_id: int, pattern_ids: list[int]) -> None:
    """Pattern write actions need write permission on every repository the patterns touch (users)."""
    touched = await browse.pattern_repositories(call.deps.pool, installation_id, pattern_ids)
    if not call.principal.may_change(touched):
        raise ApiError(403, "forbidden", "changing this pattern needs write permission on every repository it "
                       "touches")


def _status_setter(status: str) -> Callable[[Call], Awaitable[JSON]]:
    async def set_status(call: Call) -> JSON:
        pattern_id = call.params["pattern_id"]
        installation_id = await browse.pattern_installation(call.deps.pool, call.scope, pattern_id)
        if installation_id is None:
            raise not_found("pattern")
        await require_write(call, installation_id, [pattern_id])
        await browse.set_pattern_status(call.deps.pool, installation_id, pattern_id, status)
        found = await browse.pattern(call.deps.pool, call.scope, pattern_id)
        assert found is not None
        return found

    return set_status


async def merge_pattern(call: Call) -> JSON:
    source_id, target_id = call.params["pattern_id"], call.body["into"]
    if source_id == target_id:
        raise ValidationFailed([FieldError("into", "must be another pattern")])
    source_inst = await browse.pattern_installation(call.deps.pool, call.scope, source_id)
    target_inst = await browse.pattern_installation(call.deps.pool, call.scope, target_id)
    if source_inst is None:
        raise not_found("pattern")
    if target_inst is None or target_inst != source_inst:
        raise ValidationFailed([FieldError("into", "no such pattern in this installation")])
    await require_write(call, source_inst, [source_id, target_id])  # a merge rewrites both histories
    async with call.deps.pool.acquire() as conn:
        merged = await browse.merge_patterns(conn, source_inst, source_id, target_id, actor=call.principal.actor)
    if not merged:
        raise not_found("pattern")
    found = await browse.pattern(call.deps.pool, call.scope, target_id)
    assert found is not None
    return found


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
                    "lastSeen": _iso_or_none(getattr(score, "last_failed_at", None)),
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


def _iso_or_none(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None


async def list_flaky(call: Call) -> JSON:
    repo_ids = await _repo_ids(call)
    if repo_ids == []:
        return {"items": [], "nextCursor": None}
    items: list[JSON] = []
    wanted: list[int | None] = list(repo_ids) if repo_ids else [None]
    for repo_id in wanted:
        items += await flaky_tests(call.deps, call.scope, call.principal, repo_id)
    return {"items": items[: call.params["limit"]], "nextCursor": None}


async def compute_metrics(deps: Deps, scope: Scope, principal: Principal, repository_id: int | None,
                          days: int) -> JSON:
    until = datetime.now(UTC)
    since = until - timedelta(days=days)
    # The series counts calendar days (UTC): from midnight ``days - 1`` days ago, so each bucket is one date.
    series_start = until.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days - 1)
    pool = deps.pool
    runs = await health_metrics.run_points(pool, scope, repository_id, since)
    default_runs = await health_metrics.run_points(pool, scope, repository_id, since, default_branch_only=True)
    bucket = timedelta(days=1) if days <= 60 else timedelta(days=7)
    series_start = series_start if days <= 60 else since
    series = ci_metrics.failure_rate_series(runs, start=series_start, end=until, bucket=bucket)
    recovery = ci_metrics.time_to_recovery(default_runs)
    hits = await health_metrics.pattern_hits(pool, scope, repository_id, since)
    fixes = ci_metrics.fix_rates(await health_metrics.fix_records(pool, scope, repository_id, since))
    deploy = ci_metrics.deployment_metrics(
        await health_metrics.deployment_statuses(pool, scope, repository_id, since), start=since, end=until
    )
    flaky = (await flaky_tests(deps, scope, principal, repository_id))[:10]

    def impact(p: ci_metrics.PatternImpact) -> JSON:
        return {"patternId": p.pattern_id, "title": p.title, "occurrences": p.occurrences, "runs": p.runs,
                "minutesLost": round(p.minutes_lost, 2)}

    return {
        "repositoryId": repository_id,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "runs": len(runs),
        "failureRate": ci_metrics.failure_rate(runs),
        "failureRateSeries": [
            {"start": b.start.isoformat(), "runs": b.runs, "failed": b.failed, "rate": b.rate} for b in series
        ],
        "timeToRecovery": {
            "episodes": recovery.episodes,
            "medianSeconds": recovery.median_seconds,
            "meanSeconds": recovery.mean_seconds,
            "failingSince": _iso_or_none(recovery.failing_since),
        },
        "topPatternsByOccurrences": [impact(p) for p in ci_metrics.top_patterns(hits, by="occurrences")],
        "topPatternsByTimeLost": [impact(p) for p in ci_metrics.top_patterns(hits, by="time_lost")],
        "flakyTests": flaky,
        "fixes": {
            "suggested": fixes.suggested, "decided": fixes.decided, "approved": fixes.approved,
            "rejected": fixes.rejected, "approvalRate": fixes.approval_rate, "successRate": fixes.success_rate,
        },
        "deployments": {
            "deployments": deploy.deployments, "successful": deploy.successful, "failed": deploy.failed,
            "perWeek": deploy.per_week, "changeFailureRate": deploy.change_failure_rate,
        },
    }


async def get_metrics(call: Call) -> JSON:
    repo_ids = await _repo_ids(call)
    if repo_ids is not None and len(repo_ids) != 1:
        raise ValidationFailed([FieldError("repository", "no such repository")])
    return await compute_metrics(call.deps, call.scope, call.principal, repo_ids[0] if repo_ids else None,
                                 call.params["days"])


# ---- declarations -------------------------------------------------------------------------------------------

LIMIT = Param("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}, "Page size.")
CURSOR = Param("cursor", {"type": "string", "minLength": 1, "maxLength": 500},
               "The nextCursor of the previous page.")
REPOSITORY = Param("repository", {"type": "string", "minLength": 1, "maxLength": 300},
                   "Repository full name (owner/name).")
BRANCH = Param("branch", {"type": "string", "minLength": 1, "maxLength": 500}, "Branch name.")
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
KINDS = ["test", "compile", "type", "lint", "dependency", "infra", "crash", "timeout", "config", "unknown"]


def pattern_path(suffix: str = "") -> str:
    return "/api/patterns/{pattern_id}" + suffix


PATTERN_ID = Param("pattern_id", ID_SCHEMA, "Pattern id.", where="path")


def operations() -> list[Operation]:
    return [
        Operation("GET", "/api/repositories", "listRepositories", "Repositories visible to the key",
                  list_repositories, "repositories", s.page("Repository")),
        Operation("GET", "/api/runs", "listRuns", "CI runs, newest first", list_runs, "runs", s.page("Run"),
                  params=(REPOSITORY, BRANCH,
                          Param("conclusion", {"type": "string", "enum": ["success", "failure"]}, "Outcome."),
                          CURSOR, LIMIT)),
        Operation("GET", "/api/failures", "listFailures", "Failures, newest first", list_failures, "failures",
                  s.page("Failure"),
                  params=(REPOSITORY, BRANCH,
                          Param("kind", {"type": "string", "enum": KINDS}, "Failure kind."),
                          Param("since", {"type": "string", "format": "date-time"}, "Seen at or after."),
                          Param("until", {"type": "string", "format": "date-time"}, "Seen before."),
                          Param("pattern", ID_SCHEMA, "Pattern id."),
                          Param("verdict", {"type": "string", "enum": ["new", "pre-existing", "flaky", "infra"]},
                                "Whose fault: only failures given this verdict."),
                          Param("run", ID_SCHEMA, "A run id of /api/runs."),
                          CURSOR, LIMIT)),
        Operation("GET", "/api/failures/{failure_id}", "getFailure", "One failure with excerpt, match and links",
                  get_failure, "failures", s.ref("FailureDetail"),
                  params=(Param("failure_id", ID_SCHEMA, "Failure id.", where="path"),)),
        Operation("GET", "/api/patterns", "listPatterns", "Failure patterns, most recently seen first",
                  list_patterns, "patterns", s.page("Pattern"),
                  params=(Param("status", {"type": "string", "enum": ["active", "muted", "pinned"]}, "Status."),
                          CURSOR, LIMIT)),
        Operation("GET", "/api/patterns/search", "searchPatterns", "Patterns most similar to a text",
                  search_patterns, "patterns", s.page("SearchHit"),
                  params=(Param("q", {"type": "string", "minLength": 1, "maxLength": 20000}, "Text to match.",
                                required=True),
                          Param("top_k", {"type": "integer", "minimum": 1, "maximum": 50, "default": 5},
                                "Number of patterns."),
                          Param("threshold", {"type": "number", "minimum": 0, "maximum": 1, "default": 0.0},
                                "Minimum cosine similarity.")),
                  extra_responses=(503,)),
        Operation("GET", pattern_path(), "getPattern", "A pattern with members and a 30-day timeline",
                  get_pattern, "patterns", s.ref("PatternDetail"), params=(PATTERN_ID,)),
        Operation("POST", pattern_path("/mute"), "mutePattern", "Mute a pattern (reports stop flagging it)",
                  _status_setter("muted"), "patterns", s.ref("Pattern"), params=(PATTERN_ID,)),
        Operation("POST", pattern_path("/pin"), "pinPattern", "Pin a pattern (kept whatever its age)",
                  _status_setter("pinned"), "patterns", s.ref("Pattern"), params=(PATTERN_ID,)),
        Operation("POST", pattern_path("/activate"), "activatePattern", "Unmute or unpin a pattern",
                  _status_setter("active"), "patterns", s.ref("Pattern"), params=(PATTERN_ID,)),
        Operation("POST", pattern_path("/merge"), "mergePattern", "Merge this pattern into another",
                  merge_pattern, "patterns", s.ref("Pattern"), params=(PATTERN_ID,),
                  body=s.obj({"into": ID_SCHEMA})),
        Operation("GET", "/api/flaky-tests", "listFlakyTests", "Flaky tests by impact", list_flaky, "flaky-tests",
                  s.page("FlakyTest"), params=(REPOSITORY, LIMIT)),
        *(quarantine_operations() if fix_actions.available() else []),
        *fixes_api.operations(),
        Operation("GET", "/api/metrics", "getMetrics", "CI health metrics for a repository or the organisation",
                  get_metrics, "metrics", s.ref("Metrics"),
                  params=(REPOSITORY, Param("days", {"type": "integer", "minimum": 1, "maximum": 365, "default": 30},
                                            "Window in days."))),
        *ingest.operations(),
        *snapshots_doc.operations(),
    ]


def quarantine_operations() -> list[Operation]:
    """``/triage quarantine`` through the API: only with the fixes feature's command service."""
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


def document() -> Document:
    return Document(
        title="ci-triage API",
        version="1",
        description="Failures, patterns, flaky tests, fixes and CI health metrics of one installation, and "
        "ingestion of test runs from any CI. Authenticate with an API key (`ci-triage apikey create`).",
        components=s.COMPONENTS,
        operations=operations(),
    )


async def openapi_json(request: Request) -> JSONResponse:
    return JSONResponse(document().render(request.app.state.settings.public_url))


def routes() -> list[Route]:
    found: dict[str, list[Operation]] = {}
    for op in operations():
        if op.routed:
            found.setdefault(op.path, []).append(op)
    out = [Route("/api/openapi.json", openapi_json, methods=["GET"])]
    for path, ops in found.items():
        out.append(_route(path, ops))
    return out


def _route(path: str, ops: list[Operation]) -> Route:
    handlers = {op.method: endpoint(op) for op in ops}

    async def dispatch(request: Request) -> Response:
        return await handlers[request.method](request)

    return Route(path, dispatch, methods=list(handlers))
