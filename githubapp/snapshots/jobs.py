"""arq jobs of the snapshot feature."""

from __future__ import annotations

import uuid
from typing import Any

from ..deps import Deps
from .service import snapshot_service


async def capture_snapshot(ctx: dict[str, Any], installation_id: int, snapshot_id: str) -> str:
    """Capture one ``POST /api/snapshots`` request; enqueued with ``_job_id=f"snapshot:{id}"``."""
    deps: Deps = ctx["deps"]
    return await snapshot_service(deps).capture_api(installation_id, uuid.UUID(snapshot_id))
