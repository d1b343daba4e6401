"""``create_app(settings)``: the ASGI application. Nothing happens at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from . import artifacts
from .deps import Deps
from .intake import setup_flow, webhooks
from .observability import health, metrics
from .runtime import open_deps
from .settings import Settings
from .web import dashboard, oauth
from .web.api import table as api_table
from .web.ratelimit import ApiRateLimit
from .web.security import SecurityHeaders


def routes() -> list[BaseRoute]:
    return [
        *health.routes,
        *webhooks.routes,
        *metrics.routes,
        *setup_flow.routes,
        *artifacts.routes,
        *api_table.routes(),
        *oauth.routes,
        *dashboard.routes(),  # last: the dashboard serves "/"
    ]


def middleware(settings: Settings) -> list[Middleware]:
    return [
        # The webhook first: it needs none of the pages' and API's middleware (see githubapp/intake/webhooks.py).
        Middleware(webhooks.WebhookFastPath),
        # The setup page's form posts the App manifest to GitHub: the one origin besides ours a form may target.
        Middleware(SecurityHeaders, hsts=settings.public_url.startswith("https://"), form_origin=settings.github_url),
        Middleware(ApiRateLimit),
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

    app = Starlette(routes=routes(), lifespan=lifespan, middleware=middleware(settings))
    app.state.settings = settings
    return app
