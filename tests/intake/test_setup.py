"""The App-manifest setup flow: page, CSRF state, code exchange, credentials on disk, live reload, shut-off."""

from __future__ import annotations

import html
import json
import re
import stat
import uuid

from githubapp.intake.setup_flow import load_manifest
from githubapp.intake.setup_token import TOKEN_FILE, setup_token
from githubapp.settings import CREDENTIALS_FILE
from tests.support.fake_github import FakeGitHub

from .conftest import MakeDeps, asgi_client, webhook_headers

CONVERSIONS = "/app-manifests/{code}/conversions"


def test_manifest_from_app_yml() -> None:
    manifest = load_manifest("https://triage.example.com")
    assert manifest["hook_attributes"]["url"] == "https://triage.example.com/webhooks/github"
    assert manifest["redirect_url"] == "https://triage.example.com/setup/callback"
    assert manifest["public"] is False
    assert manifest["default_permissions"] == {
        "actions": "write", "checks": "write", "contents": "write", "deployments": "read", "issues": "write",
        "metadata": "read", "pull_requests": "write", "statuses": "read"}
    assert set(manifest["default_events"]) == {
        "check_run", "deployment_status", "issue_comment", "pull_request", "workflow_job", "workflow_run"}


async def test_manifest_flow_end_to_end(make_deps: MakeDeps, github: FakeGitHub, private_key_pem: str) -> None:
    deps = await make_deps(github_app_id=None, github_private_key=None, github_webhook_secrets=(),
                           github_api_url=github.url, github_url="https://ghe.example.com",
                           public_url="https://triage.example.com")
    github.on("POST", CONVERSIONS, status=201, json={
        "id": 777, "slug": "ci-triage-example", "node_id": "A_1", "name": "CI Triage",
        "owner": {"login": "my-org", "id": 1}, "client_id": "Iv1.abc", "client_secret": "client-secret",
        "webhook_secret": "fresh-webhook-secret", "pem": private_key_pem,
    })
    async with asgi_client(deps) as client:
        # Without the one-time token of the setup link, /setup only says where to find it.
        for params in ({}, {"token": "guessed"}):
            refused = await client.get("/setup", params=params)
            assert "one-time link" in refused.text and "<form" not in refused.text
        token = (deps.settings.data_dir / TOKEN_FILE).read_text()
        assert setup_token(deps.settings.data_dir) == (token, False)
        page = await client.get("/setup", params={"organization": "my-org", "token": token})
        assert page.status_code == 200
        action = re.search(r'<form method="post" action="([^"]+)"', page.text)
        assert action is not None
        url = html.unescape(action.group(1))
        assert url.startswith("https://ghe.example.com/organizations/my-org/settings/apps/new?state=")
        state = url.split("state=", 1)[1]
        manifest = json.loads(html.unescape(re.search(r'name="manifest" value="([^"]+)"', page.text).group(1)))  # type: ignore[union-attr]
        assert manifest["hook_attributes"]["url"] == "https://triage.example.com/webhooks/github"
        personal = await client.get("/setup", params={"token": token})
        assert "https://ghe.example.com/settings/apps/new?state=" in html.unescape(personal.text)

        # A forged or replayed state is refused before anything reaches GitHub.
        forged = await client.get("/setup/callback", params={"code": "c0de", "state": "forged"})
        assert "Setup link not valid" in forged.text
        assert github.calls_to("POST", CONVERSIONS) == []

        client.cookies.set("ci_triage_setup_state", state)
        done = await client.get("/setup/callback", params={"code": "c0de", "state": state})
        assert done.status_code == 303
        assert done.headers["location"] == "https://ghe.example.com/apps/ci-triage-example/installations/new"
        assert [c.path for c in github.calls_to("POST", CONVERSIONS)] == ["/app-manifests/c0de/conversions"]

        stored = deps.settings.data_dir / CREDENTIALS_FILE
        assert stat.S_IMODE(stored.stat().st_mode) == 0o600
        assert json.loads(stored.read_text())["webhook_secret"] == "fresh-webhook-secret"
        assert (deps.settings.github_app_id, deps.settings.github_app_slug) == (777, "ci-triage-example")
        assert not (deps.settings.data_dir / TOKEN_FILE).exists()

        # The running process uses the new webhook secret at once.
        body = json.dumps({"zen": "hello"}).encode()
        pong = await client.post("/webhooks/github", content=body,
                                 headers=webhook_headers("ping", body, "fresh-webhook-secret"))
        assert pong.status_code == 200
        # And setup is closed now (a page for the browser: 200, it says so).
        closed = await client.get("/setup", params={"token": token})
        assert "Setup is closed" in closed.text and "already configured" in closed.text and "<form" not in closed.text
        replay = await client.get("/setup/callback", params={"code": "c0de", "state": state})
        assert "Setup is closed" in replay.text
        assert len(github.calls_to("POST", CONVERSIONS)) == 1


async def test_another_process_picks_up_stored_credentials(make_deps: MakeDeps, private_key_pem: str) -> None:
    deps = await make_deps(github_app_id=None, github_private_key=None, github_webhook_secrets=())
    body = json.dumps({"zen": "hello"}).encode()
    async with asgi_client(deps) as client:
        before = await client.post("/webhooks/github", content=body, headers=webhook_headers("ping", body, "s3cret"))
        assert before.status_code == 401
        deps.settings.data_dir.mkdir(parents=True, exist_ok=True)
        (deps.settings.data_dir / CREDENTIALS_FILE).write_text(json.dumps(
            {"id": 901, "slug": "x", "pem": private_key_pem, "webhook_secret": "s3cret"}))
        after = await client.post("/webhooks/github", content=body,
                                  headers=webhook_headers("ping", body, "s3cret", str(uuid.uuid4())))
        assert after.status_code == 200
