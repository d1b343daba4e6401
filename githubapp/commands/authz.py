"""Who may run commands: people with write, maintain or admin permission on the repository.

GET /repos/{o}/{r}/collaborators/{user}/permission answers ``permission`` (legacy base role: admin, write,
read, none; maintain maps to write) and ``role_name`` (the assigned role, custom roles included). A custom
role built on write reports ``permission: write``, so either field granting write is enough.
Answers are cached briefly in Redis so a burst of commands costs one request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import gidgethub
from gidgethub.abc import GitHubAPI

from ..fixes.gitdata import repo_url

CACHE_SECONDS = 60
WRITE_ROLES = frozenset({"admin", "maintain", "write"})
WRITE_PERMISSIONS = frozenset({"admin", "write"})
WHO_MAY = "people with write, maintain or admin permission on this repository"


@dataclass(frozen=True)
class Access:
    permission: str
    role_name: str

    @property
    def may_run_commands(self) -> bool:
        return self.permission in WRITE_PERMISSIONS or self.role_name in WRITE_ROLES


def cache_key(installation_id: int, full_name: str, login: str) -> str:
    return f"ci-triage:perm:{installation_id}:{full_name.lower()}:{login.lower()}"


async def repository_access(
    gh: GitHubAPI,
    redis: Any,
    *,
    installation_id: int,
    full_name: str,
    login: str,
) -> Access:
    key = cache_key(installation_id, full_name, login)
    cached = await redis.get(key) if redis is not None else None
    if cached:
        data = json.loads(cached)
        return Access(data["permission"], data["role_name"])
    try:
        answer: Any = await gh.getitem(f"{repo_url(full_name)}/collaborators/{quote(login, safe='')}/permission")
        access = Access(str(answer.get("permission") or "none"), str(answer.get("role_name") or "none"))
    except gidgethub.BadRequest as exc:
        if exc.status_code not in (403, 404):
            raise
        access = Access("none", "none")  # not a user GitHub knows here
    if redis is not None:
        await redis.set(
            key, json.dumps({"permission": access.permission, "role_name": access.role_name}), ex=CACHE_SECONDS
        )
    return access
