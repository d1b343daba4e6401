"""Feature services attached to ``Deps`` once per process. Each feature adds one line here."""

from __future__ import annotations

from .deps import Deps
from .github.apps import install_github
from .metrics import install_metrics


async def install_services(deps: Deps) -> None:
    deps.services.setdefault("_closers", [])
    await install_metrics(deps)
    await install_github(deps)
