"""One gidgethub Router per feature module, combined here. Add your module's router on its own line."""

from gidgethub.routing import Router

from . import ci_runs, comments, deployments, fix_outcomes, installations, workflow_job, workflow_run

router = Router(
    installations.router,
    deployments.router,
    workflow_run.router,
    workflow_job.router,
    comments.router,
    fix_outcomes.router,
    ci_runs.router,
)
