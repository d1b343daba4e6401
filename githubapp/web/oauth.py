"""Sign in with GitHub through the App's OAuth client (user-to-server token).

/login redirects to {GITHUB_URL}/login/oauth/authorize with a signed state cookie; /auth/callback exchanges the
code at {GITHUB_URL}/login/oauth/access_token, reads /user, /user/installations and each installation's
/user/installations/{id}/repositories with the user's token, stores that access list in a new session and
drops the token: it is never stored."""

from __future__ import annotations

import logging
import secrets
from typing import Any
from urllib.parse import urlencode

import httpx
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ..deps import Deps
from ..intake.reload import current_settings
from .dashboard import render
from .sessions import STATE_COOKIE, csrf_ok, current_session, end_session, secure_cookies, sign, start_session, unsign
from .triage_metrics import count

log = logging.getLogger("ci_triage.oauth")
MAX_PAGES = 20  # 2,000 installations or repositories per installation are plenty for one user


class SignInError(Exception):
    pass


def callback_url(deps: Deps) -> str:
    return f"{deps.settings.public_url}/auth/callback"


def _not_configured(request: Request, app_configured: bool) -> Response:
    """Guidance, not an error page: 200, since a non-2xx document is a console error in the browser."""

    if app_configured:
        advice = ("The GitHub App has no OAuth client configured here: set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET "
                  "(the App's client id and a client secret, from the App's settings on GitHub) and restart.")
    else:
        advice = "No GitHub App is configured yet: create it on the setup page first, then sign in."
    return render(request, "error.html", None, title="Sign-in is not configured", message=advice,
                  setup_link=not app_configured)


async def login(request: Request) -> Response:
    deps: Deps = request.app.state.deps
    settings = current_settings(deps)
    if not settings.github_client_id or not settings.github_client_secret:
        return _not_configured(request, settings.app_configured)
    state = secrets.token_urlsafe(24)
    query = urlencode({"client_id": settings.github_client_id, "redirect_uri": callback_url(deps), "state": state})
    response = RedirectResponse(f"{settings.github_url}/login/oauth/authorize?{query}", status_code=302)
    response.set_cookie(STATE_COOKIE, sign(deps, "oauth-state", state), max_age=600, httponly=True,
                        samesite="lax", secure=secure_cookies(deps), path="/auth")
    return response


async def _get_pages(http: httpx.AsyncClient, url: str, token: str, key: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in range(1, MAX_PAGES + 1):
        response = await http.get(
            url, params={"per_page": 100, "page": page},
            headers={"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json",
                     "X-GitHub-Api-Version": "2022-11-28"},
        )
        if response.status_code != 200:
            raise SignInError(f"GitHub answered {response.status_code} to {url}")
        batch = response.json().get(key) or []
        items += batch
        if len(batch) < 100:
            break
    return items


WRITE_PERMISSIONS = ("push", "maintain", "admin")


async def access_list(deps: Deps, token: str) -> tuple[dict[str, Any], list[int], list[int], list[int]]:
    """The user, their installations of this App, the repositories they can access in them, and those of them
    they may push to (the ``permissions`` GitHub lists for the user)."""
    api = deps.settings.github_api_url
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json",
               "X-GitHub-Api-Version": "2022-11-28"}
    user_response = await deps.http.get(f"{api}/user", headers=headers)
    if user_response.status_code != 200:
        raise SignInError(f"GitHub answered {user_response.status_code} to /user")
    user = user_response.json()
    installations = await _get_pages(deps.http, f"{api}/user/installations", token, "installations")
    installation_ids = [int(i["id"]) for i in installations]
    repository_ids: list[int] = []
    writable: list[int] = []
    for installation_id in installation_ids:
        repos = await _get_pages(deps.http, f"{api}/user/installations/{installation_id}/repositories", token,
                                 "repositories")
        repository_ids += [int(r["id"]) for r in repos]
        writable += [int(r["id"]) for r in repos
                     if any((r.get("permissions") or {}).get(p) for p in WRITE_PERMISSIONS)]
    return user, installation_ids, repository_ids, writable


async def callback(request: Request) -> Response:
    deps: Deps = request.app.state.deps
    settings = deps.settings
    expected = unsign(deps, "oauth-state", request.cookies.get(STATE_COOKIE))
    state, code = request.query_params.get("state"), request.query_params.get("code")
    if not expected or not state or not secrets.compare_digest(expected, state) or not code:
        return HTMLResponse("<!doctype html><title>Sign-in failed</title><main><h1>Sign-in failed</h1>"
                            "<p>The sign-in link expired or was not started here. <a href=\"/login\">Try again</a>."
                            "</p></main>", status_code=400)
    try:
        exchanged = await deps.http.post(
            f"{settings.github_url}/login/oauth/access_token",
            data={"client_id": settings.github_client_id, "client_secret": settings.github_client_secret,
                  "code": code, "redirect_uri": callback_url(deps)},
            headers={"Accept": "application/json"},
        )
        token = exchanged.json().get("access_token") if exchanged.status_code == 200 else None
        if not token:
            raise SignInError(f"the code exchange failed ({exchanged.status_code})")
        user, installations, repositories, writable = await access_list(deps, token)
    except (SignInError, httpx.HTTPError, ValueError) as exc:
        log.warning("sign-in failed: %s", exc)
        await count(deps, "ci_triage_dashboard_signins_total", result="failed")
        return HTMLResponse("<!doctype html><title>Sign-in failed</title><main><h1>Sign-in failed</h1>"
                            "<p>GitHub did not confirm the sign-in. <a href=\"/login\">Try again</a>.</p></main>",
                            status_code=502)
    response = RedirectResponse("/", status_code=303)
    await start_session(deps, response, user_id=int(user["id"]), login=str(user["login"]),
                        installations=installations, repositories=repositories, writable=writable)
    response.delete_cookie(STATE_COOKIE, path="/auth")
    await count(deps, "ci_triage_dashboard_signins_total", result="ok")
    return response


async def logout(request: Request) -> Response:
    deps: Deps = request.app.state.deps
    session = await current_session(deps, request)
    form = await request.form()
    response = RedirectResponse("/", status_code=303)
    if session is None or not csrf_ok(session, form.get("csrf_token")):
        return HTMLResponse("<!doctype html><title>Forbidden</title><main><h1>Forbidden</h1></main>", 403)
    await end_session(deps, request, response)
    return response


routes = [
    Route("/login", login, methods=["GET"]),
    Route("/auth/callback", callback, methods=["GET"]),
    Route("/logout", logout, methods=["POST"]),
]
