"""A repository's commit graph and workflow runs, served by the fake GitHub as GitHub's REST API shows them.

    repo = RepoModel(github, "octo-org", "octo-repo", repository_id=1296269)
    base = repo.commit("main", "initial")
    repo.branch("feature", "main"); head = repo.commit("feature", "change")
    run = repo.run(7, branch="main", sha=base, conclusion="failure")   # a workflow-run object

Served: ``GET /repos/{o}/{r}/compare/{base}...{head}`` (merge base, status, ahead/behind, the commits between,
paginated; 404 for an unknown ref or no common ancestor, as GitHub answers) and ``GET
/repos/{o}/{r}/actions/workflows/{workflow_id}/runs`` (newest first, filtered by ``branch``, ``event``,
``status``, ``head_sha``, ``exclude_pull_requests``; paginated with ``Link``). Every answer is checked against
the operation's documented response schema; a mismatch is recorded as a violation, failing the test.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .fake_github import Call, FakeGitHub, Reply
from .openapi_responses import response_errors
from .payloads import load_payload

API = "https://api.github.com"
WEB = "https://github.com"
COMPARE = "/repos/{owner}/{repo}/compare/{basehead}"
WORKFLOW_RUNS = "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs"
RUN_TEMPLATE = "completed.failure.DERIVED-from-octokit-completed.with-pull-requests"


@dataclass
class Commit:
    sha: str
    parents: tuple[str, ...]
    message: str
    at: datetime


@dataclass
class RepoModel:
    github: FakeGitHub
    owner: str
    name: str
    repository_id: int
    default_branch: str = "main"
    workflow_id: int = 2823525
    workflow_name: str = "CI"
    commits: dict[str, Commit] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)
    clock: datetime = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.github.on("GET", COMPARE, self._compare)
        self.github.on("GET", WORKFLOW_RUNS, self._list_runs)

    # --- building the history -------------------------------------------------------------------------------

    def _tick(self) -> datetime:
        self.clock += timedelta(minutes=7)
        return self.clock

    def commit(self, branch: str, message: str = "change", *, at: datetime | None = None) -> str:
        """A new commit on ``branch`` (created as a root commit when the branch does not exist)."""
        number = next(self._counter)
        sha = hashlib.sha1(f"{self.owner}/{self.name}:{number}:{message}".encode()).hexdigest()
        parent = self.branches.get(branch)
        self.commits[sha] = Commit(sha, (parent,) if parent else (), message, at or self._tick())
        self.branches[branch] = sha
        return sha

    def timestamp(self, sha: str) -> str:
        """The commit's time as ``head_commit.timestamp`` shows it."""
        return _iso(self.commits[sha].at)

    def branch(self, name: str, source: str) -> None:
        self.branches[name] = self.branches[source]

    def run(
        self,
        run_id: int,
        *,
        branch: str,
        sha: str,
        conclusion: str = "failure",
        event: str = "push",
        attempt: int = 1,
        pull_requests: list[dict[str, Any]] | None = None,
        listed: bool = True,
    ) -> dict[str, Any]:
        """A completed workflow-run object (``listed``: the workflow's run list shows it)."""
        template = load_payload("workflow_run", RUN_TEMPLATE)
        run: dict[str, Any] = copy.deepcopy(template["workflow_run"])
        commit = self.commits[sha]
        created = commit.at + timedelta(seconds=30)
        repo_api = f"{API}/repos/{self.owner}/{self.name}"
        run.update(
            id=run_id,
            node_id=f"WFR_{run_id}",
            name=self.workflow_name,
            display_title=commit.message,
            head_branch=branch,
            head_sha=sha,
            run_number=run_id % 10_000,
            run_attempt=attempt,
            event=event,
            status="completed",
            conclusion=conclusion,
            workflow_id=self.workflow_id,
            url=f"{repo_api}/actions/runs/{run_id}",
            html_url=f"{WEB}/{self.owner}/{self.name}/actions/runs/{run_id}",
            jobs_url=f"{repo_api}/actions/runs/{run_id}/jobs",
            logs_url=f"{repo_api}/actions/runs/{run_id}/logs",
            artifacts_url=f"{repo_api}/actions/runs/{run_id}/artifacts",
            cancel_url=f"{repo_api}/actions/runs/{run_id}/cancel",
            rerun_url=f"{repo_api}/actions/runs/{run_id}/rerun",
            workflow_url=f"{repo_api}/actions/workflows/{self.workflow_id}",
            created_at=_iso(created),
            run_started_at=_iso(created),
            updated_at=_iso(created + timedelta(minutes=3)),
            pull_requests=pull_requests or [],
            head_commit={
                "id": sha,
                "tree_id": hashlib.sha1(sha.encode()).hexdigest(),
                "message": commit.message,
                "timestamp": _iso(commit.at),
                "author": {"name": "Mona Lisa", "email": "mona@example.com"},
                "committer": {"name": "Mona Lisa", "email": "mona@example.com"},
            },
            previous_attempt_url=f"{repo_api}/actions/runs/{run_id}/attempts/{attempt - 1}" if attempt > 1 else None,
        )
        for key in ("repository", "head_repository"):
            run[key] = {**run[key], "id": self.repository_id, "name": self.name,
                        "full_name": f"{self.owner}/{self.name}"}
        if listed:
            self.runs = [r for r in self.runs if r["id"] != run_id] + [run]
        return run

    # --- answers ---------------------------------------------------------------------------------------------

    def _resolve(self, ref: str) -> str | None:
        ref = ref.split(":", 1)[-1]  # owner:branch names a fork's branch; one repository here
        if ref in self.branches:
            return self.branches[ref]
        if ref in self.commits:
            return ref
        matches = [sha for sha in self.commits if len(ref) >= 7 and sha.startswith(ref)]
        return matches[0] if len(matches) == 1 else None

    def _ancestors(self, sha: str) -> list[str]:
        """``sha`` and its ancestors, nearest first."""
        seen: list[str] = []
        queue = [sha]
        while queue:
            current = queue.pop(0)
            if current in seen:
                continue
            seen.append(current)
            queue.extend(self.commits[current].parents)
        return seen

    def _compare(self, request: Call, params: dict[str, str]) -> Reply:
        if params.get("owner") != self.owner or params.get("repo") != self.name:
            return Reply(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
        base_ref, sep, head_ref = params["basehead"].partition("...")
        base, head = (self._resolve(base_ref), self._resolve(head_ref)) if sep else (None, None)
        if base is None or head is None:
            return Reply(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
        base_side = set(self._ancestors(base))
        head_side = self._ancestors(head)
        merge_base = next((sha for sha in head_side if sha in base_side), None)
        if merge_base is None:
            return Reply(404, {"message": f"No common ancestor between {base_ref} and {head_ref}.",
                               "documentation_url": "https://docs.github.com/rest"})
        ahead = [sha for sha in head_side if sha not in base_side]
        behind = [sha for sha in base_side if sha not in set(head_side)]
        status = ("identical" if base == head else "ahead" if merge_base == base
                  else "behind" if merge_base == head else "diverged")
        per_page = min(int(request.query.get("per_page", 250)), 250)
        page = max(int(request.query.get("page", 1)), 1)
        ordered = list(reversed(ahead))  # oldest first, as GitHub lists them
        body = {
            "url": f"{API}/repos/{self.owner}/{self.name}/compare/{params['basehead']}",
            "html_url": f"{WEB}/{self.owner}/{self.name}/compare/{params['basehead']}",
            "permalink_url": f"{WEB}/{self.owner}/{self.name}/compare/{base}...{head}",
            "diff_url": f"{WEB}/{self.owner}/{self.name}/compare/{params['basehead']}.diff",
            "patch_url": f"{WEB}/{self.owner}/{self.name}/compare/{params['basehead']}.patch",
            "base_commit": self._commit_object(base),
            "merge_base_commit": self._commit_object(merge_base),
            "status": status,
            "ahead_by": len(ahead),
            "behind_by": len(behind),
            "total_commits": len(ahead),
            "commits": [self._commit_object(sha) for sha in ordered[(page - 1) * per_page: page * per_page]],
            "files": [],
        }
        return self._checked(request, COMPARE, body)

    def _commit_object(self, sha: str) -> dict[str, Any]:
        commit = self.commits[sha]
        api = f"{API}/repos/{self.owner}/{self.name}"
        person = {"name": "Mona Lisa", "email": "mona@example.com", "date": _iso(commit.at)}
        return {
            "url": f"{api}/commits/{sha}",
            "sha": sha,
            "node_id": f"C_{sha[:16]}",
            "html_url": f"{WEB}/{self.owner}/{self.name}/commit/{sha}",
            "comments_url": f"{api}/commits/{sha}/comments",
            "commit": {
                "url": f"{api}/git/commits/{sha}",
                "author": person,
                "committer": person,
                "message": commit.message,
                "comment_count": 0,
                "tree": {"sha": hashlib.sha1(sha.encode()).hexdigest(), "url": f"{api}/git/trees/{sha}"},
            },
            "author": None,
            "committer": None,
            "parents": [
                {"sha": p, "url": f"{api}/commits/{p}", "html_url": f"{WEB}/{self.owner}/{self.name}/commit/{p}"}
                for p in commit.parents
            ],
        }

    def _list_runs(self, request: Call, params: dict[str, str]) -> Reply:
        if params.get("owner") != self.owner or params.get("repo") != self.name:
            return Reply(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
        if params.get("workflow_id") not in (str(self.workflow_id), "ci.yml"):
            return Reply(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
        q = request.query
        runs = list(self.runs)
        if "branch" in q:
            runs = [r for r in runs if r["head_branch"] == q["branch"]]
        if "event" in q:
            runs = [r for r in runs if r["event"] == q["event"]]
        if "head_sha" in q:
            runs = [r for r in runs if r["head_sha"] == q["head_sha"]]
        if "status" in q:
            wanted = q["status"]
            runs = [r for r in runs if wanted in (r["status"], r["conclusion"])]
        if q.get("exclude_pull_requests") == "true":
            runs = [{**r, "pull_requests": []} for r in runs]
        runs.sort(key=lambda r: (r["created_at"], r["id"]), reverse=True)
        reply = self.github.page_of(request, runs, list_key="workflow_runs")
        return self._checked(request, WORKFLOW_RUNS, reply.json, headers=reply.headers)

    def _checked(self, request: Call, template: str, body: Any, *, headers: dict[str, str] | None = None) -> Reply:
        """The answer, after checking it is what GitHub documents (a mismatch fails the test)."""
        for problem in response_errors("GET", template, body):
            self.github._violate("GET", request.path, f"fake answer not as documented: {problem}")
        return Reply(200, body, headers=dict(headers or {}))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
