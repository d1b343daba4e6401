"""API keys (storage, auth helper, CLI) and POST/GET /api/snapshots through the app, Redis and a worker
(the errors of the one API stack: githubapp.web.api.endpoint)."""

import random
from collections.abc import AsyncIterator
from dataclasses import replace

import asyncpg
import httpx
import pytest

from githubapp.app import create_app
from githubapp.cli.main import main as cli_main
from githubapp.deps import Deps
from githubapp.snapshots.service import SnapshotService
from githubapp.worker.arq_worker import build_worker
from storage import api_keys
from storage.artifacts import FilesystemStore, LinkSigner
from tests.support.preview_site import serve_site


def new_installation() -> int:
    return random.randint(10**9, 2 * 10**9)


async def test_keys_are_stored_hashed_and_checked(pool: asyncpg.Pool) -> None:
    installation = new_installation()
    new = await api_keys.create_key(pool, installation, "jenkins")
    assert new.secret.startswith("cit_") and len(new.secret) >= 40
    assert new.key.prefix == new.secret[:12]
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM api_keys WHERE id = $1", new.key.id)
    assert new.secret.encode() not in bytes(row["key_hash"]) and new.secret not in str(dict(row))
    found = await api_keys.authenticate(pool, new.secret)
    assert found is not None and found.installation_id == installation and found.name == "jenkins"
    assert await api_keys.authenticate(pool, new.secret[:-1] + ("A" if new.secret[-1] != "A" else "B")) is None
    assert await api_keys.authenticate(pool, "not-a-key") is None
    [listed] = await api_keys.list_keys(pool, installation)
    assert listed.last_used_at is not None
    assert await api_keys.revoke_key(pool, new.key.id, installation + 1) is None  # not that installation's
    assert (await api_keys.revoke_key(pool, new.key.id)).revoked_at is not None  # type: ignore[union-attr]
    assert await api_keys.authenticate(pool, new.secret) is None


@pytest.fixture
async def api(
    session_deps: Deps, pool: asyncpg.Pool, browser, tmp_path
) -> AsyncIterator[tuple[httpx.AsyncClient, Deps]]:  # type: ignore[no-untyped-def]
    async def provide():  # type: ignore[no-untyped-def]
        return browser

    store = FilesystemStore(tmp_path / "artifacts", LinkSigner(b"a" * 32), "http://testserver/artifacts")
    service = SnapshotService(pool=pool, store=store, browser=provide, allow_hosts=("127.0.0.1",))
    deps = replace(
        session_deps,
        settings=replace(session_deps.settings, snapshot_allow_hosts=("127.0.0.1",)),
        services=replace(session_deps.services, artifacts=store, snapshots=service),
    )
    app = create_app(deps.settings, deps=deps)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client,
    ):
        yield client, deps


async def test_snapshot_api_round_trip(api: tuple[httpx.AsyncClient, Deps], pool: asyncpg.Pool) -> None:
    client, deps = api
    installation = new_installation()
    key = (await api_keys.create_key(pool, installation, "gitlab")).secret
    with serve_site() as site:
        response = await client.post(
            "/api/snapshots",
            headers={"Authorization": f"Bearer {key}"},
            json={
                "url": site.url + "/about?x=1",
                "viewport": {"width": 640, "height": 480},
                "waitForSelector": "#app",
                "testRunId": "build-42",
            },
        )
        assert response.status_code == 202, response.text
        created = response.json()
        assert created["status"] == "queued" and created["testRunId"] == "build-42"
        assert response.headers["location"] == created["links"]["self"]
        pending = await client.get(created["links"]["self"], headers={"x-api-key": key})
        assert pending.json()["status"] == "queued"

        await build_worker(deps, burst=True).main()
        assert "/about?x=1" in site.hits

    done = (await client.get(created["links"]["self"], headers={"x-api-key": key})).json()
    assert done["status"] == "done", (done["error"], done["notes"])
    assert done["httpStatus"] == 200 and done["testRunId"] == "build-42"
    assert set(done["artifacts"]) == {"screenshot", "html", "har", "console"}
    assert done["console"]["errors"] >= 1
    assert any(r["status"] == 404 for r in done["failedRequests"])
    screenshot = await client.get(done["artifacts"]["screenshot"]["url"])
    assert screenshot.status_code == 200 and screenshot.content[:4] == b"\x89PNG"

    # another installation's key does not see it
    other = (await api_keys.create_key(pool, installation + 1, "other")).secret
    assert (await client.get(created["links"]["self"], headers={"x-api-key": other})).status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"url": "http://169.254.169.254/latest/meta-data/"}, 422, "url_refused"),
        ({"url": "http://10.0.0.1/"}, 422, "url_refused"),
        ({"url": "file:///etc/passwd"}, 422, "url_refused"),
        ({"url": "http://127.0.0.1/", "viewport": {"width": 10, "height": 10}}, 422, "validation"),
        ({"url": "http://127.0.0.1/", "viewport": {"width": "wide"}}, 422, "validation"),
        ({"url": "http://127.0.0.1/", "extra": 1}, 422, "validation"),
        ({}, 422, "validation"),
        ([1, 2], 422, "validation"),
    ],
)
async def test_snapshot_api_rejects_bad_requests(
    api: tuple[httpx.AsyncClient, Deps], pool: asyncpg.Pool, body: object, status: int, error: str
) -> None:
    client, _ = api
    key = (await api_keys.create_key(pool, new_installation(), "ci")).secret
    response = await client.post("/api/snapshots", headers={"x-api-key": key}, json=body)
    assert response.status_code == status and response.json()["error"] == error


async def test_snapshot_api_requires_a_live_key(api: tuple[httpx.AsyncClient, Deps], pool: asyncpg.Pool) -> None:
    client, _ = api
    body = {"url": "http://127.0.0.1/"}
    missing = await client.post("/api/snapshots", json=body)
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    assert (await client.post("/api/snapshots", json=body, headers={"x-api-key": "cit_nope"})).status_code == 401
    new = await api_keys.create_key(pool, new_installation(), "ci")
    await api_keys.revoke_key(pool, new.key.id)
    revoked = await client.post("/api/snapshots", json=body, headers={"Authorization": f"Bearer {new.secret}"})
    assert revoked.status_code == 401
    assert (await client.get("/api/snapshots/not-a-uuid", headers={"x-api-key": new.secret})).status_code == 401


def test_apikey_cli(database_url: str, redis_url: str, tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("CI_TRIAGE_DATA_DIR", str(tmp_path))
    installation = new_installation()
    assert cli_main(["apikey", "create", "--installation", str(installation), "--name", "jenkins"]) == 0
    out = capsys.readouterr().out.splitlines()
    key_id = int(out[0].split()[3])
    secret = out[1]
    assert secret.startswith("cit_")
    assert cli_main(["apikey", "list", "--installation", str(installation)]) == 0
    listing = capsys.readouterr().out
    assert "jenkins" in listing and secret[:12] in listing and secret not in listing and "active" in listing
    assert cli_main(["apikey", "revoke", str(key_id)]) == 0
    assert "revoked" in capsys.readouterr().out
    assert cli_main(["apikey", "list", "--installation", str(installation)]) == 0
    assert "revoked" in capsys.readouterr().out
    assert cli_main(["apikey", "revoke", "999999999"]) == 1
