"""The artifact store of this process: opened from settings, attached as ``deps.services.artifacts``,
served under ``/artifacts/...`` (filesystem store, signed links), and expired by a daily retention job."""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from storage import snapshots as queries
from storage.artifacts import (
    ArtifactStore,
    FilesystemStore,
    InvalidKey,
    LinkSigner,
    S3Config,
    S3Store,
    content_type_for,
    validate_key,
)

from .deps import Deps, ServiceMissing
from .secret_key import derived_key
from .settings import Settings

log = logging.getLogger("ci_triage.artifacts")

ARTIFACTS_PATH = "/artifacts"
# Captured pages are hostile content: never let them run in our origin or sniff into something else.
SERVE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'; img-src data: blob:; style-src 'unsafe-inline'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "private, max-age=300",
}


def link_signer(settings: Settings) -> LinkSigner:
    return LinkSigner(derived_key(settings, "artifact-links"))


async def open_artifact_store(settings: Settings) -> ArtifactStore:
    """S3 when ``S3_BUCKET`` is set, else the filesystem under the data dir."""
    if settings.s3_bucket:
        assert settings.aws_access_key_id and settings.aws_secret_access_key  # enforced by Settings
        return await S3Store.open(
            S3Config(
                bucket=settings.s3_bucket,
                access_key_id=settings.aws_access_key_id,
                secret_access_key=settings.aws_secret_access_key,
                region=settings.s3_region,
                endpoint_url=settings.s3_endpoint_url,
                prefix=settings.s3_prefix,
                link_ttl=settings.artifact_link_ttl_seconds,
            )
        )
    return FilesystemStore(
        settings.data_dir / "artifacts",
        link_signer(settings),
        settings.public_url + ARTIFACTS_PATH,
        link_ttl=settings.artifact_link_ttl_seconds,
    )


async def install(deps: Deps) -> None:
    store = await open_artifact_store(deps.settings)
    deps.services.artifacts = store
    deps.services.closers.append(store.close)


def artifact_store(deps: Deps) -> ArtifactStore:
    store = deps.services.artifacts
    if store is None:
        raise ServiceMissing("artifacts")
    return store


@dataclass(frozen=True)
class SavedArtifact:
    id: int
    key: str
    kind: str
    content_type: str
    size_bytes: int


async def save_artifact(
    pool: asyncpg.Pool,
    store: ArtifactStore,
    *,
    installation_id: int,
    key: str,
    data: bytes,
    kind: str,
    snapshot_id: uuid.UUID | None = None,
) -> SavedArtifact:
    """Upload ``data`` and record it for retention. ``key`` must start with the installation id."""
    validate_key(key)
    if not key.startswith(f"{installation_id}/"):
        raise InvalidKey(f"artifact key {key!r} must start with the installation id {installation_id}")
    content_type = content_type_for(key)
    await store.put(key, data, content_type=content_type)
    artifact_id = await queries.record_artifact(
        pool,
        installation_id=installation_id,
        key=key,
        kind=kind,
        content_type=content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        snapshot_id=snapshot_id,
    )
    return SavedArtifact(artifact_id, key, kind, content_type, len(data))


# --- serving the filesystem store --------------------------------------------------------------------------


async def serve_artifact(request: Request) -> Response:
    store = request.app.state.deps.services.artifacts
    if not isinstance(store, FilesystemStore):
        return PlainTextResponse("artifacts are not served by this app", status_code=404)
    key = request.path_params["key"]
    expires, signature = request.query_params.get("expires", ""), request.query_params.get("sig", "")
    if not store.signer.verify(key, expires, signature):
        return PlainTextResponse("invalid or expired link", status_code=403)
    try:
        path = store.path_for(key)
    except InvalidKey:
        return PlainTextResponse("not found", status_code=404)
    if not path.is_file():
        return PlainTextResponse("not found", status_code=404)
    return FileResponse(path, media_type=content_type_for(key), headers=SERVE_HEADERS)


routes = [Route(ARTIFACTS_PATH + "/{key:path}", serve_artifact, methods=["GET", "HEAD"])]


# --- retention ---------------------------------------------------------------------------------------------


async def purge_expired(
    pool: asyncpg.Pool,
    store: ArtifactStore,
    *,
    retention_days: int,
    now: datetime | None = None,
    batch: int = 500,
) -> dict[str, int]:
    """Delete artifacts older than ``retention_days`` from the store, then their rows and empty snapshots."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    removed = {"artifacts": 0, "snapshots": 0}
    for installation_id in await queries.installations_with_artifacts_before(pool, cutoff):
        while rows := await queries.expired_artifacts(pool, installation_id, cutoff, limit=batch):
            await store.delete([r["key"] for r in rows])  # objects first: a row never points at nothing
            removed["artifacts"] += await queries.delete_artifact_rows(pool, installation_id, [r["id"] for r in rows])
        removed["snapshots"] += await queries.delete_expired_snapshots(pool, installation_id, cutoff)
    if any(removed.values()):
        log.info("retention removed %(artifacts)d artifacts and %(snapshots)d snapshots", removed)
    return removed


async def purge_expired_artifacts(ctx: dict[str, Any]) -> dict[str, int]:
    """arq cron job: artifacts older than ``LOG_RETENTION_DAYS``."""
    deps: Deps = ctx["deps"]
    return await purge_expired(deps.pool, artifact_store(deps), retention_days=deps.settings.log_retention_days)
