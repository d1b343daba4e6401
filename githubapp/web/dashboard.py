"""The dashboard: server-rendered pages (Jinja2), readable without JavaScript; forms carry a CSRF token.

Pages see what the signed-in user's GitHub access list allows, through the same scoped queries as the API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from analysis.flakiness import FLAKY_SCORE
from storage import attribution, browse, fix_queue
from storage.browse import FailureFilter, Scope
from storage.web_sessions import WebSession

from ..deps import Deps
from ..intake.reload import current_settings
from ..report import links
from ..report.cleaning import clean_excerpt, clean_line, headline
from . import charts, fix_actions, live
from .api import reference
from .api.failures import KINDS
from .api.flaky import flaky_tests
from .api.metrics import compute_metrics
from .api.openapi import FieldError, Param, ValidationFailed, decode_cursor, encode_cursor, parse_params
from .api.principal import Principal
from .api.table import document
from .resolutions import resolution_view
from .sessions import csrf_ok, current_session, principal_of

JSON = dict[str, Any]
PAGE = 25
NONE = "\u2013"  # an en dash for "no value"

_env: Environment | None = None


def templates() -> Environment:
    global _env
    if _env is None:
        _env = Environment(loader=PackageLoader("githubapp", "templates"), autoescape=select_autoescape(["html"]))
        _env.filters["when"] = _when
        _env.filters["pct"] = lambda v: NONE if v is None else f"{v:.0%}"
        _env.filters["duration"] = _duration
        # Text from logs as a reader wants it: no escape codes (any notation), timestamps or runner markers.
        _env.filters["clean"] = lambda text: "\n".join(clean_line(x) for x in str(text or "").splitlines())
        _env.filters["headline"] = lambda text: headline(str(text or ""))
    return _env


def _when(value: str | datetime | None) -> str:
    if not value:
        return NONE
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return NONE
    minutes = seconds / 60
    if minutes < 120:
        return f"{minutes:.0f} min"
    return f"{minutes / 60:.1f} h"


def render(request: Request, name: str, session: WebSession | None, status: int = 200, **context: Any) -> HTMLResponse:
    github_url = current_settings(request.app.state.deps).github_url
    html = templates().get_template(name).render(
        request=request, session=session, csrf=session.csrf_token if session else "",
        # GitHub's pages of a failure or run (run, job, pull request, commit) on the configured GitHub host
        failure_links=lambda f: links.failure_links(github_url, f),
        run_links=lambda r: links.ci_run_links(github_url, r),
        github=links.GitHubPages(github_url),
        **context
    )
    return HTMLResponse(html, status_code=status)


Handler = Callable[[Request, Deps, WebSession, Principal, Scope], Awaitable[Response]]


def page(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Sign-in required; a form post needs the session's CSRF token; bad parameters answer 422."""

    async def wrapped(request: Request) -> Response:
        deps: Deps = request.app.state.deps
        session = await current_session(deps, request)
        if session is None:
            return render(request, "signin.html", None)
        if request.method == "POST":
            form = await request.form()
            if not csrf_ok(session, form.get("csrf_token")):
                return render(request, "error.html", session, status=403, title="Forbidden",
                              message="The form expired or did not come from this site. Reload and try again.")
        principal = principal_of(session)
        scope = Scope(list(principal.installations), principal.repo_filter)
        try:
            return await handler(request, deps, session, principal, scope)
        except ValidationFailed as exc:
            return render(request, "error.html", session, status=422, title="Invalid request",
                          message="; ".join(f"{e.field}: {e.message}" for e in exc.errors))

    return wrapped


QUARANTINE_NOTICES = {
    "ok": "Done.",
    "denied": "Only people with write, maintain or admin permission on the repository may quarantine tests.",
    "refused": "Nothing to do: the test is not quarantined.",
    "failed": "That did not work; try again.",
}


def not_found(request: Request, session: WebSession, what: str) -> HTMLResponse:
    return render(request, "error.html", session, status=404, title="Not found", message=f"No such {what}.")


FAILURE_PARAMS = (
    Param("repository", {"type": "string", "maxLength": 300}, ""),
    Param("branch", {"type": "string", "maxLength": 500}, ""),
    Param("kind", {"type": "string", "enum": ["", *KINDS]}, ""),
    Param("since", {"type": "string", "maxLength": 10, "pattern": r"^(\d{4}-\d{2}-\d{2})?$"}, ""),
    Param("until", {"type": "string", "maxLength": 10, "pattern": r"^(\d{4}-\d{2}-\d{2})?$"}, ""),
    Param("pattern", {"type": "string", "pattern": r"^\d{0,18}$"}, ""),
    Param("run", {"type": "string", "pattern": r"^\d{0,18}$"}, ""),
    # A GitHub Actions run (and attempt) by its GitHub id: the check run's "Details" and the PR comment link here.
    Param("github_run", {"type": "string", "pattern": r"^\d{0,18}$"}, ""),
    Param("attempt", {"type": "string", "pattern": r"^\d{0,6}$"}, ""),
    Param("cursor", {"type": "string", "maxLength": 500}, ""),
)


# What a filter field takes, said the way a person would (the parser's own messages quote schemas).
FILTER_HINTS = {
    "repository": "Choose a repository from the list.",
    "branch": "A branch name of at most 500 characters.",
    "kind": "Choose a kind from the list.",
    "since": "A date like 2026-12-01.",
    "until": "A date like 2026-12-01.",
    "pattern": "A pattern number, like 42.",
    "run": "A run number.",
    "github_run": "A GitHub Actions run id (digits).",
    "attempt": "A run attempt number.",
    "cursor": "The link to older failures has expired; this is the first page.",
}


def _day(value: str | None, field: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value + "T00:00:00+00:00")
    except ValueError:
        raise ValidationFailed([FieldError(field, "must be a date (YYYY-MM-DD)")]) from None


def parse_filters(query: QueryParams) -> tuple[JSON, dict[str, str], dict[str, str]]:
    """(the valid filters, a message per invalid field, the raw values to show back in the form). An invalid
    value is left out of the search and named beside its field, so the page still lists what it can."""
    errors: dict[str, str] = {}
    try:
        params = parse_params(FAILURE_PARAMS, query, {})
    except ValidationFailed as exc:
        errors = {e.field: FILTER_HINTS.get(e.field, e.message) for e in exc.errors}
        kept = QueryParams([(k, v) for k, v in query.multi_items() if k not in errors])
        params = parse_params(FAILURE_PARAMS, kept, {})
    for name in ("since", "until"):
        try:
            _day(params.get(name), name)
        except ValidationFailed:
            errors[name] = FILTER_HINTS[name]
            params[name] = ""
    if params.get("since") and params.get("until") and params["until"] <= params["since"]:
        errors["until"] = "Must be after the From date."
        params["until"] = ""
    if params.get("cursor"):
        try:
            decode_cursor(params["cursor"], [datetime, int])
        except ValidationFailed:
            errors["cursor"] = FILTER_HINTS["cursor"]
            params["cursor"] = ""
    shown = {**{k: str(v or "") for k, v in params.items()}, **{k: query.get(k) or "" for k in errors}}
    return params, errors, shown


async def failure_page(deps: Deps, scope: Scope, params: JSON, *, repository_ids: list[int] | None) -> JSON:
    after = None
    if params.get("cursor"):
        when, ident = decode_cursor(params["cursor"], [datetime, int])
        after = (when, ident)
    where = FailureFilter(
        repository_ids=repository_ids, branch=params.get("branch") or None, kind=params.get("kind") or None,
        since=_day(params.get("since"), "since"), until=_day(params.get("until"), "until"),
        pattern_id=int(params["pattern"]) if params.get("pattern") else None,
    )
    if params.get("run"):
        key = await browse.run_key(deps.pool, scope, int(params["run"]))
        where = replace(where, run_id=key[0] if key else 0, run_attempt=key[1] if key else None)
    elif params.get("github_run"):
        attempt = int(params["attempt"]) if params.get("attempt") else None
        where = replace(where, run_id=int(params["github_run"]), run_attempt=attempt)
    rows = await browse.failures(deps.pool, scope, where, after=after, limit=PAGE + 1)
    next_query = None
    if len(rows) > PAGE:
        rows = rows[:PAGE]
        last = rows[-1]
        cursor = encode_cursor(datetime.fromisoformat(last["seenAt"]), last["id"])
        next_query = urlencode({**{k: v for k, v in params.items() if v and k != "cursor"}, "cursor": cursor})
    return {"failures": rows, "next_query": next_query}


# ---- pages --------------------------------------------------------------------------------------------------


async def overview(request: Request, deps: Deps, session: WebSession, principal: Principal, scope: Scope) -> Response:
    metrics = await compute_metrics(deps, scope, principal, None, 30)
    repos = await browse.repositories(deps.pool, scope)
    recent = await browse.failures(deps.pool, scope, FailureFilter(), after=None, limit=10)
    chart = charts.line_chart(charts.rate_days(metrics["failureRateSeries"]),
                              label="Run failure rate per day (UTC), last 30 days")
    return render(request, "overview.html", session, metrics=metrics, repositories=repos, recent=recent,
                  chart=chart, live=True)


async def repository(request: Request, deps: Deps, session: WebSession, principal: Principal,
                     scope: Scope) -> Response:
    try:
        repository_id = int(request.path_params["repository_id"])
    except ValueError:
        return not_found(request, session, "repository")
    repo = await browse.repository(deps.pool, scope, repository_id)
    if repo is None:
        return not_found(request, session, "repository")
    params, errors, shown = parse_filters(request.query_params)
    metrics = await compute_metrics(deps, scope, principal, repository_id, 30)
    listing = await failure_page(deps, scope, params, repository_ids=[repository_id])
    runs = await browse.runs(deps.pool, scope, repository_ids=[repository_id], branch=None, conclusion=None,
                             after=None, limit=10)
    chart = charts.line_chart(charts.rate_days(metrics["failureRateSeries"]),
                              label=f"Run failure rate per day (UTC) of {repo['fullName']}, last 30 days")
    return render(request, "repository.html", session, status=422 if errors else 200, repo=repo, metrics=metrics,
                  chart=chart, runs=runs, params=shown, errors=errors, kinds=KINDS, **listing)


async def failures(request: Request, deps: Deps, session: WebSession, principal: Principal, scope: Scope) -> Response:
    params, errors, shown = parse_filters(request.query_params)
    repo_ids = None
    repos = await browse.repositories(deps.pool, scope)
    if params.get("repository"):
        repo_ids = await browse.repository_ids_named(deps.pool, scope, params["repository"])
        if not repo_ids:
            errors["repository"] = FILTER_HINTS["repository"]
    listing = await failure_page(deps, scope, params, repository_ids=repo_ids)
    # An invalid filter answers 422 with the page itself: the form shows the message beside the field.
    return render(request, "failures.html", session, status=422 if errors else 200, params=shown, errors=errors,
                  kinds=KINDS, repositories=repos, live=not params.get("cursor"), **listing)


async def failure(request: Request, deps: Deps, session: WebSession, principal: Principal, scope: Scope) -> Response:
    try:
        failure_id = int(request.path_params["failure_id"])
    except ValueError:
        return not_found(request, session, "failure")
    found = await browse.failure(deps.pool, scope, failure_id)
    if found is None:
        return not_found(request, session, "failure")
    excerpt = clean_excerpt(str(found.get("excerpt") or "").splitlines())
    resolution = await _resolution(request, deps, scope, found["pattern"])
    return render(request, "failure.html", session, failure=found, excerpt="\n".join(excerpt),
                  resolution=resolution)


async def _resolution(request: Request, deps: Deps, scope: Scope, pattern: JSON | None) -> Any:
    if not pattern or not pattern.get("resolution"):
        return None
    names = {r["id"]: r["fullName"] for r in await browse.repositories(deps.pool, scope)}
    return resolution_view(current_settings(deps).github_url, pattern["resolution"], names)


async def pattern(request: Request, deps: Deps, session: WebSession, principal: Principal, scope: Scope) -> Response:
    try:
        pattern_id = int(request.path_params["pattern_id"])
    except ValueError:
        return not_found(request, session, "pattern")
    found = await browse.pattern(deps.pool, scope, pattern_id)
    if found is None:
        return not_found(request, session, "pattern")
    if request.method == "POST":
        form = await request.form()
        action = form.get("action")
        installation_id = int(found["installationId"])
        target_raw = str(form.get("into") or "")
        touched = [pattern_id] + ([int(target_raw)] if action == "merge" and target_raw.isdigit() else [])
        if not principal.may_change(await browse.pattern_repositories(deps.pool, installation_id, touched)):
            return render(request, "error.html", session, status=403, title="Not allowed",
                          message="Changing this pattern needs write permission on every repository it touches.")
        if action in ("mute", "pin", "activate"):
            status = {"mute": "muted", "pin": "pinned", "activate": "active"}[str(action)]
            await browse.set_pattern_status(deps.pool, installation_id, pattern_id, status)
        elif action == "merge":
            target = str(form.get("into") or "")
            target_found = await browse.pattern(deps.pool, scope, int(target)) if target.isdigit() else None
            if target_found is None or target_found["installationId"] != installation_id or int(target) == pattern_id:
                raise ValidationFailed([FieldError("into", "no other pattern with that id in this installation")])
            async with deps.pool.acquire() as conn:
                await browse.merge_patterns(conn, installation_id, pattern_id, int(target), actor=principal.actor)
            return RedirectResponse(f"/patterns/{int(target)}", status_code=303)
        else:
            raise ValidationFailed([FieldError("action", "must be mute, pin, activate or merge")])
        return RedirectResponse(f"/patterns/{pattern_id}", status_code=303)
    members = await browse.failures(deps.pool, scope, FailureFilter(pattern_id=pattern_id), after=None, limit=50)
    timeline = await browse.pattern_timeline(deps.pool, scope, pattern_id, days=30)
    chart = charts.bar_chart(charts.count_days(timeline), label="Failures of this pattern per day, last 30 days")
    resolution = await _resolution(request, deps, scope, found)
    return render(request, "pattern.html", session, pattern=found, members=members, timeline=timeline, chart=chart,
                  resolution=resolution)


async def flaky(request: Request, deps: Deps, session: WebSession, principal: Principal, scope: Scope) -> Response:
    if request.method == "POST":
        form = await request.form()
        raw_id = str(form.get("repository_id") or "")
        repo_id = int(raw_id) if raw_id.lstrip("-").isdigit() and len(raw_id) < 20 else 0
        repo = await browse.repository(deps.pool, scope, repo_id)
        test_id = str(form.get("test") or "")
        action = form.get("action")
        if repo is None or not test_id or action not in ("quarantine", "unquarantine"):
            raise ValidationFailed([FieldError("test", "no such test in your repositories")])
        if action == "quarantine":
            # Offered only at the flaky threshold: a regression is not quarantined from here.
            listed = await flaky_tests(deps, scope, principal, repo["id"])
            if not any(t["testId"] == test_id and t["score"] >= FLAKY_SCORE for t in listed):
                raise ValidationFailed([FieldError("test", f"not flaky: its flake score is below {FLAKY_SCORE:.2f}")])
        target = fix_actions.Target(repo["installationId"], repo["id"], repo["fullName"])
        result, _ = await fix_actions.quarantine(deps, principal, target, test_id, days=14,
                                                       end=action == "unquarantine")
        return RedirectResponse(f"/flaky?{urlencode({'result': result, 'test': test_id})}", status_code=303)
    tests = await flaky_tests(deps, scope, principal, None)
    notice = QUARANTINE_NOTICES.get(request.query_params.get("result") or "")
    return render(request, "flaky.html", session, tests=tests[:200], notice=notice, threshold=FLAKY_SCORE,
                  notice_test=request.query_params.get("test") if notice else None)


async def api_reference(request: Request) -> Response:
    """The API reference, from the OpenAPI document the API serves; public, like that document."""
    deps: Deps = request.app.state.deps
    session = await current_session(deps, request)
    doc = document().render(current_settings(deps).public_url)
    sections, schemas = reference.reference(doc)
    return render(request, "api.html", session, info=doc["info"], sections=sections, schemas=schemas,
                  describe=reference.describe,
                  server=(doc.get("servers") or [{}])[0].get("url"))


async def broken(request: Request, deps: Deps, session: WebSession, principal: Principal, scope: Scope) -> Response:
    """Workflows whose newest default-branch run failed: since which commit, and how many runs since."""
    async with deps.pool.acquire() as conn:
        rows = await attribution.broken_default_branches(conn, scope.installations, scope.repositories)
    return render(request, "broken.html", session, broken=rows)


FIX_STATUSES = ("suggested", "applied", "suggested_in_review", "rejected", "failed", "all")


async def fixes(request: Request, deps: Deps, session: WebSession, principal: Principal, scope: Scope) -> Response:
    status = request.query_params.get("status") or "suggested"
    filter_error = None
    if status not in FIX_STATUSES:
        # Said on the page, which shows the waiting fixes instead (a bad filter is not an error page)
        filter_error = f"There is no status {status[:40]!r}; showing the fixes waiting for a decision."
        status = "suggested"
    rows = await fix_queue.fixes(deps.pool, scope, status=None if status == "all" else status, limit=100)
    notice = request.query_params.get("notice")
    return render(request, "fixes.html", session, status=422 if filter_error else 200, fixes=rows,
                  status_filter=status, filter_error=filter_error,
                  notice=fix_actions.NOTICES.get(notice or ""), notice_fix=request.query_params.get("fix"))


async def decide_fix(request: Request, deps: Deps, session: WebSession, principal: Principal,
                     scope: Scope) -> Response:
    fix_id = request.path_params["fix_id"]
    found = await fix_queue.fix(deps.pool, scope, fix_id) if len(fix_id) <= 16 else None
    if found is None:
        return not_found(request, session, "fix")
    form = await request.form()
    decision = request.path_params["decision"]
    reason = str(form.get("reason") or "")[:500] or None
    if decision not in ("approve", "reject"):
        return not_found(request, session, "action")
    diff_hash = str(form.get("diff_hash") or "")[:64] or None  # the hash of the diff the page showed
    outcome = await fix_actions.decide(deps, principal, found, decision, reason=reason, diff_hash=diff_hash)
    query = urlencode({"status": "all", "notice": outcome.notice, "fix": found["id"]})
    return RedirectResponse(f"/fixes?{query}#fix-{found['id']}", status_code=303)


async def events(request: Request) -> Response:
    deps: Deps = request.app.state.deps
    session = await current_session(deps, request)
    if session is None:
        return Response(status_code=401)
    return live.sse_response(deps, session.installations, session.repositories, request)


_overview_page = page(overview)


async def home(request: Request) -> Response:
    """The overview; an instance without a GitHub App sends its first visitor to the setup page instead."""
    if not current_settings(request.app.state.deps).app_configured:
        return RedirectResponse("/setup", status_code=303)
    return await _overview_page(request)


def routes() -> list[Route | Mount]:
    return [
        Route("/", home, methods=["GET"]),
        Route("/repositories/{repository_id}", page(repository), methods=["GET"]),
        Route("/failures", page(failures), methods=["GET"]),
        Route("/failures/{failure_id}", page(failure), methods=["GET"]),
        Route("/patterns/{pattern_id}", page(pattern), methods=["GET", "POST"]),
        Route("/flaky", page(flaky), methods=["GET", "POST"]),
        Route("/broken", page(broken), methods=["GET"]),
        Route("/fixes", page(fixes), methods=["GET"]),
        Route("/fixes/{fix_id}/{decision}", page(decide_fix), methods=["POST"]),
        Route("/events", events, methods=["GET"]),
        Route("/docs/api", api_reference, methods=["GET"]),
        Mount("/static", StaticFiles(packages=[("githubapp", "static")]), name="static"),
    ]
