"""Long-lived clients built once per process and handed to handlers and jobs (``ctx["deps"]``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import asyncpg
import httpx
from arq.connections import ArqRedis

from .settings import Settings

if TYPE_CHECKING:  # the services import Deps themselves; the types are only named here
    from storage.artifacts import ArtifactStore

    from .fixes.llm import FixModel
    from .github.apps import GitHubApps
    from .history.service import HistoryService
    from .intake.writer import DeliveryWriter
    from .observability.metrics import Metrics
    from .snapshots.service import SnapshotService
    from .web.ratelimit import RateLimiter

Closer = Callable[[], Awaitable[None]]
# ``async hook(deps, logs_before, failures_before) -> {what: count removed}``, called by the nightly purge.
RetentionHook = Callable[["Deps", datetime, datetime], Awaitable[dict[str, int]]]


class ServiceMissing(RuntimeError):
    """A feature service read before ``install_services`` attached it."""


@dataclass
class Services:
    """Feature services, attached once per process by ``services.install_services`` (None until then)."""

    metrics: Metrics | None = None  # counters shared through Redis
    github: GitHubApps | None = None  # the GitHub client factory
    artifacts: ArtifactStore | None = None
    snapshots: SnapshotService | None = None  # Chromium launched on first capture
    history: HistoryService | None = None
    fix_model: FixModel | None = None  # only when an LLM is configured
    delivery_writer: DeliveryWriter | None = None  # created on the first webhook
    api_rate_limiter: RateLimiter | None = None  # created on the first API call
    retention_hooks: list[RetentionHook] = field(default_factory=list)
    # Called in reverse order when the process's resources close (browser, artifact store, metrics flusher...).
    closers: list[Closer] = field(default_factory=list)


@dataclass
class Deps:
    settings: Settings
    pool: asyncpg.Pool
    queue: ArqRedis
    http: httpx.AsyncClient
    services: Services = field(default_factory=Services)
