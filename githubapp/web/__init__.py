"""REST API, dashboard, sign-in with GitHub and live updates. ``routes()`` and ``middleware()`` wire them in."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from ..settings import Settings


def routes() -> list[BaseRoute]:
    from . import api, dashboard, oauth

    return [*api.routes(), *oauth.routes, *dashboard.routes()]


def middleware(settings: Settings) -> list[Middleware]:
    from .ratelimit import ApiRateLimit
    from .security import SecurityHeaders

    return [
        # The setup page's form posts the App manifest to GitHub: the one origin besides ours a form may target.
        Middleware(SecurityHeaders, hsts=settings.public_url.startswith("https://"), form_origin=settings.github_url),
        Middleware(ApiRateLimit),
    ]
