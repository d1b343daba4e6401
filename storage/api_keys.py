"""API keys for other CI systems. Only sha256(key) is stored; the prefix lets people tell keys apart."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from .db import Conn

# What a key may do. read: browse; ingest: send runs and snapshots from other CI systems; triage:write: mute,
# pin, merge patterns and quarantine tests; fixes:write: approve or reject fixes, i.e. push to PR branches.
SCOPES = ("read", "ingest", "triage:write", "fixes:write")
DEFAULT_SCOPES = ("read", "ingest")  # new keys, and every key made before scopes existed (migration 0012)
KEY_PREFIX = "cit_"
PREFIX_CHARS = 8  # random characters of the key repeated in the stored prefix
LAST_USED_RESOLUTION_S = 60  # last_used_at is written at most once a minute per key


@dataclass(frozen=True)
class ApiKey:
    id: int
    installation_id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    scopes: tuple[str, ...] = DEFAULT_SCOPES

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    secret: str  # shown once, never stored


def hash_key(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def prefix_of(secret: str) -> str:
    return secret[: len(KEY_PREFIX) + PREFIX_CHARS]


def generate_secret() -> str:
    """``cit_`` + 43 URL-safe characters (256 random bits)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def _key(row: asyncpg.Record) -> ApiKey:
    return ApiKey(
        row["id"],
        row["installation_id"],
        row["name"],
        row["prefix"],
        row["created_at"],
        row["last_used_at"],
        row["revoked_at"],
        tuple(row["scopes"]),
    )


async def create_key(
    conn: Conn, installation_id: int, name: str, scopes: tuple[str, ...] = DEFAULT_SCOPES
) -> NewKey:
    if not name.strip():
        raise ValueError("an API key needs a name")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise ValueError(f"unknown API key scope(s) {unknown}; known: {', '.join(SCOPES)}")
    secret = generate_secret()
    row = await conn.fetchrow(
        """INSERT INTO api_keys (installation_id, name, prefix, key_hash, scopes) VALUES ($1, $2, $3, $4, $5)
           RETURNING *""",
        installation_id,
        name.strip(),
        prefix_of(secret),
        hash_key(secret),
        [s for s in SCOPES if s in scopes],
    )
    assert row is not None
    return NewKey(_key(row), secret)


async def list_keys(conn: Conn, installation_id: int | None = None) -> list[ApiKey]:
    """Keys of one installation, or of all (operator command line)."""
    rows = await conn.fetch(
        """SELECT * FROM api_keys WHERE ($1::bigint IS NULL OR installation_id = $1)
           ORDER BY installation_id, id""",
        installation_id,
    )
    return [_key(r) for r in rows]


async def revoke_key(conn: Conn, key_id: int, installation_id: int | None = None) -> ApiKey | None:
    row = await conn.fetchrow(
        """UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
           WHERE id = $1 AND ($2::bigint IS NULL OR installation_id = $2) RETURNING *""",
        key_id,
        installation_id,
    )
    return _key(row) if row else None


async def authenticate(conn: Conn, secret: str) -> ApiKey | None:
    """The live key matching ``secret``: looked up by prefix, then hashes compared in constant time."""
    if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    digest = hash_key(secret)
    rows = await conn.fetch("SELECT * FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL", prefix_of(secret))
    match = None
    for row in rows:
        if hmac.compare_digest(bytes(row["key_hash"]), digest):
            match = row
    if match is None:
        return None
    await conn.execute(
        f"""UPDATE api_keys SET last_used_at = now()
            WHERE id = $1 AND installation_id = $2
              AND (last_used_at IS NULL
                   OR last_used_at < now() - interval '{LAST_USED_RESOLUTION_S} seconds')""",
        match["id"],
        match["installation_id"],
    )
    return _key(match)
