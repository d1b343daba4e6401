"""One gidgethub Router per feature module, combined here. Add your module's router on its own line."""

from gidgethub.routing import Router

from . import deployments, installations

router = Router(
    installations.router,
    deployments.router,
)
