"""A worker's liveness: a file its event loop rewrites every few seconds, read by the container health check.

A worker listens on no port, so "the process runs" was all a probe could see: a worker whose event loop is
stuck (a blocking call, a deadlock) kept its pod. The heartbeat is written *by the event loop*, so it stops
when the loop stops turning. It deliberately says nothing about Redis or PostgreSQL: during their outages the
worker waits and resumes by itself, and restarting it would not help.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from pathlib import Path

FILE_NAME = "worker.heartbeat"
INTERVAL_SECONDS = 10.0
MAX_AGE_SECONDS = 90.0  # nine missed beats: a long synchronous step is slow, not dead


def heartbeat_path(data_dir: Path) -> Path:
    return data_dir / FILE_NAME


def beat(path: Path, now: float | None = None) -> None:
    """Write the time atomically: a reader never sees a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(f"{time.time() if now is None else now:.3f}\n")
    os.replace(partial, path)


async def keep_beating(path: Path, interval: float = INTERVAL_SECONDS) -> None:
    """Beat until cancelled, then remove the file: a stopped worker is not alive."""
    try:
        while True:
            with contextlib.suppress(OSError):  # a full disk must not stop the worker; the probe will tell
                beat(path)
            await asyncio.sleep(interval)
    finally:
        _remove(path)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def staleness(path: Path, *, max_age: float = MAX_AGE_SECONDS, now: float | None = None) -> str | None:
    """None while the heartbeat is fresh, else why the worker counts as dead."""
    try:
        written = float(path.read_text().strip())
    except FileNotFoundError:
        return f"no heartbeat at {path}: the worker has not started or has stopped"
    except (OSError, ValueError) as exc:
        return f"unreadable heartbeat at {path}: {exc}"
    age = (time.time() if now is None else now) - written
    if age > max_age:
        return f"last heartbeat {age:.0f} s ago (limit {max_age:.0f} s): the worker's event loop is stuck"
    return None
