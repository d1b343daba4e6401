"""Reading files at a commit (contents API) and committing changes (Git Data API) with a gidgethub client."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

import gidgethub
from gidgethub.abc import GitHubAPI

from analysis.fixes.patch import path_problem

MAX_FILE_BYTES = 512 * 1024  # larger files are never edited (and never sent to a model)
FETCH_CONCURRENCY = 4
REGULAR_MODES = ("100644", "100755")


class FileUnavailable(Exception):
    """A file exists but cannot be edited here: too large, binary, a directory, symlink or submodule."""

    def __init__(self, path: str, why: str) -> None:
        super().__init__(f"{path}: {why}")
        self.path = path
        self.why = why


class RefMoved(Exception):
    """The branch no longer points where the new commit's parent is (someone pushed meanwhile)."""


class PushRefused(Exception):
    """GitHub refused the write (no access to the repository or branch: forks, protected branches)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status


def repo_url(full_name: str) -> str:
    owner, _, name = full_name.partition("/")
    return f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}"


def path_url(path: str) -> str:
    return "/".join(quote(part, safe="") for part in path.split("/"))


async def get_file(gh: GitHubAPI, full_name: str, path: str, ref: str) -> str | None:
    """Text of ``path`` at ``ref``; None when it does not exist there."""
    problem = path_problem(path, ())
    if problem:  # never let a crafted path reach a URL (../ would climb out of /contents/)
        raise FileUnavailable(path, problem)
    try:
        data: Any = await gh.getitem(f"{repo_url(full_name)}/contents/{path_url(path)}?ref={quote(ref, safe='')}")
    except gidgethub.BadRequest as exc:
        if exc.status_code == 404:
            return None
        raise
    if isinstance(data, list):
        raise FileUnavailable(path, "is a directory")
    if data.get("type") != "file":
        raise FileUnavailable(path, f"is a {data.get('type')}, not a regular file")
    if int(data.get("size") or 0) > MAX_FILE_BYTES or data.get("encoding") != "base64":
        raise FileUnavailable(path, f"is larger than {MAX_FILE_BYTES // 1024} KB")
    raw = base64.b64decode(data.get("content") or "")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FileUnavailable(path, "is not UTF-8 text") from None


async def get_files(gh: GitHubAPI, full_name: str, paths: Iterable[str], ref: str) -> dict[str, str | None]:
    gate = asyncio.Semaphore(FETCH_CONCURRENCY)
    unique = list(dict.fromkeys(paths))

    async def one(path: str) -> str | None:
        async with gate:
            return await get_file(gh, full_name, path, ref)

    contents = await asyncio.gather(*(one(p) for p in unique))
    return dict(zip(unique, contents, strict=True))


async def _modes(gh: GitHubAPI, full_name: str, tree_sha: str, paths: Iterable[str]) -> dict[str, str]:
    """Git modes of existing ``paths`` in the tree (so an executable stays executable)."""
    wanted = set(paths)
    data: Any = await gh.getitem(f"{repo_url(full_name)}/git/trees/{tree_sha}?recursive=1")
    modes = {e["path"]: e["mode"] for e in data.get("tree", []) if e["path"] in wanted}
    if data.get("truncated") and wanted - set(modes):
        for path in wanted - set(modes):  # walk down one directory at a time
            sha, parts = tree_sha, path.split("/")
            for depth, part in enumerate(parts):
                level: Any = await gh.getitem(f"{repo_url(full_name)}/git/trees/{sha}")
                entry = next((e for e in level.get("tree", []) if e["path"] == part), None)
                if entry is None:
                    break
                if depth == len(parts) - 1:
                    modes[path] = entry["mode"]
                sha = entry["sha"]
    return modes


async def commit_changes(
    gh: GitHubAPI,
    full_name: str,
    *,
    branch: str,
    parent_sha: str,
    changes: Mapping[str, str | None],
    message: str,
) -> str:
    """One commit on ``branch`` whose parent is ``parent_sha``; fast-forward only. Returns its sha."""
    base = repo_url(full_name)
    try:
        parent: Any = await gh.getitem(f"{base}/git/commits/{parent_sha}")
        tree_sha = parent["tree"]["sha"]
        modes = await _modes(gh, full_name, tree_sha, changes)
        entries: list[dict[str, Any]] = []
        for path, content in changes.items():
            mode = modes.get(path, "100644")
            if mode not in REGULAR_MODES:
                raise FileUnavailable(path, "is a symlink or submodule")
            if content is None:
                entries.append({"path": path, "mode": mode, "type": "blob", "sha": None})
                continue
            blob: Any = await gh.post(
                f"{base}/git/blobs",
                data={"content": base64.b64encode(content.encode("utf-8")).decode("ascii"), "encoding": "base64"},
            )
            entries.append({"path": path, "mode": mode, "type": "blob", "sha": blob["sha"]})
        tree: Any = await gh.post(f"{base}/git/trees", data={"base_tree": tree_sha, "tree": entries})
        commit: Any = await gh.post(
            f"{base}/git/commits", data={"message": message, "tree": tree["sha"], "parents": [parent_sha]}
        )
    except gidgethub.BadRequest as exc:
        if exc.status_code in (403, 404):
            raise PushRefused(exc.status_code, str(exc)) from exc
        raise
    try:
        await gh.patch(f"{base}/git/refs/heads/{path_url(branch)}", data={"sha": commit["sha"], "force": False})
    except gidgethub.BadRequest as exc:
        if exc.status_code == 422:  # "Update is not a fast forward"
            raise RefMoved(str(exc)) from exc
        if exc.status_code in (403, 404, 409):
            raise PushRefused(exc.status_code, str(exc)) from exc
        raise
    sha: str = commit["sha"]
    return sha
