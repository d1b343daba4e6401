"""Dashboard sessions: the hash of a random session id and the user's access list, never a GitHub token."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .db import Conn


@dataclass(frozen=True)
class WebSession:
    user_id: int
    login: str
    installations: tuple[int, ...]
    repositories: tuple[int, ...]
    csrf_token: str
    expires_at: datetime
    writable: tuple[int, ...] = ()  # repositories the user may push to (GitHub's permissions at sign-in)


def _hash(session_id: str) -> bytes:
    return hashlib.sha256(session_id.encode()).digest()


async def create(
    conn: Conn,
    session_id: str,
    *,
    user_id: int,
    login: str,
    installations: Sequence[int],
    repositories: Sequence[int],
    csrf_token: str,
    ttl_seconds: int,
    writable: Sequence[int] = (),
) -> None:
    await conn.execute(
        """INSERT INTO web_sessions (id_hash, user_id, login, installations, repositories, csrf_token, expires_at,
                                    writable)
           VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7), $8)""",
        _hash(session_id), user_id, login, list(installations), list(repositories), csrf_token, float(ttl_seconds),
        list(writable),
    )
    # Expired sessions go away as new ones arrive; no separate cron needed.
    await conn.execute("DELETE FROM web_sessions WHERE expires_at < now() - interval '1 day'")


async def load(conn: Conn, session_id: str) -> WebSession | None:
    row = await conn.fetchrow(
        "SELECT * FROM web_sessions WHERE id_hash = $1 AND expires_at > now()", _hash(session_id)
    )
    if row is None:
        return None
    return WebSession(
        row["user_id"], row["login"], tuple(row["installations"]), tuple(row["repositories"]),
        row["csrf_token"], row["expires_at"], tuple(row["writable"]),
    )


async def delete(conn: Conn, session_id: str) -> None:
    await conn.execute("DELETE FROM web_sessions WHERE id_hash = $1", _hash(session_id))
