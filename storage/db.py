"""asyncpg pool with the pgvector codec, and numbered SQL migrations applied under an advisory lock."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any, TypeAlias

import asyncpg
from pgvector.asyncpg import register_vector

MIGRATION_LOCK_ID = 0x6369_7472  # "citr": one advisory lock shared by every replica that starts at once
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

Pool = asyncpg.Pool
# What a query runs on: the pool (one statement, any connection) or one connection (a transaction, a lock).
Conn: TypeAlias = asyncpg.Pool | asyncpg.Connection | asyncpg.pool.PoolConnectionProxy
Connection: TypeAlias = asyncpg.Connection | asyncpg.pool.PoolConnectionProxy


class DatabaseError(RuntimeError):
    """The database cannot serve ci-triage (unreachable, or pgvector missing); the message says how to fix it."""


PGVECTOR_MISSING = (
    "the database at DATABASE_URL has no pgvector extension available. Install pgvector on that server "
    "(https://github.com/pgvector/pgvector#installation, e.g. the postgresql-NN-pgvector package) and run "
    "`CREATE EXTENSION vector;`, or leave DATABASE_URL unset to use the embedded PostgreSQL with pgvector."
)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def load_migrations() -> list[Migration]:
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text()))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise DatabaseError(f"duplicate migration numbers in storage/migrations: {versions}")
    return found


async def _init_connection(conn: asyncpg.Connection) -> None:
    try:
        await register_vector(conn)
    except ValueError:
        # The extension is created by the first migration; a pool opened before that has no codec yet.
        pass
    for typename in ("json", "jsonb"):
        await conn.set_type_codec(typename, encoder=_json_dumps, decoder=_json_loads, schema="pg_catalog")


def _json_dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)


def _json_loads(value: str) -> Any:
    return json.loads(value)


async def ensure_pgvector(conn: asyncpg.Connection) -> None:
    available = await conn.fetchval("SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'")
    if not available:
        raise DatabaseError(PGVECTOR_MISSING)


async def migrate(dsn: str, *, log: Any = None) -> list[str]:
    """Apply pending migrations; safe when several processes run it at once. Returns the names applied."""
    conn = await connect_once(dsn)
    applied: list[str] = []
    try:
        await ensure_pgvector(conn)
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_ID)
        try:
            await conn.execute(
                """CREATE TABLE IF NOT EXISTS schema_migrations (
                       version INTEGER PRIMARY KEY,
                       name TEXT NOT NULL,
                       checksum TEXT NOT NULL,
                       applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"""
            )
            done = {r["version"]: r for r in await conn.fetch("SELECT version, name FROM schema_migrations")}
            for migration in load_migrations():
                if migration.version in done:
                    continue
                async with conn.transaction():
                    await conn.execute(migration.sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                        migration.version,
                        migration.name,
                        migration.checksum,
                    )
                applied.append(migration.name)
                if log is not None:
                    log(f"applied migration {migration.name}")
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_ID)
    finally:
        await conn.close()
    return applied


async def pending_migrations(conn: asyncpg.Connection | asyncpg.pool.PoolConnectionProxy) -> list[str]:
    exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    done: set[int] = set()
    if exists:
        done = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
    return [m.name for m in load_migrations() if m.version not in done]


async def connect_once(dsn: str) -> asyncpg.Connection:
    try:
        return await asyncpg.connect(dsn, timeout=10)
    except (OSError, asyncpg.PostgresError) as exc:
        raise DatabaseError(f"cannot connect to PostgreSQL: {exc}") from exc


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    try:
        pool = await asyncpg.create_pool(
            dsn, min_size=min_size, max_size=max_size, init=_init_connection, command_timeout=60
        )
    except (OSError, asyncpg.PostgresError) as exc:
        raise DatabaseError(f"cannot connect to PostgreSQL: {exc}") from exc
    assert pool is not None
    return pool


async def create_database(admin_dsn: str, name: str) -> None:
    """Create database ``name`` on the server of ``admin_dsn`` if it does not exist (tests, first start)."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"unsafe database name {name!r}")
    conn = await connect_once(admin_dsn)
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            try:
                await conn.execute(f'CREATE DATABASE "{name}"')
            except asyncpg.DuplicateDatabaseError:
                pass
    finally:
        await conn.close()


async def ping(conn: asyncpg.Connection | asyncpg.Pool) -> None:
    """One round trip to the server (readiness probes, the worker's heartbeat job)."""
    await conn.fetchval("SELECT 1")
