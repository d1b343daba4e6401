"""Artifact stores: one protocol, an S3 adapter (aiobotocore) and a filesystem default with signed links.

Keys are relative paths like ``12345/snapshots/<uuid>/screenshot.png`` (installation id first). Links are
presigned S3 GET URLs, or for the filesystem ``{base_url}/{key}?expires=UNIX&sig=HMAC`` that the app serves.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import os
import re
import tempfile
import time
from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

MAX_PRESIGN_SECONDS = 7 * 24 * 3600  # SigV4's own limit
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")

CONTENT_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "html": "text/html; charset=utf-8",
    "har": "application/json",
    "json": "application/json",
    "txt": "text/plain; charset=utf-8",
    "log": "text/plain; charset=utf-8",
    "xml": "application/xml",
}


class ArtifactError(Exception):
    pass


class InvalidKey(ArtifactError, ValueError):
    """A key that is not a plain relative path (traversal, absolute, odd characters)."""


class ArtifactNotFound(ArtifactError, KeyError):
    pass


def validate_key(key: str) -> str:
    """Relative ``/``-separated segments of ``[A-Za-z0-9._-]``, none starting with a dot: no traversal."""
    segments = key.split("/")
    if not key or len(key) > 1024 or not all(_SEGMENT.match(s) for s in segments):
        raise InvalidKey(f"invalid artifact key {key!r}")
    return key


def content_type_for(key: str) -> str:
    return CONTENT_TYPES.get(key.rsplit(".", 1)[-1].lower(), "application/octet-stream")


class ArtifactStore(Protocol):
    kind: str

    async def put(self, key: str, data: bytes, *, content_type: str | None = None) -> None: ...

    async def get(self, key: str) -> bytes: ...

    async def delete(self, keys: Sequence[str]) -> None: ...

    async def link(self, key: str, *, expires_in: int | None = None) -> str: ...

    async def close(self) -> None: ...


# --- signed links for the filesystem store -----------------------------------------------------------------


@dataclass(frozen=True)
class LinkSigner:
    key: bytes

    def signature(self, artifact_key: str, expires: int) -> str:
        message = f"{artifact_key}\n{expires}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    def verify(self, artifact_key: str, expires: str, signature: str, *, now: float | None = None) -> bool:
        """True when ``signature`` is ours for this key and expiry and the expiry has not passed."""
        if not expires.isdigit() or not signature:
            return False
        expected = self.signature(artifact_key, int(expires))
        if not hmac.compare_digest(expected, signature):
            return False
        return int(expires) > (time.time() if now is None else now)


class FilesystemStore:
    """Files under ``root``; links point at the app's ``/artifacts/`` route, HMAC-signed and expiring."""

    kind = "filesystem"

    def __init__(self, root: Path, signer: LinkSigner, base_url: str, *, link_ttl: int = MAX_PRESIGN_SECONDS) -> None:
        self.root = root.resolve()
        self.signer = signer
        self.base_url = base_url.rstrip("/")
        self.link_ttl = link_ttl

    def path_for(self, key: str) -> Path:
        path = (self.root / validate_key(key)).resolve()
        if not path.is_relative_to(self.root):  # belt and braces; validate_key already rules this out
            raise InvalidKey(f"invalid artifact key {key!r}")
        return path

    async def put(self, key: str, data: bytes, *, content_type: str | None = None) -> None:
        await asyncio.to_thread(self._write, self.path_for(key), data)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)  # readers never see a half-written file
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    async def get(self, key: str) -> bytes:
        path = self.path_for(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except (FileNotFoundError, IsADirectoryError):
            raise ArtifactNotFound(key) from None

    async def delete(self, keys: Sequence[str]) -> None:
        def remove() -> None:
            for key in keys:
                with contextlib.suppress(FileNotFoundError):
                    self.path_for(key).unlink()

        await asyncio.to_thread(remove)

    async def link(self, key: str, *, expires_in: int | None = None) -> str:
        validate_key(key)
        expires = int(time.time()) + (expires_in or self.link_ttl)
        return f"{self.base_url}/{quote(key)}?expires={expires}&sig={self.signer.signature(key, expires)}"

    async def close(self) -> None:
        return None


# --- S3 ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class S3Config:
    bucket: str
    access_key_id: str
    secret_access_key: str
    region: str = "us-east-1"
    endpoint_url: str | None = None  # MinIO, SeaweedFS, ...
    prefix: str = ""
    link_ttl: int = MAX_PRESIGN_SECONDS
    create_bucket: bool = True


class S3Store:
    """S3 or an S3-compatible server; links are presigned GET URLs (SigV4, at most 7 days)."""

    kind = "s3"

    def __init__(self, config: S3Config, client: Any, stack: AsyncExitStack) -> None:
        self.config = config
        self._client = client
        self._stack = stack
        self._prefix = config.prefix.strip("/") + "/" if config.prefix.strip("/") else ""

    @classmethod
    async def open(cls, config: S3Config) -> S3Store:
        from aiobotocore.config import AioConfig
        from aiobotocore.session import get_session

        stack = AsyncExitStack()
        client = await stack.enter_async_context(
            get_session().create_client(
                "s3",
                region_name=config.region,
                endpoint_url=config.endpoint_url,
                aws_access_key_id=config.access_key_id,
                aws_secret_access_key=config.secret_access_key,
                config=AioConfig(
                    signature_version="s3v4",
                    retries={"max_attempts": 3, "mode": "standard"},
                    s3={"addressing_style": "path" if config.endpoint_url else "auto"},
                ),
            )
        )
        store = cls(config, client, stack)
        try:
            if config.create_bucket:
                await store._ensure_bucket()
        except BaseException:
            await stack.aclose()
            raise
        return store

    async def _ensure_bucket(self) -> None:
        from botocore.exceptions import ClientError

        try:
            await self._client.head_bucket(Bucket=self.config.bucket)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
                raise
            kwargs: dict[str, Any] = {"Bucket": self.config.bucket}
            if self.config.region != "us-east-1":
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self.config.region}
            await self._client.create_bucket(**kwargs)

    def object_key(self, key: str) -> str:
        return self._prefix + validate_key(key)

    async def put(self, key: str, data: bytes, *, content_type: str | None = None) -> None:
        await self._client.put_object(
            Bucket=self.config.bucket,
            Key=self.object_key(key),
            Body=data,
            ContentType=content_type or content_type_for(key),
        )

    async def get(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            response = await self._client.get_object(Bucket=self.config.bucket, Key=self.object_key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise ArtifactNotFound(key) from None
            raise
        async with response["Body"] as body:
            data: bytes = await body.read()
        return data

    async def delete(self, keys: Sequence[str]) -> None:
        objects = [{"Key": self.object_key(k)} for k in keys]
        for start in range(0, len(objects), 1000):
            await self._client.delete_objects(
                Bucket=self.config.bucket, Delete={"Objects": objects[start : start + 1000], "Quiet": True}
            )

    async def link(self, key: str, *, expires_in: int | None = None) -> str:
        ttl = min(expires_in or self.config.link_ttl, MAX_PRESIGN_SECONDS)
        url: str = await self._client.generate_presigned_url(
            "get_object", Params={"Bucket": self.config.bucket, "Key": self.object_key(key)}, ExpiresIn=ttl
        )
        return url

    async def close(self) -> None:
        await self._stack.aclose()
