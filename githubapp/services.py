"""Feature services attached to ``Deps`` once per process. Each feature adds one line here."""

from __future__ import annotations

from .deps import Deps
from .fixes.llm import install_fix_model


async def install_services(deps: Deps) -> None:
    deps.services.setdefault("_closers", [])
    await install_fix_model(deps)
