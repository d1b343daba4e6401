"""POST /api/test-runs: a test run from any CI (Jenkins, GitLab, ...) through the same analysis and history
matching as a GitHub Actions run. Idempotent on the client's ``id``: a replay returns the first answer."""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
from datetime import datetime
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from analysis import engine
from analysis.junit import parse_junit
from analysis.regex import MULTILINE, compile_linear
from analysis.types import Failure, FailureKind
from githubapp.history.service import RunContext, history_of
from storage import ci_runs
from storage import history as history_db

from ...analysis_pool import AnalysisFailed, Limits, run_isolated
from ...deps import Deps
from ...notify import live
from .. import triage_metrics
from . import schemas as s
from .call import Call
from .errors import ApiError
from .openapi import FieldError, Operation, ValidationFailed

JSON = dict[str, Any]
ABANDONED_AFTER_SECONDS = 600  # an ingestion takes seconds; a row without an answer this old was abandoned
DIFF_FILE = compile_linear(r"^\+\+\+ b/(.+)$", MULTILINE)


def finite(value: float) -> float:
    """NaN (the cosine of a zero vector: a failure text without tokens) as 0: JSON has no NaN."""
    return float(value) if math.isfinite(value) else 0.0


def changed_files_of(body: JSON) -> list[str]:
    files = list(body.get("changedFiles") or [])
    if not files and body.get("diff"):
        files = DIFF_FILE.findall(body["diff"])
    return sorted(set(files))


def junit_failures(reports: list[bytes]) -> list[Failure]:
    """Failures of the JUnit XML reports; a report that is not JUnit XML is a 422 naming ``junit``."""
    found, problem = _parse_junit(reports)
    if problem:
        raise ValidationFailed([FieldError("junit", problem)])
    return found


def _parse_junit(reports: list[bytes]) -> tuple[list[Failure], str | None]:
    """The reports' failures, or what is wrong with the first report that is not JUnit XML."""

    found: list[Failure] = []
    for index, xml in enumerate(reports):
        try:
            found += parse_junit(xml)
        except ValueError as exc:  # analysis.junit.JUnitError
            return [], f"file {index + 1}: {exc}"
    return found, None


def failures_of(body: JSON, junit: list[Failure], *, excerpt_budget: int) -> tuple[list[Failure], dict[int, str], str]:
    """Failures from the failed tests given, JUnit reports and the log, without repeating a test; the excerpts
    by failure index and the log's one-line summary."""

    ci = body["ci"]
    failures: list[Failure] = []
    excerpts: dict[int, str] = {}
    seen_tests: set[str] = set()

    def add(failure: Failure, excerpt: str | None) -> None:
        if failure.test_id:
            if failure.test_id in seen_tests:
                return
            seen_tests.add(failure.test_id)
        if excerpt:
            excerpts[len(failures)] = excerpt[:20000]
        failures.append(failure)

    for test in body.get("failedTests") or []:
        message = (test.get("message") or "").strip() or f"{test['name']} failed"
        add(
            Failure(FailureKind.TEST, ci, message.splitlines()[0][:1000], test_id=test["name"],
                    file=test.get("file"), line=test.get("line")),
            "\n".join(filter(None, [test.get("message"), test.get("stackTrace")])),
        )
    for failure in junit:
        add(failure, failure.message)
    summary = ""
    log = body.get("log")
    if log:
        lines = log.splitlines()
        analysis = engine.analyze_text(log, budget=excerpt_budget)
        summary = analysis.summary
        excerpt = "\n".join("\n".join(lines[r.start - 1 : r.end]) for r in analysis.excerpt)
        for failure in analysis.failures:
            evidence = "\n".join("\n".join(lines[r.start - 1 : r.end]) for r in failure.evidence) or excerpt
            add(failure, evidence)
    return failures, excerpts, summary


def analyze_ingested(
    body: JSON, junit: list[bytes], *, excerpt_budget: int
) -> tuple[tuple[list[Failure], dict[int, str], str], str | None]:
    """``failures_of`` with the JUnit reports parsed, or what is wrong with a report: the child process's
    entry point (it returns the problem as data; the request's 422 is raised by the parent)."""
    junit_found, problem = _parse_junit(junit)
    if problem:
        return ([], {}, ""), problem
    return failures_of(body, junit_found, excerpt_budget=excerpt_budget), None


def request_digest(body: JSON, files: list[bytes]) -> str:
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())
    for data in files:
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


async def read_body(request: Request, deps: Deps) -> JSON:
    """JSON, or multipart with a ``metadata`` JSON field plus ``junit`` and ``log`` files (kept in the state)."""
    limit = deps.settings.ingest_max_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "too_large", f"the body is larger than INGEST_MAX_BYTES ({limit})")
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    request.state.junit = []
    request.state.files = []
    if ctype != "multipart/form-data":
        raw = await request.body()
        if len(raw) > limit:
            raise ApiError(413, "too_large", f"the body is larger than INGEST_MAX_BYTES ({limit})")
        if ctype == "application/json":
            try:
                parsed: JSON = json.loads(raw)  # validated against the schema next
                return parsed
            except (ValueError, UnicodeDecodeError):
                raise ApiError(400, "bad_json", "the body is not valid JSON") from None
        raise ApiError(415, "unsupported_media_type", "send application/json or multipart/form-data")
    try:
        form = await request.form(max_files=50, max_fields=20)
    except Exception as exc:  # starlette raises several kinds for malformed multipart data
        raise ApiError(400, "bad_multipart", f"the multipart body cannot be read: {exc}") from None
    metadata = form.get("metadata")
    if isinstance(metadata, UploadFile):
        metadata = (await metadata.read()).decode("utf-8", "replace")
    if not isinstance(metadata, str):
        raise ValidationFailed([FieldError("metadata", "is required (a JSON object)")])
    try:
        body = json.loads(metadata)
    except ValueError:
        raise ValidationFailed([FieldError("metadata", "is not valid JSON")]) from None
    if not isinstance(body, dict):
        raise ValidationFailed([FieldError("metadata", "must be a JSON object")])
    logs: list[str] = []
    total = 0
    for name in ("junit", "log"):
        for item in form.getlist(name):
            data = (await item.read()) if isinstance(item, UploadFile) else str(item).encode()
            total += len(data)
            if total > limit:
                raise ApiError(413, "too_large", f"the files are larger than INGEST_MAX_BYTES ({limit})")
            request.state.files.append(data)
            if name == "junit":
                request.state.junit.append(data)
            else:
                logs.append(data.decode("utf-8", "replace"))
    if logs:
        body["log"] = "\n".join([body.get("log", ""), *logs]).strip("\n")
    return body


async def ingest(call: Call) -> JSON:
    deps: Deps = call.deps
    body: JSON = call.body
    junit: list[bytes] = getattr(call.request.state, "junit", [])
    installation_id = call.principal.installations[0]
    digest = request_digest(body, getattr(call.request.state, "files", []))
    pool = deps.pool

    async def replay() -> JSON:
        stored = await ci_runs.find_by_client_id(pool, installation_id, "api", body["id"])
        if stored is not None and stored.response is None and stored.age_seconds > ABANDONED_AFTER_SECONDS:
            # the process ingesting it died: forget it, the client's retry starts afresh
            await ci_runs.discard_run(pool, installation_id, stored.repository_id, stored.id)
        if stored is None or stored.response is None:
            raise ApiError(409, "in_progress", "a run with this id is being ingested; retry shortly",
                           {"Retry-After": "5"})
        if stored.request_sha256 != digest:
            raise ApiError(409, "conflict", "this id was used before with a different request")
        return {**stored.response, "replayed": True}

    if await ci_runs.find_by_client_id(pool, installation_id, "api", body["id"]) is not None:
        return await replay()
    try:  # the log and the reports are untrusted: read in a limited child process, off the event loop
        (failures, excerpts, summary), junit_problem = await run_isolated(
            analyze_ingested, body, junit, excerpt_budget=deps.settings.excerpt_budget, limits=Limits.of(deps.settings)
        )
    except AnalysisFailed as exc:  # recorded with what the request itself says, and why the rest is missing
        failures, excerpts, _ = failures_of({**body, "log": None}, [], excerpt_budget=deps.settings.excerpt_budget)
        summary, junit_problem = f"The log and JUnit reports could not be analysed: {exc}.", None
    if junit_problem:
        raise ValidationFailed([FieldError("junit", junit_problem)])
    failed = bool(failures) or body.get("status") == "failed"
    finished_at = datetime.fromisoformat(body["finishedAt"].replace("Z", "+00:00")) if body.get("finishedAt") else None
    if finished_at is not None and finished_at.tzinfo is None:
        raise ValidationFailed([FieldError("finishedAt", "must include a time zone offset")])
    async with pool.acquire() as conn:
        repository_id = await ci_runs.repository_id_for(conn, installation_id, body["repository"],
                                                        default_branch=body.get("defaultBranch"))
        run_id = await ci_runs.insert_run(
            conn, installation_id, repository_id, source="api", client_id=body["id"], ci=body["ci"],
            branch=body.get("branch"), commit_sha=body.get("commit"), conclusion="failure" if failed else "success",
            failed_tests=sum(1 for f in failures if f.kind is FailureKind.TEST),
            duration_seconds=body.get("durationSeconds"), started_at=None, finished_at=finished_at,
            snapshot_links=body.get("snapshotLinks") or [], request_sha256=digest,
        )
    if run_id is None:
        return await replay()
    try:
        response = await record(deps, installation_id, repository_id, run_id, body, failures, excerpts, summary,
                                failed=failed, finished_at=finished_at)
    except BaseException:
        # Nothing half-done stays behind: the client may send the same id again.
        await asyncio.shield(ci_runs.discard_run(pool, installation_id, repository_id, run_id))
        raise
    return response


async def record(
    deps: Deps,
    installation_id: int,
    repository_id: int,
    run_id: int,
    body: JSON,
    failures: list[Failure],
    excerpts: dict[int, str],
    summary: str,
    *,
    failed: bool,
    finished_at: datetime | None,
) -> JSON:
    """History matching, test outcomes, changed files, recommendations; the answer stored for replays."""
    pool = deps.pool

    history = history_of(deps)

    run_key = -run_id  # failures of ingested runs are recorded under -ci_runs.id (GitHub run ids are positive)
    context = RunContext(run_id=run_key, job_name=body["ci"], head_sha=body.get("commit"), branch=body.get("branch"),
                         seen_at=finished_at, excerpts=excerpts)
    matches = await history.record_failures(installation_id, repository_id, failures, context)
    outcomes = [(f.test_id, "failed") for f in failures if f.test_id]
    outcomes += [(name, "passed") for name in body.get("passedTests") or [] if name not in {t for t, _ in outcomes}]
    if outcomes and body.get("commit"):
        await history.record_test_outcomes(installation_id, repository_id, outcomes, head_sha=body["commit"],
                                           run_id=run_key, job=body["ci"], branch=body.get("branch"))
    changed = changed_files_of(body)
    if changed and body.get("commit"):
        await history.record_changed_files(installation_id, repository_id, head_sha=body["commit"], files=changed)
    recommendations = await history.recommend_tests(installation_id, repository_id, changed, matches=matches)

    similar: dict[int, JSON] = {}
    for match in matches:
        if match.known and match.pattern_id not in similar:
            similar[match.pattern_id] = {
                "patternId": match.pattern_id,
                "title": "",
                "similarity": finite(match.similarity),
                "occurrences": int(match.occurrences),
                "firstSeen": match.first_seen.isoformat(),
                "lastSeen": match.last_seen.isoformat(),
                "status": match.status,
                "known": True,
                "resolution": match.resolution.as_json() if match.resolution is not None and hasattr(
                    match.resolution, "as_json") else None,
            }
    if similar:
        for pattern_id, title in (await history_db.pattern_titles(pool, installation_id, list(similar))).items():
            similar[pattern_id]["title"] = title
    response: JSON = {
        "id": body["id"],
        "runId": run_id,
        "repositoryId": repository_id,
        "status": "failed" if failed else "passed",
        "summary": summary or (f"{len(failures)} failure(s)" if failures else "no failures"),
        "failures": [
            {"failureId": m.failure_id, "name": f.test_id, "kind": str(f.kind), "message": f.message,
             "file": f.file, "line": f.line, "testFile": f.test_file, "testLine": f.test_line,
             "patternId": m.pattern_id, "how": str(m.how),
             "similarity": finite(m.similarity)}
            for f, m in zip(failures, matches, strict=True)
        ],
        "similarPatterns": sorted(similar.values(), key=lambda p: -p["similarity"]),
        "recommendedTests": [r.as_json() for r in recommendations.tests],
        "riskLevel": recommendations.risk.value,
        "replayed": False,
    }
    await ci_runs.set_response(pool, installation_id, run_id, response)
    await triage_metrics.count(deps, "ci_triage_ingested_runs_total", ci=body["ci"], status=response["status"])
    for f, m in zip(failures, matches, strict=True):
        await triage_metrics.count(deps, "ci_triage_ingested_failures_total", kind=str(f.kind), how=str(m.how))
    await live.publish_failures(deps, installation_id, repository_id, body["repository"], failures, matches)
    return response


def operations() -> list[Operation]:
    return [
        Operation(
            "POST", "/api/test-runs", "ingestTestRun", "Ingest a test run from any CI", ingest, "ingestion",
            s.ref("TestRunResponse"), body=s.ref("TestRunRequest"), multipart=s.TEST_RUN_MULTIPART,
            extra_responses=(409, 413, 415), reader=read_body, scope="ingest",
            description="JSON (failed tests, log, diff or changed files, snapshot links) or multipart/form-data "
            "with a `metadata` JSON field plus `junit` (JUnit XML) and `log` files. The failures go through the "
            "same analysis and history matching as GitHub Actions runs. Idempotent on `id`: sending the same "
            "request again returns the first answer with `replayed: true`; another request under the same id "
            "gets 409.",
        )
    ]
