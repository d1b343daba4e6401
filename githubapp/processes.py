"""Long-running processes: ``serve`` (web + worker), ``web``, ``worker``; SIGTERM stops them gracefully."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Generator

import uvicorn
from arq.worker import Worker
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.applications import Starlette

from .app import create_app
from .intake import public_url
from .intake.setup_flow import setup_link
from .runtime import backing_services, open_deps
from .settings import Settings
from .worker.arq_worker import build_worker, stop_gracefully
from .worker.heartbeat import heartbeat_path, keep_beating

log = logging.getLogger("ci_triage.processes")


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the process installs one handler for web and worker."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def _on_signals(handler: Callable[[], None]) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, handler)


def _uvicorn_config(app: Starlette, settings: Settings) -> uvicorn.Config:
    return uvicorn.Config(
        app, host=settings.host, port=settings.port, log_config=None, access_log=False,
        proxy_headers=True, forwarded_allow_ips=settings.forwarded_allow_ips, lifespan="on",
        timeout_graceful_shutdown=20,
    )


async def _run_worker(worker: Worker) -> None:
    """Run the worker; if Redis goes away, wait and resume instead of taking the process (and, under
    ``serve``, the web app that still answers webhooks) down with it."""
    delay = 1.0
    while True:
        try:
            with contextlib.suppress(asyncio.CancelledError):
                await worker.async_run()  # a graceful stop cancels its main task once in-flight jobs are done
            return
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            if not worker.allow_pick_jobs:  # shutting down
                return
            log.warning("worker lost Redis (%s); resuming in %.0f s", type(exc).__name__, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)


async def run(settings: Settings, *, web: bool, worker: bool, on_ready: Callable[[str], None] = print) -> None:
    async with backing_services(settings) as resolved, open_deps(resolved) as deps:
        tasks: list[asyncio.Task[None]] = []
        server: _Server | None = None
        arq_worker = build_worker(deps) if worker else None
        if web:
            server = _Server(_uvicorn_config(create_app(resolved, deps=deps), resolved))
            tasks.append(asyncio.create_task(server.serve(), name="web"))
        if arq_worker is not None:
            tasks.append(asyncio.create_task(_run_worker(arq_worker), name="worker"))

        def shutdown() -> None:
            log.info("shutting down: no new requests or jobs, finishing in-flight work")
            if server is not None:
                server.should_exit = True
            if arq_worker is not None:
                stop_gracefully(arq_worker)

        _on_signals(shutdown)
        heartbeat = None
        if arq_worker is not None:
            heartbeat = asyncio.create_task(keep_beating(heartbeat_path(resolved.data_dir)), name="heartbeat")
        try:
            if server is not None:
                while not server.started and not tasks[0].done():  # noqa: ASYNC110 - uvicorn has no "started" event
                    await asyncio.sleep(0.05)
                on_ready(f"ci-triage listening on http://{resolved.host}:{resolved.port}")
            if not resolved.app_configured and web:

                on_ready(f"No GitHub App configured yet: open {setup_link(resolved)} to create one "
                         "(the link carries a one-time token: only its holder can create the App).")
            problem = public_url.warning(resolved.public_url) if web else None
            if problem:
                log.warning("%s", problem)
                on_ready(f"Warning: {problem}")
            done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                if not task.cancelled() and task.exception() is not None:
                    shutdown()
                    await asyncio.gather(*pending, return_exceptions=True)
                    raise task.exception()  # type: ignore[misc]
        finally:
            if heartbeat is not None:
                heartbeat.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await heartbeat
