"""``/setup``: create the GitHub App through GitHub's App-manifest flow, then get out of the way.

1. ``GET /setup`` shows a form that posts the manifest (``app.yml`` with PUBLIC_URL filled in) to
   ``{GITHUB_URL}/settings/apps/new`` (personal account) or
   ``{GITHUB_URL}/organizations/{org}/settings/apps/new`` (organization)
   with a one-time ``state`` (kept in Redis for an hour and in a cookie: CSRF).
2. GitHub creates the App and sends the admin to ``/setup/callback?code=...&state=...``; we check ``state``,
   exchange the code (``POST /app-manifests/{code}/conversions``), write id, slug, private key, webhook secret
   and OAuth client to ``<data dir>/github-app.json`` (mode 0600), load them into the running process, and
   send the admin on to install the App.
3. Once an App is configured every setup page answers 410 with a note on how to start over.
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
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from .deps import Deps
from .github import github_of
from .reload import current_settings
from .settings import CREDENTIALS_FILE, Settings

log = logging.getLogger("ci_triage.setup")

MANIFEST_PATH = Path(__file__).resolve().parents[1] / "app.yml"
STATE_COOKIE = "ci_triage_setup_state"
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


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem;
line-height:1.5}} input,button{{font-size:1rem;padding:.4rem .6rem}}
code{{background:#f3f3f3;padding:0 .2rem}}</style></head>
<body><h1>{html.escape(title)}</h1>{body}</body></html>""",
        status_code=status,
    )


def _configured_page(settings: Settings) -> HTMLResponse:
    return _page(
        "Setup is closed",
        f"<p>A GitHub App is already configured for this ci-triage (App id {settings.github_app_id}), "
        "so this setup page is turned off.</p><p>To create a different App, stop ci-triage, remove "
        f"<code>{html.escape(str(settings.data_dir / CREDENTIALS_FILE))}</code> and unset "
        "<code>GITHUB_APP_ID</code>, then start it again.</p>",
        status=410,
    )


async def setup_page(request: Request) -> Response:
    deps: Deps = request.app.state.deps
    settings = current_settings(deps)
    if settings.app_configured:
        return _configured_page(settings)
    owner = (request.query_params.get("organization") or "").strip()
    if owner and not _ORG_LOGIN.match(owner):
        return _page(
            "Create the GitHub App",
            '<p>That is not a valid organization name.</p><p><a href="setup">Back</a></p>',
            status=400,
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
  <p><button type="submit">Create the GitHub App on {where}</button></p>
</form>
<p>After GitHub has created it you come back here, ci-triage stores its credentials in the data directory and
sends you on to install the App on your repositories.</p>"""
    response = _page("Create the GitHub App", body)
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
        return _configured_page(settings)
    code = request.query_params.get("code", "")
    state = request.query_params.get("state", "")
    cookie = request.cookies.get(STATE_COOKIE, "")
    valid = (
        bool(state) and secrets.compare_digest(state, cookie) and bool(await deps.queue.getdel(_state_key(deps, state)))
    )
    if not valid or not re.fullmatch(r"[A-Za-z0-9_-]{1,200}", code):
        return _page(
            "Setup link not valid",
            "<p>This link is expired, was used already, or was not started from "
            'this browser. <a href="/setup">Start again</a>.</p>',
            status=400,
        )
    conversion = await github_of(deps).anonymous().post("/app-manifests/{code}/conversions", {"code": code}, data=b"")
    if not conversion.get("webhook_secret") or not conversion.get("pem"):
        return _page("Setup failed", "<p>GitHub did not return a webhook secret and key for the new App.</p>", 502)
    path = store_credentials(settings.data_dir, conversion)
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
        "ci-triage is installed",
        "<p>GitHub will now send workflow events to ci-triage. The next failed "
        "workflow run on an installed repository gets a <b>CI Triage</b> check run and a pull-request "
        "comment.</p>",
    )


routes = [
    Route("/setup", setup_page),
    Route("/setup/callback", setup_callback),
    Route("/setup/installed", installed_page),
]
