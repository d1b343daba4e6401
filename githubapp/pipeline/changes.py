"""What a pull request changed: its files (for test ranking) and where it touched the code (``analysis.change_loci``).

``GET /repos/{o}/{r}/pulls/{n}/files`` lists each file with its ``patch`` (absent for a binary file or a diff
too large to show); the changed lines of a patch and the file's text at the run's head commit give the symbols
the change is in. A test failure whose log cannot tell its faults apart is told apart by them in the history
(``history.service``). Bounded and best effort: at most ``max_files`` files are read (the rest, and any file
that cannot be read, count as whole files), and any trouble is no loci, never a failed triage.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx
from gidgethub import GitHubException

from analysis.change_loci import Places, changed_lines, places

from ..github import GitHubClient
from .source import SourceFiles
from .triggers import RunRef

log = logging.getLogger(__name__)

MAX_PR_FILES = 3000  # what the endpoint lists at most


@dataclass(frozen=True)
class PullChange:
    files: tuple[str, ...] = ()  # every changed file, as listed
    lines: Mapping[str, frozenset[int]] = field(default_factory=dict)  # file -> changed lines (empty: no patch)


async def pull_change(gh: GitHubClient, ref: RunRef, pr_number: int, *, limit: int = MAX_PR_FILES) -> PullChange:
    """The pull request's changed files and, from each file's ``patch``, its changed lines at the head."""
    entries = gh.getiter(
        "/repos/{owner}/{repo}/pulls/{pull_number}/files{?per_page}",
        url_vars={"owner": ref.owner, "repo": ref.name, "pull_number": str(pr_number), "per_page": "100"},
    )
    files: list[str] = []
    lines: dict[str, frozenset[int]] = {}
    async for entry in entries:
        name = str(entry["filename"])
        files.append(name)
        patch = entry.get("patch")
        removed = entry.get("status") == "removed"
        lines[name] = changed_lines(patch) if isinstance(patch, str) and not removed else frozenset()
        if len(files) >= limit:
            break
    return PullChange(tuple(files), lines)


async def change_places(change: PullChange, source: SourceFiles | None, *, max_files: int) -> Places:
    """Where the change touched the code: the symbols its changed lines are in and those lines, read from at most
    ``max_files`` files of ``source`` (the run's head); the files not read count as whole files."""
    texts: dict[str, str | None] = {}
    if source is not None and max_files > 0:
        try:
            tree = await source.paths()
            for path, lines in change.lines.items():
                if len(texts) >= max_files:
                    break
                if lines and (tree is None or path in tree):
                    texts[path] = await source.read(path)
        except (GitHubException, httpx.HTTPError) as exc:  # best effort: the files not read are whole files
            log.info("source for the change's loci unavailable: %s", exc)
    # bounded (analysis.change_loci's limits), yet many files' symbols: off the event loop the worker shares
    return await asyncio.to_thread(places, change.lines, texts)
