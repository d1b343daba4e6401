"""Which webhook deliveries start which pipeline job. Pure: payload in, decision out."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from ..conclusions import FAILED_JOB, FAILED_RUN, PASSED

# Runs triggered by a pull request: a fork's run names no PR in its payload, and such runs are not evidence of
# their target branch's state.
PR_EVENTS = ("pull_request", "pull_request_target")


@dataclass(frozen=True)
class RunRef:
    """What a job needs to know about a workflow run; passed to arq as a plain dict."""

    installation_id: int
    repository_id: int
    repo: str  # owner/name
    default_branch: str | None
    run_id: int
    attempt: int
    head_sha: str
    workflow_id: int | None = None
    workflow_name: str = ""
    head_branch: str | None = None
    html_url: str | None = None
    run_number: int | None = None
    event: str | None = None
    conclusion: str | None = None
    pr_numbers: tuple[int, ...] = ()
    base_branch: str | None = None  # the first PR's base branch (attribution compares with it)
    head_commit_at: str | None = None  # the head commit's ISO timestamp (orders a branch's runs)
    actor: str | None = None  # the login whose push or event started the run (who fixed it, when it passes)

    @property
    def pr_number(self) -> int | None:
        """The PR a report about this run goes to: the first (lowest) of this repository's PRs."""
        return self.pr_numbers[0] if self.pr_numbers else None

    @property
    def owner(self) -> str:
        return self.repo.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.repo.split("/", 1)[1]

    def as_job_arg(self) -> dict[str, Any]:
        data = asdict(self)
        data["pr_numbers"] = list(self.pr_numbers)
        return data

    @classmethod
    def from_job_arg(cls, data: dict[str, Any]) -> RunRef:
        return cls(**{**data, "pr_numbers": tuple(data.get("pr_numbers") or ())})


def _pr_numbers(run: dict[str, Any], repository_id: int) -> tuple[int, ...]:
    """PRs of this repository only: ``pull_requests`` may list PRs of a fork's base with other repo ids."""
    numbers = []
    for pr in run.get("pull_requests") or []:
        base_repo = ((pr.get("base") or {}).get("repo") or {}).get("id")
        if base_repo in (None, repository_id) and isinstance(pr.get("number"), int):
            numbers.append(pr["number"])
    return tuple(sorted(set(numbers)))


def base_branch_of(run: dict[str, Any], repository_id: int) -> str | None:
    """The base branch of the run's first PR of this repository (``pull_requests[].base.ref``)."""
    pulls = sorted(
        (pr for pr in run.get("pull_requests") or [] if isinstance(pr.get("number"), int)),
        key=lambda pr: pr["number"],
    )
    for pr in pulls:
        base = pr.get("base") or {}
        if (base.get("repo") or {}).get("id") in (None, repository_id) and isinstance(base.get("ref"), str):
            return str(base["ref"])
    return None


def _run_fields(payload: dict[str, Any], source: dict[str, Any], *, run_id: Any) -> dict[str, Any]:
    """The fields a ``workflow_run`` and a ``workflow_job`` payload give alike (``source`` is the run or job)."""
    repo = payload["repository"]
    return {
        "installation_id": int(payload["installation"]["id"]),
        "repository_id": int(repo["id"]),
        "repo": str(repo["full_name"]),
        "default_branch": repo.get("default_branch"),
        "run_id": int(run_id),
        "attempt": int(source.get("run_attempt") or 1),
        "head_sha": str(source["head_sha"]),
        "head_branch": source.get("head_branch"),
    }


def run_ref(payload: dict[str, Any]) -> RunRef:
    run = payload["workflow_run"]
    repo = payload["repository"]
    return RunRef(
        **_run_fields(payload, run, run_id=run["id"]),
        workflow_id=run.get("workflow_id"),
        workflow_name=str(run.get("name") or (payload.get("workflow") or {}).get("name") or "workflow"),
        html_url=run.get("html_url"),
        run_number=run.get("run_number"),
        event=run.get("event"),
        conclusion=run.get("conclusion"),
        pr_numbers=_pr_numbers(run, int(repo["id"])),
        base_branch=base_branch_of(run, int(repo["id"])),
        head_commit_at=(run.get("head_commit") or {}).get("timestamp"),
        actor=(run.get("actor") or {}).get("login"),
    )


def job_run_ref(payload: dict[str, Any]) -> RunRef:
    """A run reference from a ``workflow_job`` payload (no PRs or workflow id there: fetched later)."""
    job = payload["workflow_job"]
    return RunRef(
        **_run_fields(payload, job, run_id=job["run_id"]),
        workflow_name=str(job.get("workflow_name") or "workflow"),
    )


Decision = Literal["triage", "passed", "ignore"]


def decide_run(payload: dict[str, Any]) -> Decision:
    if payload.get("action") != "completed" or not payload.get("installation"):
        return "ignore"
    conclusion = (payload.get("workflow_run") or {}).get("conclusion")
    if conclusion in FAILED_RUN:
        return "triage"
    if conclusion in PASSED:
        return "passed"
    return "ignore"  # cancelled, skipped, neutral, action_required, stale


def decide_job(payload: dict[str, Any]) -> bool:
    job = payload.get("workflow_job") or {}
    return bool(
        payload.get("action") == "completed" and payload.get("installation") and job.get("conclusion") in FAILED_JOB
    )


def run_job_id(ref: RunRef) -> str:
    """arq job id: one triage per (run, attempt) however often the webhook is delivered."""
    return f"triage:{ref.installation_id}:{ref.run_id}:{ref.attempt}"


def job_job_id(ref: RunRef, job_id: int) -> str:
    return f"triage-job:{ref.installation_id}:{job_id}"


def passed_job_id(ref: RunRef) -> str:
    return f"passed:{ref.installation_id}:{ref.run_id}:{ref.attempt}"
