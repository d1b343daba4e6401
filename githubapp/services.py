"""Feature services attached to ``Deps`` once per process. Each feature adds one line here."""

from __future__ import annotations

from .deps import Deps


async def install_services(deps: Deps) -> None:
    deps.services.setdefault("_closers", [])
    from . import artifacts

    await artifacts.install(deps)  # deps.services["artifacts"]
    from .snapshots import service as snapshots

    await snapshots.install(deps)  # deps.services["snapshots"] (Chromium launched on first capture)
