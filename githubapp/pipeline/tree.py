"""The repository's files at the run's commit (``GET /repos/{o}/{r}/git/trees/{sha}?recursive=1``), cached
per commit, so a failure's locations name only files that exist: no annotation on a path the repository
does not have. A tree GitHub truncated (very large repositories) or could not give is not used. The same
tree gives each file's blob sha and size, for reading the source (``pipeline.source``)."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, replace

from gidgethub import GitHubException

from analysis.locations import in_tree
from analysis.types import Failure

from ..github import GitHubClient
from .triggers import RunRef

log = logging.getLogger(__name__)

CACHE_COMMITS = 128


@dataclass(frozen=True)
class Tree:
    paths: frozenset[str]
    blobs: Mapping[str, tuple[str, int]]  # path -> (blob sha, size in bytes)


_cache: OrderedDict[tuple[int, str], Tree | None] = OrderedDict()


async def repository_tree(gh: GitHubClient, ref: RunRef) -> frozenset[str] | None:
    """Every blob path at ``ref.head_sha``, or None when GitHub does not give the whole tree."""
    tree = await _tree(gh, ref)
    return tree.paths if tree is not None else None


async def repository_blobs(gh: GitHubClient, ref: RunRef) -> Mapping[str, tuple[str, int]] | None:
    """Every blob at ``ref.head_sha``: path -> (sha, size); None when GitHub does not give the whole tree."""
    tree = await _tree(gh, ref)
    return tree.blobs if tree is not None else None


async def _tree(gh: GitHubClient, ref: RunRef) -> Tree | None:
    key = (ref.repository_id, ref.head_sha)
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    try:
        body = await gh.getitem(
            "/repos/{owner}/{repo}/git/trees/{tree_sha}{?recursive}",
            url_vars={"owner": ref.owner, "repo": ref.name, "tree_sha": ref.head_sha, "recursive": "1"},
        )
    except GitHubException as exc:
        log.info("repository tree unavailable: %s", exc)
        return None  # not cached: a later run may get it
    tree = None
    if isinstance(body, dict) and not body.get("truncated"):
        blobs = {
            str(e["path"]): (str(e.get("sha") or ""), int(e.get("size") or 0))
            for e in body.get("tree") or ()
            if e.get("type") == "blob" and e.get("path")
        }
        tree = Tree(frozenset(blobs), blobs)
    _cache[key] = tree
    while len(_cache) > CACHE_COMMITS:
        _cache.popitem(last=False)
    return tree


def within_tree(failure: Failure, tree: frozenset[str] | None) -> Failure:
    """The failure with each location resolved in the tree (a sub-project's or a JVM package's path becomes
    the repository's) and dropped when the repository has no such file."""
    if tree is None:
        return failure
    file = in_tree(failure.file, tree)
    test_file = in_tree(failure.test_file, tree)
    return replace(
        failure,
        file=file,
        line=failure.line if file else None,
        test_file=test_file,
        test_line=failure.test_line if test_file else None,
    )
