"""History tests get their own database: reembed retypes vector columns, which must not leak into others."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import asyncpg
import pytest

from analysis.embedding import HashingEmbedder
from githubapp.history.service import HistoryService
from storage import db
from storage.embedded_pg import EmbeddedPostgres
from tests.support.services import unique_name

_ids = itertools.count(1)


async def fresh_database(pg_server: EmbeddedPostgres) -> str:
    name = unique_name("history")
    await db.create_database(pg_server.url(), name)
    url = pg_server.url(name)
    await db.migrate(url)
    return url


@pytest.fixture(scope="module")
async def history_url(pg_server: EmbeddedPostgres) -> str:
    return await fresh_database(pg_server)


@pytest.fixture(scope="module")
async def history_pool(history_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await db.create_pool(history_url, max_size=10)
    yield pool
    await pool.close()


@pytest.fixture
def installation() -> int:
    """A fresh installation id per test: tests share a database but never each other's history."""
    return 1_000_000 + next(_ids) * 1000


@pytest.fixture
def service(history_pool: asyncpg.Pool) -> HistoryService:
    """History at the calibrated default threshold, on the folder's own database."""
    return HistoryService(history_pool, HashingEmbedder())
