"""Artifact stores against real servers: SeaweedFS for S3, the app itself for filesystem links; retention."""

import os
import random
import stat
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import asyncpg
import httpx
import pytest

from githubapp.app import create_app
from githubapp.artifacts import open_artifact_store, purge_expired, save_artifact
from githubapp.deps import Deps
from githubapp.secret_key import SECRET_KEY_FILE, secret_key
from githubapp.settings import Settings
from storage.artifacts import (
    ArtifactNotFound,
    FilesystemStore,
    InvalidKey,
    LinkSigner,
    S3Config,
    S3Store,
    validate_key,
)

PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(64)


def installation() -> int:
    return random.randint(10**9, 2 * 10**9)


@pytest.fixture
async def s3_store(s3_server) -> AsyncIterator[S3Store]:  # type: ignore[no-untyped-def]
    store = await S3Store.open(
        S3Config(
            bucket=f"artifacts-{random.randint(0, 10**9)}",
            access_key_id=s3_server.access_key,
            secret_access_key=s3_server.secret_key,
            endpoint_url=s3_server.endpoint,
            prefix="ci-triage",
        )
    )
    yield store
    await store.close()


async def test_s3_upload_presigned_link_and_tampering(s3_store: S3Store) -> None:
    key = f"{installation()}/snapshots/abc/screenshot.png"
    await s3_store.put(key, PNG)
    assert await s3_store.get(key) == PNG
    link = await s3_store.link(key)
    query = parse_qs(urlsplit(link).query)
    assert query["X-Amz-Expires"] == ["604800"]  # 7 days by default
    assert "/ci-triage/" in urlsplit(link).path  # the prefix
    async with httpx.AsyncClient() as client:
        response = await client.get(link)
        assert response.status_code == 200 and response.content == PNG
        assert response.headers["content-type"] == "image/png"
        signature = query["X-Amz-Signature"][0]
        forged = "0" * len(signature) if signature[0] != "0" else "1" * len(signature)
        assert (await client.get(link.replace(signature, forged))).status_code == 403
        other_key = link.replace("screenshot.png", "other.png")  # a valid signature does not move to another key
        assert (await client.get(other_key)).status_code == 403
    await s3_store.delete([key])
    with pytest.raises(ArtifactNotFound):
        await s3_store.get(key)


async def test_settings_choose_s3_when_a_bucket_is_set(s3_server, base_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    settings = replace(
        base_settings,
        s3_bucket="from-settings",
        s3_endpoint_url=s3_server.endpoint,
        aws_access_key_id=s3_server.access_key,
        aws_secret_access_key=s3_server.secret_key,
        artifact_link_ttl_seconds=3600,
    )
    store = await open_artifact_store(settings)
    try:
        assert isinstance(store, S3Store)
        await store.put("1/x.txt", b"hi")
        assert "X-Amz-Expires=3600" in await store.link("1/x.txt")
    finally:
        await store.close()
    assert isinstance(await open_artifact_store(base_settings), FilesystemStore)


async def _retention_case(pool: asyncpg.Pool, store) -> None:  # type: ignore[no-untyped-def]
    inst = installation()
    old_key, new_key = f"{inst}/old/screenshot.png", f"{inst}/new/screenshot.png"
    old = await save_artifact(pool, store, installation_id=inst, key=old_key, data=PNG, kind="screenshot")
    await save_artifact(pool, store, installation_id=inst, key=new_key, data=PNG, kind="screenshot")
    async with pool.acquire() as conn:
        await conn.execute("UPDATE artifacts SET created_at = now() - interval '31 days' WHERE id = $1", old.id)
    removed = await purge_expired(pool, store, retention_days=30)
    assert removed["artifacts"] >= 1
    with pytest.raises(ArtifactNotFound):
        await store.get(old_key)
    assert await store.get(new_key) == PNG
    async with pool.acquire() as conn:
        keys = {r["key"] for r in await conn.fetch("SELECT key FROM artifacts WHERE installation_id = $1", inst)}
    assert keys == {new_key}
    # a later date expires the rest
    await purge_expired(pool, store, retention_days=30, now=datetime.now(UTC) + timedelta(days=31))
    with pytest.raises(ArtifactNotFound):
        await store.get(new_key)


async def test_s3_retention_deletes_objects_and_rows(pool: asyncpg.Pool, s3_store: S3Store) -> None:
    await _retention_case(pool, s3_store)


async def test_filesystem_retention_deletes_files_and_rows(pool: asyncpg.Pool, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = FilesystemStore(tmp_path, LinkSigner(b"k" * 32), "http://testserver/artifacts")
    await _retention_case(pool, store)


async def test_save_artifact_keys_belong_to_the_installation(pool: asyncpg.Pool, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = FilesystemStore(tmp_path, LinkSigner(b"k" * 32), "http://testserver/artifacts")
    with pytest.raises(InvalidKey):
        await save_artifact(pool, store, installation_id=1, key="2/x.png", data=PNG, kind="screenshot")


# --- filesystem store served by the app ---


@pytest.fixture
async def served(session_deps: Deps, tmp_path) -> AsyncIterator[tuple[FilesystemStore, httpx.AsyncClient]]:  # type: ignore[no-untyped-def]
    store = FilesystemStore(tmp_path / "artifacts", LinkSigner(b"s" * 32), "http://testserver/artifacts")
    deps = replace(session_deps, services=replace(session_deps.services, artifacts=store))
    app = create_app(deps.settings, deps=deps)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            yield store, client


async def test_signed_link_is_served(served: tuple[FilesystemStore, httpx.AsyncClient]) -> None:
    store, client = served
    await store.put("7/snap/page.html", b"<script>alert(1)</script>")
    await store.put("7/snap/screenshot.png", PNG)
    response = await client.get(await store.link("7/snap/screenshot.png"))
    assert response.status_code == 200 and response.content == PNG
    assert response.headers["content-type"] == "image/png"
    page = await client.get(await store.link("7/snap/page.html"))
    assert page.status_code == 200
    assert page.headers["content-security-policy"].startswith("sandbox")  # captured HTML never runs in our origin
    assert page.headers["x-content-type-options"] == "nosniff"


async def test_tampered_and_expired_links_are_rejected(
    served: tuple[FilesystemStore, httpx.AsyncClient],
) -> None:
    store, client = served
    await store.put("7/a.png", PNG)
    await store.put("7/b.png", PNG)
    link = await store.link("7/a.png")
    query = parse_qs(urlsplit(link).query)
    sig, expires = query["sig"][0], query["expires"][0]
    assert (await client.get(link.replace(sig, sig[::-1]))).status_code == 403
    assert (await client.get(link.replace("7/a.png", "7/b.png"))).status_code == 403  # other key
    assert (await client.get(link.replace(expires, str(int(expires) + 10)))).status_code == 403  # longer life
    assert (await client.get("/artifacts/7/a.png")).status_code == 403  # no signature at all
    expired = await store.link("7/a.png", expires_in=-5)
    assert (await client.get(expired)).status_code == 403


async def test_path_traversal_is_refused(served: tuple[FilesystemStore, httpx.AsyncClient], tmp_path) -> None:  # type: ignore[no-untyped-def]
    store, client = served
    (tmp_path / "secret.txt").write_text("top secret")
    for key in ("../secret.txt", "7/../../secret.txt", "/etc/passwd", "7/.hidden", "7//x", "7/%2e%2e/x", ""):
        with pytest.raises(InvalidKey):
            validate_key(key)
        with pytest.raises(InvalidKey):
            await store.put(key, b"x")
    # even a correctly signed link for a traversal key serves nothing
    expires = int(time.time()) + 60
    for key in ("../secret.txt", "..%2Fsecret.txt", "7/..%2F..%2Fsecret.txt"):
        signature = store.signer.signature(key.replace("%2F", "/"), expires)
        response = await client.get(f"/artifacts/{key}?expires={expires}&sig={signature}")
        assert response.status_code in (403, 404) and b"top secret" not in response.content


def test_secret_key_is_generated_once_with_mode_0600(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path / "data")
    first = secret_key(settings)
    assert len(first) == 64 and secret_key(settings) == first
    mode = stat.S_IMODE((tmp_path / "data" / SECRET_KEY_FILE).stat().st_mode)
    assert mode == 0o600
    assert secret_key(replace(settings, secret_key="from-the-environment-0123456789abcdef")) != first


async def test_retention_runs_as_a_daily_cron_job(session_deps: Deps, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from githubapp.artifacts import purge_expired_artifacts
    from githubapp.worker.registry import cron_jobs

    [job] = [c for c in cron_jobs() if c.coroutine is purge_expired_artifacts]
    assert job.hour == {3} and job.minute == {17}
    store = FilesystemStore(tmp_path, LinkSigner(b"k" * 32), "http://testserver/artifacts")
    deps = replace(session_deps, services=replace(session_deps.services, artifacts=store))
    inst = installation()
    saved = await save_artifact(
        deps.pool, store, installation_id=inst, key=f"{inst}/a.png", data=PNG, kind="screenshot"
    )
    async with deps.pool.acquire() as conn:
        await conn.execute("UPDATE artifacts SET created_at = now() - interval '40 days' WHERE id = $1", saved.id)
    assert (await purge_expired_artifacts({"deps": deps}))["artifacts"] >= 1
    assert not (tmp_path / f"{inst}/a.png").exists()
