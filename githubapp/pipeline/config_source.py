"""Reading ``.github/ci-triage.yml`` from the default branch through the contents API, cached by blob sha."""

from __future__ import annotations

import base64
import binascii
import logging

import asyncpg
import gidgethub
import gidgethub.abc

from storage import reports as db

from .config import CONFIG_PATH, MAX_BYTES, ConfigError, ParsedConfig, RepoConfig, parse_config
from .triggers import RunRef

log = logging.getLogger("ci_triage.pipeline")


async def load_repo_config(gh: gidgethub.abc.GitHubAPI, pool: asyncpg.Pool, ref: RunRef) -> ParsedConfig:
    """The repository's config (defaults when there is none); problems come back as errors, never raised."""
    branch = ref.default_branch or ""
    url = "/repos/{owner}/{repo}/contents/" + CONFIG_PATH + ("{?ref}" if branch else "")
    url_vars = {"owner": ref.owner, "repo": ref.name, **({"ref": branch} if branch else {})}
    async with pool.acquire() as conn:
        cached = await db.get_config(conn, ref.installation_id, ref.repository_id)
    try:
        data = await gh.getitem(url, url_vars=url_vars)
    except gidgethub.BadRequest as exc:
        if exc.status_code == 404:
            await _store(pool, ref, db.CachedConfig(branch, None, None, None))
            return ParsedConfig(RepoConfig())
        if exc.status_code == 403:
            return ParsedConfig(
                RepoConfig(),
                (
                    ConfigError(
                        "(file)",
                        "cannot be read (HTTP 403: does the App have contents: read?); defaults used",
                    ),
                ),
            )
        raise
    if not isinstance(data, dict) or data.get("type") != "file":
        return ParsedConfig(RepoConfig(), (ConfigError("(file)", f"{CONFIG_PATH} is not a file; defaults used"),))
    sha = data.get("sha")
    if cached is not None and cached.blob_sha == sha and cached.ref == branch and cached.content is not None:
        return parse_config(cached.content)
    if int(data.get("size") or 0) > MAX_BYTES:
        size = int(data.get("size") or 0)
        problem = f"is {size} bytes, over the limit of {MAX_BYTES}; defaults used"
        return ParsedConfig(RepoConfig(), (ConfigError("(file)", problem),))
    try:
        raw = base64.b64decode(str(data.get("content") or ""), validate=False)
        text = raw.decode("utf-8-sig")
    except (binascii.Error, UnicodeDecodeError):
        return ParsedConfig(RepoConfig(), (ConfigError("(file)", "is not UTF-8 text; defaults used"),))
    await _store(pool, ref, db.CachedConfig(branch, sha, None, text))
    return parse_config(text)


async def _store(pool: asyncpg.Pool, ref: RunRef, cached: db.CachedConfig) -> None:
    async with pool.acquire() as conn:
        await db.put_config(conn, ref.installation_id, ref.repository_id, cached)
