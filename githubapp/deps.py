"""Long-lived clients built once per process and handed to handlers and jobs (``ctx["deps"]``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
from arq.connections import ArqRedis

from .settings import Settings


@dataclass
class Deps:
    settings: Settings
    pool: asyncpg.Pool
    queue: ArqRedis
    http: httpx.AsyncClient
    # Feature services register themselves here at start-up (GitHub client factory, artifact store, ...).
    services: dict[str, Any] = field(default_factory=dict)
