"""``/setup``: create the GitHub App through GitHub's App-manifest flow, then get out of the way.

0. Until an App is configured, ``/setup`` needs the one-time token of the setup link printed in the server's log
   (``setup_token.py``); without it the page says where to find it. It also warns when ``PUBLIC_URL`` cannot be
   reached by GitHub (``public_url.py``).
1. ``GET /setup`` shows a form that posts the manifest (``app.yml`` with PUBLIC_URL filled in) to
   ``{GITHUB_URL}/settings/apps/new`` (personal account) or
   ``{GITHUB_URL}/organizations/{org}/settings/apps/new`` (organization)
   with a one-time ``state`` (kept in Redis for an hour and in a cookie: CSRF).
2. GitHub creates the App and sends the admin to ``/setup/callback?code=...&state=...``; we check ``state``,
   exchange the code (``POST /app-manifests/{code}/conversions``), write id, slug, private key, webhook secret
   and OAuth client to ``<data dir>/github-app.json`` (mode 0600), load them into the running process, and
   send the admin on to install the App; GitHub then sends them to ``/setup/installed``, which leads to the
   dashboard.
3. Once an App is configured the token is gone and every setup page says so, with a note on how to start over.

Pages meant for a browser answer 200 even when they refuse (a non-2xx document is a console error in
Chromium); the text says what happened.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import secrets
from pathlib import Path
from typing import Any

import yaml
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ..deps import Deps
from ..github import github_of
from ..settings import CREDENTIALS_FILE, Settings
from ..web.dashboard import templates
from . import public_url
from .reload import current_settings
from .setup_token import TOKEN_FILE, discard_token, setup_token, token_matches

log = logging.getLogger("ci_triage.setup")

MANIFEST_PATH = Path(__file__).resolve().parents[2] / "app.yml"
STATE_COOKIE = "ci_triage_setup_state"
TOKEN_COOKIE = "ci_triage_setup_token"  # noqa: S105 - a cookie name
STATE_TTL_SECONDS = 3600
_ORG_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")


def load_manifest(public_url: str, path: Path = MANIFEST_PATH) -> dict[str, Any]:
    """The App manifest from ``app.yml`` with ``${PUBLIC_URL}`` replaced."""
    text = path.read_text().replace("${PUBLIC_URL}", public_url.rstrip("/"))
    manifest: dict[str, Any] = yaml.safe_load(text)
    return manifest


def creation_url(github_url: str, organization: str | None, state: str) -> str:
    base = github_url.rstrip("/")
    target = f"{base}/organizations/{organization}/settings/apps/new" if organization else f"{base}/settings/apps/new"
    return f"{target}?state={state}"


def store_credentials(data_dir: Path, conversion: dict[str, Any]) -> Path:
    """Write the App's credentials for ``Settings.with_stored_credentials``: owner-only, atomically."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / CREDENTIALS_FILE
    stored = {key: conversion.get(key) for key in ("id", "slug", "pem", "webhook_secret", "client_id", "client_secret")}
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(stored, handle)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def _state_key(deps: Deps, state: str) -> str:
    return f"{deps.settings.queue_name}:setup-state:{state}"


def _page(request: Request, title: str, body: str, *, warning: str | None = None) -> HTMLResponse:
    """A page in the dashboard's layout and stylesheet (no inline style or script: the CSP allows neither).
    ``body`` is HTML whose variable parts the caller escaped."""

    page = templates().get_template("setup.html").render(
        request=request, session=None, title=title, body=Markup(body), warning=warning)  # noqa: S704 - escaped above
    return HTMLResponse(page)


def setup_link(settings: Settings) -> str:
    """The setup URL with the one-time token (creating the token if there is none yet)."""
    token, _ = setup_token(settings.data_dir)
    return f"{settings.public_url.rstrip('/')}/setup?token={token}"


def _token_page(request: Request, settings: Settings) -> HTMLResponse:
    return _page(
        request,
        "Open the setup link from the server's log",
        "<p>Creating the GitHub App is reserved to whoever runs this ci-triage: the page needs the one-time "
        "link that ci-triage printed in its log when it started, a line like</p>"
        "<p><code>No GitHub App configured yet: open https://…/setup?token=…</code></p>"
        "<p>Look in the output of <code>make run</code> or <code>ci-triage serve</code>, in "
        "<code>docker logs</code> or <code>kubectl logs</code> of the web process. The token is also in the file "
        f"<code>{html.escape(TOKEN_FILE)}</code> of the data directory (<code>CI_TRIAGE_DATA_DIR</code>).</p>",
        warning=public_url.warning(settings.public_url),
    )


def _configured_page(request: Request, settings: Settings) -> HTMLResponse:
    return _page(
        request,
        "Setup is closed",
        f"<p>A GitHub App is already configured for this ci-triage (App id {settings.github_app_id}), "
        "so this setup page is turned off.</p><p>To create a different App, stop ci-triage, remove "
        f"<code>{html.escape(str(settings.data_dir / CREDENTIALS_FILE))}</code> and unset "
        "<code>GITHUB_APP_ID</code>, then start it again.</p>"
        '<p><a class="button" href="/">Open the dashboard</a></p>',
    )


async def setup_page(request: Request) -> Response:
    deps: Deps = request.app.state.deps
    settings = current_settings(deps)
    if settings.app_configured:
        return _configured_page(request, settings)
    token = request.query_params.get("token") or request.cookies.get(TOKEN_COOKIE, "")
    _, created = setup_token(settings.data_dir)
    if created:  # started without `serve` printing it (another process, a removed file): print it now
        log.warning("No GitHub App configured yet: open %s to create one", setup_link(settings))
    if not token_matches(settings.data_dir, token):
        return _token_page(request, settings)
    owner = (request.query_params.get("organization") or "").strip()
    if owner and not _ORG_LOGIN.match(owner):
        return _page(
            request,
            "Create the GitHub App",
            '<p>That is not a valid organization name.</p><p><a href="setup">Back</a></p>',
        )
    state = secrets.token_urlsafe(32)
    await deps.queue.set(_state_key(deps, state), b"1", ex=STATE_TTL_SECONDS)
    manifest = json.dumps(load_manifest(settings.public_url))
    action = creation_url(settings.github_url, owner or None, state)
    where = f"the organization <b>{html.escape(owner)}</b>" if owner else "your personal account"
    body = f"""
<p>ci-triage needs a GitHub App of its own. GitHub creates it from this project's manifest
(<code>app.yml</code>): webhooks go to <code>{html.escape(settings.public_url)}/webhooks/github</code>.</p>
<form method="get" action="setup">
  <p><label>Organization that will own the App (leave empty for your personal account):<br>
  <input name="organization" value="{html.escape(owner)}" placeholder="my-org"></label>
  <button type="submit">Choose</button></p>
</form>
<form method="post" action="{html.escape(action)}">
  <input type="hidden" name="manifest" value="{html.escape(manifest)}">
  <p><button type="submit" class="primary">Create the GitHub App on {where}</button></p>
</form>
<p>After GitHub has created it you come back here, ci-triage stores its credentials in the data directory and
sends you on to install the App on your repositories.</p>"""
    response = _page(request, "Create the GitHub App", body, warning=public_url.warning(settings.public_url))
    # The token moves to a cookie so the organization form and a reload keep working without it in the URL.
    response.set_cookie(TOKEN_COOKIE, token, max_age=STATE_TTL_SECONDS, httponly=True, samesite="strict",
                        path="/setup", secure=settings.public_url.startswith("https://"))
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=STATE_TTL_SECONDS,
        httponly=True,
        samesite="lax",
        secure=settings.public_url.startswith("https://"),
    )
    return response


async def setup_callback(request: Request) -> Response:
    deps: Deps = request.app.state.deps
    settings = current_settings(deps)
    if settings.app_configured:
        return _configured_page(request, settings)
    code = request.query_params.get("code", "")
    state = request.query_params.get("state", "")
    cookie = request.cookies.get(STATE_COOKIE, "")
    valid = (
        bool(state) and secrets.compare_digest(state, cookie) and bool(await deps.queue.getdel(_state_key(deps, state)))
    )
    if not valid or not re.fullmatch(r"[A-Za-z0-9_-]{1,200}", code):
        return _page(
            request,
            "Setup link not valid",
            "<p>This link is expired, was used already, or was not started from "
            'this browser. <a href="/setup">Start again</a>.</p>',
        )
    conversion = await github_of(deps).anonymous().post("/app-manifests/{code}/conversions", {"code": code}, data=b"")
    if not conversion.get("webhook_secret") or not conversion.get("pem"):
        return _page(request, "Setup failed", "<p>GitHub did not return a webhook secret and key for the new App.</p>")
    path = store_credentials(settings.data_dir, conversion)
    discard_token(settings.data_dir)
    deps.settings = settings.with_stored_credentials()
    request.app.state.settings = deps.settings
    log.info(
        "GitHub App %s (%s) created; credentials stored in %s",
        conversion.get("id"),
        conversion.get("slug"),
        path,
    )
    return RedirectResponse(f"{settings.github_url}/apps/{conversion['slug']}/installations/new", status_code=303)


async def installed_page(request: Request) -> Response:
    return _page(
        request,
        "ci-triage is installed",
        "<p>GitHub will now send workflow events to ci-triage. The next failed "
        "workflow run on an installed repository gets a <b>CI Triage</b> check run and a pull-request "
        "comment.</p>"
        '<p><a class="button" href="/">Open the dashboard</a></p>'
        "<p>The dashboard shows the failures, patterns, flaky tests and fixes of the repositories you can "
        "access on GitHub; you sign in with GitHub.</p>",
    )


routes = [
    Route("/setup", setup_page),
    Route("/setup/callback", setup_callback),
    Route("/setup/installed", installed_page),
]
