"""Session fixtures for the real services. Loaded by tests/conftest.py as a plugin."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import asyncpg
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from githubapp.deps import Deps
from githubapp.runtime import open_deps
from githubapp.settings import Settings
from snapshot.browser import CHROMIUM_ARGS as BROWSER_ARGS
from storage import db
from storage.embedded_pg import EmbeddedPostgres

from .fake_github import FakeGitHub
from .services import S3Server, chromium_path, start_postgres, start_s3, unique_name

WEBHOOK_SECRET = "test-webhook-secret"


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    pg = start_postgres(tmp_path_factory.mktemp("postgres"))
    yield pg
    pg.stop()


@pytest.fixture(scope="session")
async def database_url(pg_server: EmbeddedPostgres) -> str:
    """A fresh, migrated database for this test session."""
    name = unique_name("test")
    await db.create_database(pg_server.url(), name)
    url = pg_server.url(name)
    await db.migrate(url)
    return url


@pytest.fixture(scope="session")
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    p = await db.create_pool(database_url, max_size=20)
    yield p
    await p.close()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """REDIS_URL when set (keys are isolated by a per-session queue name), else a private redis-server."""
    configured = os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL")
    if configured:
        yield configured
        return
    from githubapp.backing import RedisChild

    child = RedisChild(tmp_path_factory.mktemp("redis"))
    url = child.start()
    yield url
    child.stop()


@pytest.fixture(scope="session")
def private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()


@pytest.fixture(scope="session")
def base_settings(
    database_url: str, redis_url: str, private_key_pem: str, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """Settings for this session: its own database, queue name and data dir; GitHub at the fake (if set)."""
    return Settings(
        data_dir=tmp_path_factory.mktemp("data"),
        database_url=database_url,
        redis_url=redis_url,
        queue_name=unique_name("ci-triage-test") + ":queue",
        github_app_id=4242,
        github_private_key=private_key_pem,
        github_webhook_secrets=(WEBHOOK_SECRET,),
    )


@pytest.fixture(scope="session")
async def session_deps(base_settings: Settings) -> AsyncIterator[Deps]:
    async with open_deps(base_settings, run_migrations=False) as deps:
        yield deps


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    server = start_s3(tmp_path_factory.mktemp("s3"))
    yield server
    server.stop()


CHROMIUM_ARGS = [*BROWSER_ARGS, "--no-sandbox"]  # the service's flags


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[object]:
    """Real Chromium (Debian's) driven by Playwright."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        instance = await pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        yield instance
        await instance.close()


@pytest.fixture
def settings_for(base_settings: Settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Derive per-test settings: ``settings_for(github_api_url=...)``."""

    def make(**changes: object) -> Settings:
        return replace(base_settings, data_dir=tmp_path / "data", **changes)  # type: ignore[arg-type]

    return make


@pytest.fixture(scope="session")
def fake_github() -> Iterator[FakeGitHub]:
    """The suite's one fake GitHub server; use the function-scoped `github` fixture in tests."""
    fake = FakeGitHub().start()
    yield fake
    fake.stop()


@pytest.fixture
def github(fake_github: FakeGitHub) -> Iterator[FakeGitHub]:
    """The fake GitHub, reset for this test; the test fails if it made a request GitHub would reject."""
    fake_github.reset()
    yield fake_github
    problems = fake_github.take_violations()
    fake_github.reset()
    if problems:
        listing = "\n  ".join(problems)
        pytest.fail(f"fake GitHub saw requests GitHub would reject:\n  {listing}", pytrace=False)
