"""One gidgethub Router per feature module, combined here. Add your module's router on its own line."""

from gidgethub.routing import Router

from . import comments, deployments, fix_outcomes, installations

router = Router(
    installations.router,
    deployments.router,
    comments.router,
    fix_outcomes.router,
)
