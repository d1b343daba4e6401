"""The app's secret key: ``CI_TRIAGE_SECRET_KEY``, else generated once into the data dir (mode 0600).

Purposes (artifact links, sessions, ...) each get their own derived key, so one never verifies the other's.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from .settings import Settings

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name


def _stored_key(data_dir: Path) -> str:
    path = data_dir / SECRET_KEY_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Written in full under a private name, then linked into place: web and worker starting together
        # never read a half-written key, and the first link wins.
        draft = data_dir / f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            with contextlib.suppress(FileExistsError):
                os.link(draft, path)
        finally:
            draft.unlink(missing_ok=True)
    key = path.read_text().strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable secret key; delete it to generate a new one")
    return key


def secret_key(settings: Settings) -> bytes:
    return (settings.secret_key or _stored_key(settings.data_dir)).encode()


def derived_key(settings: Settings, purpose: str) -> bytes:
    return hmac.new(secret_key(settings), f"ci-triage:{purpose}".encode(), hashlib.sha256).digest()
