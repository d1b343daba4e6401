"""The symbol a compile, type or lint error's line is in, and that line's text, read from the repository's source
at the run's commit.

A signature's subject for such an error is its file and the enclosing symbol (``analysis.signature``): the
same go vet message in two functions of one file is two faults, the same yamllint message under two keys of
one YAML file too. The log rarely says which (gcc's ``In function 'x':`` does); the file at the run's head
commit does (``analysis.enclosing.symbol_at``). The line's text is the offending code when the log prints none
(go vet, tsc, mypy without ``--pretty``): the same message at two lines of one function is two faults when the
lines differ (``analysis.source_line``). ``sites_of`` reads the files the failures point at from a
``SourceFiles``: the GitHub API for a run (``GitHubSource``), a checkout (``DirectorySource``, ``ci-triage
replay --source``) or a mapping (the corpus replay, tests).

Bounded and best effort: at most ``max_files`` files per run, none larger than ``max_bytes`` (the tree lists
sizes, so a larger file is not even requested), texts cached by blob sha (a file unchanged across commits is
fetched once per process), and any trouble (404, 5xx, a rate limit, a tree GitHub truncated, binary or
non-UTF-8 content) is no symbol nor line for that failure, never a failed triage.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import os
from collections import OrderedDict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

import httpx
from gidgethub import GitHubException

from analysis.enclosing import SourceFile, wants_symbol
from analysis.locations import in_tree
from analysis.types import Failure

from ..github import GitHubClient
from .tree import repository_blobs
from .triggers import RunRef

log = logging.getLogger(__name__)

CONTENTS = "/repos/{owner}/{repo}/contents/"
CACHE_BYTES = 16 * 1024 * 1024  # texts kept by blob sha, per process
MAX_LINES_PER_FILE = 200  # distinct lines of one file whose symbol is read per run (each walks up to its definition)
_texts: OrderedDict[str, str] = OrderedDict()
_cached_bytes = 0


class SourceFiles(Protocol):
    """A repository's files at one commit."""

    async def paths(self) -> Collection[str] | None:
        """Every file's path (to resolve the paths a log prints), or None when unknown."""

    async def read(self, path: str) -> str | None:
        """The text of ``path`` (a path of ``paths()``), or None when it cannot be had."""


@dataclass
class SourceSites:
    """What the source says about failures' lines, by failure index (among the failures given)."""

    symbols: dict[int, str] = field(default_factory=dict)  # the symbol the line is in (``analysis.enclosing``)
    lines: dict[int, str] = field(default_factory=dict)  # the line's text: the offending code a log may not print


async def sites_of(failures: Sequence[Failure], files: SourceFiles | None, *, max_files: int) -> SourceSites:
    """The symbols and texts of the lines of the failures ``analysis.enclosing.wants_symbol`` names, from at
    most ``max_files`` distinct files."""
    wanted = [(index, f) for index, f in enumerate(failures) if wants_symbol(f)]
    found = SourceSites()
    if files is None or not wanted or max_files <= 0:
        return found
    tree = await files.paths()
    texts: dict[str, str | None] = {}
    places: list[tuple[int, str, int]] = []  # (failure index, path, line)
    for index, failure in wanted:
        path = in_tree(failure.file, tree)
        if path is None or failure.line is None:
            continue
        if path not in texts:
            if len(texts) >= max_files:
                continue
            texts[path] = await files.read(path)
        if texts[path]:
            places.append((index, path, failure.line))
    # a symbol walks up to its definition: many errors deep in a long function are CPU work, off the event loop
    return await asyncio.to_thread(_read_sites, places, texts)


def _read_sites(places: Sequence[tuple[int, str, int]], texts: Mapping[str, str | None]) -> SourceSites:
    """The symbols and texts of ``places``, at most ``MAX_LINES_PER_FILE`` distinct lines of a file (a log may
    name thousands; the first ones get theirs), each line read once."""
    found = SourceSites()
    sources: dict[str, SourceFile] = {}
    read: dict[tuple[str, int], tuple[str | None, str | None]] = {}
    per_file: dict[str, int] = {}
    for index, path, number in places:
        key = (path, number)
        if key not in read:
            if per_file.get(path, 0) >= MAX_LINES_PER_FILE:
                continue
            per_file[path] = per_file.get(path, 0) + 1
            source = sources.get(path)
            if source is None:
                source = sources[path] = SourceFile(path, texts[path] or "")
            read[key] = (source.symbol_at(number), source.line_at(number))
        symbol, line = read[key]
        if symbol:
            found.symbols[index] = symbol
        if line:
            found.lines[index] = line
    return found


async def sites_by_job(
    groups: Sequence[Sequence[Failure]], files: SourceFiles | None, *, max_files: int
) -> list[SourceSites]:
    """``sites_of`` for a run's jobs (each a list of failures) within one budget of ``max_files``."""
    everything = [failure for group in groups for failure in group]
    found = await sites_of(everything, files, max_files=max_files)
    out: list[SourceSites] = []
    start = 0
    for group in groups:
        end = start + len(group)
        out.append(
            SourceSites(
                symbols={i - start: s for i, s in found.symbols.items() if start <= i < end},
                lines={i - start: s for i, s in found.lines.items() if start <= i < end},
            )
        )
        start = end
    return out


class GitHubSource:
    """A run's head commit through the API the App already uses: the tree (``GET .../git/trees/{sha}``, shared
    with the paths check, ``pipeline.tree``) for paths, blob shas and sizes; a file's text from the contents
    API at that commit (``GET .../contents/{path}?ref={sha}``), cached by its blob sha."""

    def __init__(self, gh: GitHubClient, ref: RunRef, *, max_bytes: int) -> None:
        self.gh = gh
        self.ref = ref
        self.max_bytes = max_bytes
        self._blobs: Mapping[str, tuple[str, int]] | None = None

    async def paths(self) -> Collection[str] | None:
        self._blobs = await repository_blobs(self.gh, self.ref)
        return self._blobs

    async def read(self, path: str) -> str | None:
        known = self._blobs.get(path) if self._blobs is not None else None
        if known is not None:
            sha, size = known
            if size > self.max_bytes:
                return None
            if sha in _texts:
                _texts.move_to_end(sha)
                return _texts[sha]
        if not _safe(path):
            return None
        # GET /repos/{owner}/{repo}/contents/{path}{?ref}: the path's slashes stay (each part quoted)
        url = CONTENTS + "/".join(quote(part, safe="") for part in path.split("/")) + "{?ref}"
        try:
            body = await self.gh.getitem(
                url, url_vars={"owner": self.ref.owner, "repo": self.ref.name, "ref": self.ref.head_sha}
            )
        except (GitHubException, httpx.HTTPError) as exc:
            log.info("source of %s unavailable: %s", path, exc)
            return None
        if not isinstance(body, dict) or body.get("type") != "file" or body.get("encoding") != "base64":
            return None  # a directory, a symlink, a submodule, or a file too large for the contents API
        if int(body.get("size") or 0) > self.max_bytes:
            return None
        try:
            text = base64.b64decode(str(body.get("content") or "")).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        if "\x00" in text:
            return None
        _remember(str(body.get("sha") or (known[0] if known else "")), text)
        return text


def _safe(path: str) -> bool:
    """A repository-relative path that stays inside ``/contents/`` (a log printed it, it reaches a URL)."""
    parts = path.split("/")
    return bool(path) and "\\" not in path and all(part not in ("", ".", "..") for part in parts)


def _remember(sha: str, text: str) -> None:
    global _cached_bytes
    if not sha or sha in _texts:
        return
    _texts[sha] = text
    _cached_bytes += len(text)
    while _cached_bytes > CACHE_BYTES and _texts:
        _, dropped = _texts.popitem(last=False)
        _cached_bytes -= len(dropped)


class DirectorySource:
    """A checkout on disk (``ci-triage replay --source DIR``): its files, without ``.git`` and installed
    dependencies."""

    SKIPPED = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", "target", "_build", "deps"})

    def __init__(self, root: Path, *, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self._paths: frozenset[str] | None = None

    async def paths(self) -> Collection[str] | None:
        if self._paths is None:
            found: list[str] = []
            for folder, directories, names in os.walk(self.root):
                directories[:] = [d for d in directories if d not in self.SKIPPED]
                base = Path(folder).relative_to(self.root)
                found += [(base / name).as_posix() for name in names]
            self._paths = frozenset(found)
        return self._paths

    async def read(self, path: str) -> str | None:
        target = (self.root / path).resolve()
        if not target.is_relative_to(self.root.resolve()) or not target.is_file():
            return None
        if target.stat().st_size > self.max_bytes:
            return None
        try:
            return target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None


class MappingSource:
    """Files given as a mapping of path to text (a generated tree, tests); ``paths`` may list more files than
    have a text (the repository's whole tree)."""

    def __init__(self, files: Mapping[str, str], *, paths: Collection[str] | None = None) -> None:
        self.files = files
        self._paths = paths if paths is not None else files.keys()

    async def paths(self) -> Collection[str] | None:
        return self._paths

    async def read(self, path: str) -> str | None:
        return self.files.get(path)
