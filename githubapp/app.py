"""``create_app(settings)``: the ASGI application. Nothing happens at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import BaseRoute

from . import health
from .deps import Deps
from .runtime import open_deps
from .settings import Settings


def routes() -> list[BaseRoute]:
    from . import artifacts, metrics, setup_flow, web, webhooks
    from .api import snapshots as api_snapshots

    return [
        *health.routes,
        *webhooks.routes,
        *metrics.routes,
        *setup_flow.routes,
        *artifacts.routes,
        *api_snapshots.routes,
        *web.routes(),  # last: the dashboard serves "/"
    ]


def create_app(settings: Settings, *, deps: Deps | None = None) -> Starlette:
    """``deps`` given: use them (tests, ``serve``); else open them from ``settings`` in the lifespan."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if deps is not None:
            app.state.deps = deps
            yield
            return
        async with open_deps(settings) as opened:
            app.state.deps = opened
            yield

    from starlette.middleware import Middleware

    from . import web, webhooks

    # The webhook first: it needs none of the pages' and API's middleware (see githubapp/webhooks.py).
    middleware = [Middleware(webhooks.WebhookFastPath), *web.middleware(settings)]
    app = Starlette(routes=routes(), lifespan=lifespan, middleware=middleware)
    app.state.settings = settings
    return app
