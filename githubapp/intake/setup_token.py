"""The one-time token that guards ``/setup`` until a GitHub App is configured.

Without it, whoever opened ``/setup`` first would own the instance's App. The token is created in the data
directory (owner-only, shared by every process that shares the data dir), printed in the server's log as part
of the setup link, and removed once the App is configured, which closes ``/setup`` for good.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

TOKEN_FILE = "setup-token"  # noqa: S105 - a file name


def setup_token(data_dir: Path) -> tuple[str, bool]:
    """The current token and whether this call created it (then the caller prints it)."""
    path = data_dir / TOKEN_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        existing = path.read_text().strip()
        if existing:
            return existing, False
        path.unlink(missing_ok=True)  # an empty file left by a crash between create and write
        return setup_token(data_dir)
    with os.fdopen(fd, "w") as handle:
        handle.write(token)
    return token, True


def token_matches(data_dir: Path, given: str) -> bool:
    path = data_dir / TOKEN_FILE
    try:
        expected = path.read_text().strip()
    except OSError:
        return False
    return bool(expected) and bool(given) and secrets.compare_digest(expected.encode(), given.encode())


def discard_token(data_dir: Path) -> None:
    with contextlib.suppress(OSError):
        (data_dir / TOKEN_FILE).unlink()
