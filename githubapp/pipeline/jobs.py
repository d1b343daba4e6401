"""arq jobs of the pipeline. Transient GitHub trouble is retried with backoff; anything else (or the last
try) completes the check run saying triage failed, so it never stays "in progress"."""

from __future__ import annotations

import logging
import time
from typing import Any

import gidgethub
from arq.worker import Retry

from ..deps import Deps
from ..github import RateLimited, github_of
from ..observability.logs import log_context, redact
from ..worker.policy import is_permanent, next_try_in
from .outcomes import record_passing
from .publish import fail_check_run
from .triage import Triage
from .triggers import RunRef

log = logging.getLogger("ci_triage.pipeline")


async def _run(ctx: dict[str, Any], ref: RunRef, only_job: int | None) -> str:
    deps: Deps = ctx["deps"]
    gh = github_of(deps).for_installation(ref.installation_id)
    triage = Triage(deps, gh, ref, only_job=only_job)
    with log_context(
        installation_id=ref.installation_id,
        repository=ref.repo,
        run_id=ref.run_id,
        run_attempt=ref.attempt,
        job_id=only_job,
    ):
        started = time.perf_counter()
        try:
            outcome = await triage.run()
            await _count(deps, triage, outcome, time.perf_counter() - started)
            return outcome
        except Exception as exc:
            job_try = int(ctx.get("job_try", 1))
            delay = _next_try_in(deps, exc, job_try)
            if delay is not None:
                log.warning(
                    "triage try %d failed, retrying in %.0f s: %s",
                    job_try,
                    delay,
                    redact(f"{type(exc).__name__}: {exc}"),
                )
                raise Retry(defer=delay) from exc
            log.error("triage failed for good: %s", redact(f"{type(exc).__name__}: {exc}"), exc_info=exc)
            if triage.check_run_id is not None:
                try:
                    await fail_check_run(gh, ref, triage.check_run_id, describe(exc))
                except Exception:
                    log.exception("could not mark the check run as failed")
            await _count(deps, triage, "failed", time.perf_counter() - started)
            return "failed"


def permanent(exc: BaseException) -> bool:
    """The intake's rule, plus: a 403 that reaches us is a missing permission (the client has already turned
    rate-limit 403s into ``RateLimited``), which no retry fixes."""
    if isinstance(exc, gidgethub.BadRequest) and exc.status_code == 403:
        return True
    return is_permanent(exc)


def _next_try_in(deps: Deps, exc: BaseException, job_try: int) -> float | None:
    settings = deps.settings
    return next_try_in(
        exc, job_try, max_tries=settings.job_max_tries, base=settings.job_retry_base_seconds, permanent=permanent
    )


def describe(exc: Exception) -> str:
    """What the check run says when triage gave up; never the exception text (it may carry URLs or tokens)."""
    status = getattr(exc, "status_code", None)
    if isinstance(exc, gidgethub.BadRequest) and status == 403:
        return "GitHub refused access (HTTP 403): the App needs actions: read, checks: write and pull requests: write"
    if isinstance(exc, gidgethub.BadRequest) and status in (404, 410):
        return f"GitHub no longer has this run's data (HTTP {status})"
    if isinstance(exc, RateLimited):
        return "GitHub's rate limit was reached; try again later"
    return type(exc).__name__


async def _count(deps: Deps, triage: Triage, outcome: str, seconds: float) -> None:
    metrics = deps.services.metrics
    if metrics is None:
        return
    kind = "job" if triage.partial else "run"
    await metrics.incr("ci_triage_triages_total", kind=kind, outcome=outcome)
    await metrics.observe("ci_triage_job_duration_seconds", seconds, job=f"triage_{kind}")
    for stage, value in triage.watch.seconds.items():
        if value:
            await metrics.observe("ci_triage_triage_stage_seconds", value, stage=stage)


async def triage_run(ctx: dict[str, Any], ref: dict[str, Any]) -> str:
    """A failed workflow run: triage every failed job of this attempt."""
    return await _run(ctx, RunRef.from_job_arg(ref), None)


async def triage_job(ctx: dict[str, Any], ref: dict[str, Any], job_id: int) -> str:
    """A failed job while its run goes on: report it at once; the run's report replaces it later."""
    return await _run(ctx, RunRef.from_job_arg(ref), int(job_id))


async def record_passing_run(ctx: dict[str, Any], ref: dict[str, Any]) -> str:
    """A run passed: "passing now" in the comment, resolution and flaky evidence in the history."""
    deps: Deps = ctx["deps"]
    run = RunRef.from_job_arg(ref)
    with log_context(installation_id=run.installation_id, repository=run.repo, run_id=run.run_id):
        gh = github_of(deps).for_installation(run.installation_id)
        try:
            return await record_passing(deps, gh, run)
        except Exception as exc:
            job_try = int(ctx.get("job_try", 1))
            delay = _next_try_in(deps, exc, job_try)
            if delay is not None:
                raise Retry(defer=delay) from exc
            log.error("recording a passing run failed: %s", redact(f"{type(exc).__name__}: {exc}"))
            return "failed"
