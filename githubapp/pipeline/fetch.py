"""Fetching what a failed run left behind: its jobs, their logs (bounded), the run-logs zip, JUnit artifacts.

Log links are 302 redirects to storage that expire within a minute: the client follows them at once, and a
link that has expired by the time it is used (storage answers 403) is asked for again. Logs that are gone
(404/410: expired or deleted) are reported, not retried.
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gidgethub

from ..conclusions import FAILED_JOB
from ..github import DownloadFailed, GitHubClient
from .config import RepoConfig, matches
from .triggers import RunRef

log = logging.getLogger("ci_triage.pipeline")

GONE = (404, 410)
LINK_ATTEMPTS = 2  # a fresh redirect when the first link expired before we used it
JUNIT_MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class JobInfo:
    id: int
    name: str
    conclusion: str | None
    html_url: str | None
    run_attempt: int
    failed_steps: tuple[str, ...] = ()

    @classmethod
    def of(cls, job: dict[str, Any]) -> JobInfo:
        steps = tuple(s.get("name", "") for s in job.get("steps") or [] if s.get("conclusion") == "failure")
        return cls(
            int(job["id"]),
            str(job.get("name") or job["id"]),
            job.get("conclusion"),
            job.get("html_url"),
            int(job.get("run_attempt") or 1),
            steps,
        )


@dataclass(frozen=True)
class JobLog:
    job: JobInfo
    data: bytes | None  # in memory (no spool directory given); None when the log could not be had or is on disk
    truncated: bool = False
    problem: str | None = None  # for the report: expired, deleted, unavailable
    gone: bool = False  # 404/410: no point in asking again
    path: Path | None = None  # on disk (a spool directory was given): the log never sits in memory whole


class LogUnavailable(Exception):
    """The job log download failed in a way the run-logs zip may still work around."""


async def list_jobs(gh: GitHubClient, ref: RunRef) -> list[dict[str, Any]]:
    """The jobs of the run's attempt being triaged, every page: ``filter=latest`` (the usual case), or the
    attempt's own list when a newer attempt has started meanwhile."""
    url_vars = {"owner": ref.owner, "repo": ref.name, "run_id": str(ref.run_id), "per_page": "100"}
    latest = gh.getiter(
        "/repos/{owner}/{repo}/actions/runs/{run_id}/jobs{?filter,per_page}",
        url_vars={**url_vars, "filter": "latest"},
        iterable_key="jobs",
    )
    jobs = [job async for job in latest]
    if not jobs or any(int(job.get("run_attempt") or 1) == ref.attempt for job in jobs):
        return jobs
    older = gh.getiter(
        "/repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}/jobs{?per_page}",
        url_vars={**url_vars, "attempt_number": str(ref.attempt)},
        iterable_key="jobs",
    )
    return [job async for job in older]


def failed_jobs(jobs: list[dict[str, Any]], *, attempt: int, config: RepoConfig) -> list[JobInfo]:
    """Failed jobs of this attempt, minus those the repository asked to ignore."""
    out = []
    for raw in jobs:
        job = JobInfo.of(raw)
        if job.conclusion not in FAILED_JOB or job.run_attempt != attempt:
            continue
        if config.ignore.job(job.name):
            continue
        out.append(job)
    return out


async def fetch_job_log(
    gh: GitHubClient, ref: RunRef, job: JobInfo, *, max_bytes: int, spool: Path | None = None
) -> JobLog:
    """The job's log, capped at ``max_bytes``: streamed to ``spool/job-<id>.log`` when ``spool`` is given."""
    url_vars = {"owner": ref.owner, "repo": ref.name, "job_id": str(job.id)}
    last_status: int | None = None
    for _ in range(LINK_ATTEMPTS):
        try:
            if spool is not None:
                path = spool / f"job-{job.id}.log"
                truncated = await _stream_to_file(
                    gh, "/repos/{owner}/{repo}/actions/jobs/{job_id}/logs", url_vars, path, max_bytes=max_bytes
                )
                return JobLog(job, None, truncated=truncated, path=path)
            download = await gh.download(
                "/repos/{owner}/{repo}/actions/jobs/{job_id}/logs", url_vars, max_bytes=max_bytes
            )
        except gidgethub.BadRequest as exc:
            if exc.status_code in GONE:
                what = "have expired" if exc.status_code == 410 else "are not available (expired or deleted)"
                return JobLog(job, None, problem=f"The logs of job {job.name} {what}.", gone=True)
            raise
        except DownloadFailed as exc:  # storage refused the link (expired before use) or broke: ask again
            last_status = exc.status_code
            continue
        return JobLog(job, download.content, truncated=download.truncated)
    raise LogUnavailable(f"log storage answered HTTP {last_status} for job {job.id}")


async def _stream_to_file(
    gh: GitHubClient, url: str, url_vars: dict[str, str], path: Path, *, max_bytes: int
) -> bool:
    """Write a download to ``path`` piece by piece (a 64 MiB log costs the process one piece of memory);
    whether the cap cut it."""
    async with gh.open_download(url, url_vars, max_bytes=max_bytes) as stream:
        with path.open("wb") as out:
            async for piece in stream:
                out.write(piece)
    return stream.truncated


async def fetch_run_logs_zip(gh: GitHubClient, ref: RunRef, *, max_bytes: int) -> bytes | None:
    """The attempt's run-logs zip (fallback), or None when it is gone."""
    url_vars = {
        "owner": ref.owner,
        "repo": ref.name,
        "run_id": str(ref.run_id),
        "attempt_number": str(ref.attempt),
    }
    try:
        download = await gh.download(
            "/repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}/logs",
            url_vars,
            max_bytes=max_bytes,
        )
    except gidgethub.BadRequest as exc:
        if exc.status_code in GONE:
            return None
        raise
    if download.truncated:
        log.warning("run logs zip of run %s cut at %s bytes: not readable as a zip", ref.run_id, max_bytes)
        return None
    content: bytes = download.content
    return content


async def junit_reports(
    gh: GitHubClient, ref: RunRef, glob: str | None, *, max_bytes: int = JUNIT_MAX_BYTES
) -> list[tuple[str, bytes]]:
    """(artifact/member name, XML) for every XML file in the run's artifacts whose name matches ``glob``."""
    if not glob:
        return []
    artifacts = gh.getiter(
        "/repos/{owner}/{repo}/actions/runs/{run_id}/artifacts{?per_page}",
        url_vars={"owner": ref.owner, "repo": ref.name, "run_id": str(ref.run_id), "per_page": "100"},
        iterable_key="artifacts",
    )
    found: list[tuple[str, bytes]] = []
    async for artifact in artifacts:
        if artifact.get("expired") or not matches(str(artifact.get("name", "")), glob):
            continue
        try:
            download = await gh.download(
                "/repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}",
                {
                    "owner": ref.owner,
                    "repo": ref.name,
                    "artifact_id": str(artifact["id"]),
                    "archive_format": "zip",
                },
                max_bytes=max_bytes,
            )
        except gidgethub.BadRequest as exc:
            if exc.status_code in GONE:
                continue
            raise
        if download.truncated:
            log.warning("artifact %s is larger than %s bytes; skipped", artifact.get("name"), max_bytes)
            continue
        found.extend(_xml_members(str(artifact.get("name")), download.content, max_bytes))
    return found


def _xml_members(name: str, data: bytes, max_bytes: int) -> list[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        log.warning("artifact %s is not a zip", name)
        return []
    out = []
    budget = max_bytes
    for info in archive.infolist():
        if info.is_dir() or not info.filename.lower().endswith(".xml") or info.file_size > budget:
            continue
        budget -= info.file_size  # bounds decompression, whatever the archive claims
        with archive.open(info) as member:
            out.append((f"{name}/{info.filename}", member.read(info.file_size + 1)[: info.file_size]))
    return out
