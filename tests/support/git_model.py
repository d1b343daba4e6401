"""A small Git repository served through the fake GitHub: contents API, Git Data API, pulls, permissions,
reactions, workflow runs. Enough state that a commit made through the API can be checked file by file."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from tests.support.fake_github import Call, FakeGitHub, Reply


def _sha(kind: str, payload: Any) -> str:
    return hashlib.sha1(f"{kind}:{json.dumps(payload, sort_keys=True)}".encode()).hexdigest()


@dataclass
class GitModel:
    github: FakeGitHub
    owner: str = "octo"
    repo: str = "demo"
    repo_id: int = 4711
    branch: str = "feature/fix-me"
    pr_number: int = 7
    fork: str | None = None  # "someone/demo": the PR's head lives in that fork
    maintainer_can_modify: bool = False
    fork_writable: bool = False  # does the installation token reach the fork?
    permissions: dict[str, tuple[str, str]] = field(default_factory=dict)  # login -> (permission, role_name)
    blobs: dict[str, bytes] = field(default_factory=dict)
    trees: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)  # sha -> path -> (mode, blob)
    commits: dict[str, dict[str, Any]] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)
    pr_files_patch: dict[str, str] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.repo}"

    @property
    def head_full_name(self) -> str:
        return self.fork or self.full_name

    # -- building history --------------------------------------------------------------------------------

    def _blob(self, content: bytes) -> str:
        sha = hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()
        self.blobs[sha] = content
        return sha

    def _tree(self, entries: dict[str, tuple[str, str]]) -> str:
        sha = _sha("tree", entries)
        self.trees[sha] = dict(entries)
        return sha

    def commit(
        self,
        files: dict[str, str | None],
        *,
        parent: str | None = None,
        message: str = "change",
        modes: dict[str, str] | None = None,
    ) -> str:
        """A commit on top of ``parent`` (or the branch head) changing ``files`` (None deletes); moves the branch."""
        parent = parent or self.refs.get(self.branch)
        entries = dict(self.trees[self.commits[parent]["tree"]]) if parent else {}
        for path, content in files.items():
            if content is None:
                entries.pop(path, None)
            else:
                mode = (modes or {}).get(path) or entries.get(path, ("100644", ""))[0]
                entries[path] = (mode, self._blob(content.encode()))
        tree = self._tree(entries)
        sha = _sha("commit", {"tree": tree, "parents": [parent] if parent else [], "message": message})
        self.commits[sha] = {"tree": tree, "parents": [parent] if parent else [], "message": message}
        self.refs[self.branch] = sha
        return sha

    @property
    def head(self) -> str:
        return self.refs[self.branch]

    def files_at(self, sha: str) -> dict[str, str]:
        tree = self.trees[self.commits[sha]["tree"]]
        return {p: self.blobs[b].decode() for p, (_, b) in tree.items()}

    def modes_at(self, sha: str) -> dict[str, str]:
        return {p: m for p, (m, _) in self.trees[self.commits[sha]["tree"]].items()}

    def add_failed_run(
        self,
        run_id: int,
        *,
        head_sha: str | None = None,
        conclusion: str = "failure",
        created_at: str = "2026-04-23T04:00:00Z",
    ) -> None:
        self.runs.append(
            {
                "id": run_id,
                "name": "CI",
                "run_number": run_id % 1000,
                "head_sha": head_sha or self.head,
                "conclusion": conclusion,
                "status": "completed",
                "created_at": created_at,
                "html_url": f"https://github.com/{self.full_name}/actions/runs/{run_id}",
            }
        )

    # -- serving -----------------------------------------------------------------------------------------

    def serve(self) -> GitModel:
        gh = self.github
        t = "/repos/{owner}/{repo}"
        for method, path, handler in (
            ("GET", "/git/commits/{commit_sha}", self._get_commit),
            ("GET", "/git/trees/{tree_sha}", self._get_tree),
            ("POST", "/git/blobs", self._guard(self._post_blob)),
            ("POST", "/git/trees", self._guard(self._post_tree)),
            ("POST", "/git/commits", self._guard(self._post_commit)),
            ("PATCH", "/git/refs/{ref}", self._guard(self._patch_ref)),
        ):
            gh.on(method, t + path, self._ours(handler, {self.full_name, self.head_full_name}))
        for method, path, handler in (
            ("GET", "/contents/{path}", self._get_contents),
            ("GET", "/pulls/{pull_number}", self._get_pull),
            ("GET", "/pulls/{pull_number}/files", self._pull_files),
            ("POST", "/pulls/{pull_number}/reviews", self._post_review),
            ("GET", "/collaborators/{username}/permission", self._permission),
            ("POST", "/issues/comments/{comment_id}/reactions", self._reaction),
            ("GET", "/actions/runs", self._list_runs),
            ("POST", "/actions/runs/{run_id}/rerun-failed-jobs", lambda c, p: Reply(201, {})),
        ):
            gh.on(method, t + path, self._ours(handler, {self.full_name}))
        return self

    def _ours(self, handler: Any, names: set[str]) -> Any:
        def only_here(call: Call, params: dict[str, str]) -> Any:
            if f"{params['owner']}/{params['repo']}" not in names:
                return Reply(404, {"message": "Not Found"})
            if "pull_number" in params and int(params["pull_number"]) != self.pr_number:
                return Reply(404, {"message": "Not Found"})
            return handler(call, params)

        return only_here

    def _guard(self, handler: Any) -> Any:
        """Writes to a fork the installation cannot reach are refused as GitHub does (404)."""

        def guarded(call: Call, params: dict[str, str]) -> Any:
            if self.fork and params["owner"] + "/" + params["repo"] == self.fork and not self.fork_writable:
                return Reply(404, {"message": "Not Found"})
            return handler(call, params)

        return guarded

    def _get_contents(self, call: Call, params: dict[str, str]) -> Reply:
        ref = call.query.get("ref", self.head)
        sha = self.refs.get(ref, ref)
        if sha not in self.commits:
            return Reply(404, {"message": "No commit found for the ref"})
        tree = self.trees[self.commits[sha]["tree"]]
        path = params["path"]
        if path not in tree:
            if any(p.startswith(path + "/") for p in tree):
                return Reply(
                    200,
                    [{"type": "file", "name": p.split("/")[-1], "path": p} for p in tree if p.startswith(path + "/")],
                )
            return Reply(404, {"message": "Not Found"})
        mode, blob = tree[path]
        content = self.blobs[blob]
        return Reply(
            200,
            {
                "type": "symlink" if mode == "120000" else "file",
                "encoding": "base64",
                "size": len(content),
                "name": path.split("/")[-1],
                "path": path,
                "sha": blob,
                "content": base64.encodebytes(content).decode(),
            },
        )

    def _get_commit(self, call: Call, params: dict[str, str]) -> Reply:
        commit = self.commits.get(params["commit_sha"])
        if commit is None:
            return Reply(404, {"message": "Not Found"})
        return Reply(
            200,
            {
                "sha": params["commit_sha"],
                "tree": {"sha": commit["tree"], "url": ""},
                "parents": [{"sha": p, "url": "", "html_url": ""} for p in commit["parents"]],
                "message": commit["message"],
            },
        )

    def _get_tree(self, call: Call, params: dict[str, str]) -> Reply:
        tree = self.trees.get(params["tree_sha"])
        if tree is None:
            return Reply(404, {"message": "Not Found"})
        entries = [
            {"path": p, "mode": m, "type": "commit" if m == "160000" else "blob", "sha": b}
            for p, (m, b) in sorted(tree.items())
        ]
        return Reply(200, {"sha": params["tree_sha"], "url": "", "tree": entries, "truncated": False})

    def _post_blob(self, call: Call, params: dict[str, str]) -> Reply:
        body = call.json
        raw = base64.b64decode(body["content"]) if body.get("encoding") == "base64" else body["content"].encode()
        return Reply(201, {"sha": self._blob(raw), "url": ""})

    def _post_tree(self, call: Call, params: dict[str, str]) -> Reply:
        body = call.json
        entries = dict(self.trees[body["base_tree"]]) if body.get("base_tree") else {}
        for entry in body["tree"]:
            if entry.get("sha") is None and "content" not in entry:
                entries.pop(entry["path"], None)
            else:
                if entry["sha"] not in self.blobs:
                    return Reply(422, {"message": "tree.sha is not a valid blob"})
                entries[entry["path"]] = (entry["mode"], entry["sha"])
        sha = self._tree(entries)
        return Reply(201, {"sha": sha, "url": "", "truncated": False, "tree": []})

    def _post_commit(self, call: Call, params: dict[str, str]) -> Reply:
        body = call.json
        if body["tree"] not in self.trees or any(p not in self.commits for p in body.get("parents", [])):
            return Reply(422, {"message": "Tree SHA or parent SHA does not exist"})
        sha = _sha("commit", {"tree": body["tree"], "parents": body.get("parents", []), "message": body["message"]})
        self.commits[sha] = {"tree": body["tree"], "parents": body.get("parents", []), "message": body["message"]}
        return Reply(201, {"sha": sha, "tree": {"sha": body["tree"]}, "message": body["message"]})

    def _ancestors(self, sha: str) -> set[str]:
        seen, todo = set(), [sha]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(self.commits[current]["parents"])
        return seen

    def _patch_ref(self, call: Call, params: dict[str, str]) -> Reply:
        ref = params["ref"]
        if not ref.startswith("heads/"):
            return Reply(422, {"message": "Reference does not exist"})
        branch = ref.removeprefix("heads/")
        new = call.json["sha"]
        current = self.refs.get(branch)
        if current is None or new not in self.commits:
            return Reply(422, {"message": "Reference does not exist"})
        if not call.json.get("force") and current not in self._ancestors(new):
            return Reply(422, {"message": "Update is not a fast forward"})
        self.refs[branch] = new
        return Reply(200, {"ref": f"refs/{ref}", "object": {"sha": new, "type": "commit"}})

    def _get_pull(self, call: Call, params: dict[str, str]) -> Reply:
        head_repo = {"id": self.repo_id + (1 if self.fork else 0), "full_name": self.head_full_name}
        return Reply(
            200,
            {
                "number": self.pr_number,
                "state": "open",
                "maintainer_can_modify": self.maintainer_can_modify,
                "head": {"ref": self.branch, "sha": self.head, "repo": head_repo},
                "base": {"ref": "main", "sha": "0" * 40, "repo": {"id": self.repo_id, "full_name": self.full_name}},
            },
        )

    def _pull_files(self, call: Call, params: dict[str, str]) -> Any:
        files = [{"filename": p, "status": "modified", "patch": patch} for p, patch in self.pr_files_patch.items()]
        return self.github.page_of(call, files)

    def _post_review(self, call: Call, params: dict[str, str]) -> Reply:
        return Reply(
            200,
            {"id": 99, "html_url": f"https://github.com/{self.full_name}/pull/{self.pr_number}#pullrequestreview-99"},
        )

    def _permission(self, call: Call, params: dict[str, str]) -> Reply:
        login = params["username"]
        permission, role = self.permissions.get(login, ("read", "read"))
        return Reply(
            200, {"permission": permission, "role_name": role, "user": {"login": login, "id": 1, "type": "User"}}
        )

    def _reaction(self, call: Call, params: dict[str, str]) -> Reply:
        return Reply(
            201,
            {
                "id": 1,
                "content": call.json["content"],
                "user": None,
                "created_at": "2026-04-23T04:00:00Z",
                "node_id": "R",
            },
        )

    def _list_runs(self, call: Call, params: dict[str, str]) -> Reply:
        sha = call.query.get("head_sha")
        runs = [r for r in self.runs if sha is None or r["head_sha"] == sha]
        return Reply(200, {"total_count": len(runs), "workflow_runs": runs})
