"""Feature services attached to ``Deps.services`` once per process. Each feature adds one line here."""

from __future__ import annotations

from . import artifacts
from .deps import Deps
from .fixes.llm import install_fix_model
from .github.apps import install_github
from .history import service as history
from .observability.metrics import install_metrics
from .snapshots import service as snapshots


async def install_services(deps: Deps) -> None:
    await install_metrics(deps)  # services.metrics (counters shared through Redis)
    await install_github(deps)  # services.github (the GitHub client factory)
    await artifacts.install(deps)  # services.artifacts
    await snapshots.install(deps)  # services.snapshots (Chromium launched on first capture)
    await history.install(deps)  # services.history
    await install_fix_model(deps)  # services.fix_model when an LLM is configured
