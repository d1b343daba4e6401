"""Feature services attached to ``Deps`` once per process. Each feature adds one line here."""

from __future__ import annotations

from .deps import Deps
from .fixes.llm import install_fix_model


async def install_services(deps: Deps) -> None:
    deps.services.setdefault("_closers", [])
    from .metrics import install_metrics

    await install_metrics(deps)  # deps.services["metrics"] (counters shared through Redis)
    from .github.apps import install_github

    await install_github(deps)  # deps.services["github"] (the GitHub client factory)
    from . import artifacts

    await artifacts.install(deps)  # deps.services["artifacts"]
    from .snapshots import service as snapshots

    await snapshots.install(deps)  # deps.services["snapshots"] (Chromium launched on first capture)
    from . import history

    await history.install(deps)  # deps.services["history"]
    await install_fix_model(deps)  # deps.services["fix_model"] when an LLM is configured
