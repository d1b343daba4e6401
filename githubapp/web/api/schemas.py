"""JSON schemas of the API's objects (the ``components/schemas`` of /api/openapi.json)."""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]


def ref(name: str) -> JSON:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: JSON) -> JSON:
    return {"anyOf": [schema, {"type": "null"}]}


STR = {"type": "string"}
INT = {"type": "integer"}
NUM = {"type": "number"}
TIME = {"type": "string", "format": "date-time"}
N_STR = nullable(STR)
N_INT = nullable(INT)
N_NUM = nullable(NUM)
N_TIME = nullable(TIME)


def obj(props: JSON, *, required: list[str] | None = None, extra: bool = False) -> JSON:
    return {
        "type": "object",
        "properties": props,
        "required": list(props) if required is None else required,
        "additionalProperties": extra,
    }


def page(item: str) -> JSON:
    return obj({"items": {"type": "array", "items": ref(item)}, "nextCursor": N_STR})


NAME = {"type": "string", "minLength": 1, "maxLength": 1000}
LINK = obj({"label": {"type": "string", "maxLength": 200}, "url": {"type": "string", "maxLength": 2000}})

FAILED_TEST = obj(
    {
        "name": {"type": "string", "minLength": 1, "maxLength": 1000},
        "message": {"type": "string", "maxLength": 20000},
        "stackTrace": {"type": "string", "maxLength": 200000},
        "file": {"type": "string", "maxLength": 1000},
        "line": {"type": "integer", "minimum": 1, "maximum": 10_000_000},
    },
    required=["name"],
)

TEST_RUN_REQUEST = obj(
    {
        "id": {"type": "string", "minLength": 1, "maxLength": 200, "description": "Idempotency id (the client's)."},
        "repository": {"type": "string", "minLength": 1, "maxLength": 300, "pattern": r"^[^\s/]+(/[^\s/]+)+$"},
        "branch": {"type": "string", "maxLength": 500},
        "defaultBranch": {"type": "string", "minLength": 1, "maxLength": 500,
                          "description": "The repository's main branch (time to recovery); default main."},
        "commit": {"type": "string", "maxLength": 100},
        "ci": {"type": "string", "minLength": 1, "maxLength": 50},
        "status": {"type": "string", "enum": ["passed", "failed"]},
        "durationSeconds": {"type": "number", "minimum": 0, "maximum": 31_536_000},
        "finishedAt": {"type": "string", "format": "date-time"},
        "failedTests": {"type": "array", "maxItems": 5000, "items": ref("FailedTest")},
        "passedTests": {"type": "array", "maxItems": 50000, "items": NAME},
        "log": {"type": "string", "maxLength": 16_000_000},
        "diff": {"type": "string", "maxLength": 5_000_000},
        "changedFiles": {"type": "array", "maxItems": 10000, "items": NAME},
        "snapshotLinks": {"type": "array", "maxItems": 50, "items": ref("Link")},
    },
    required=["id", "repository", "ci"],
)

TEST_RUN_MULTIPART = {
    "type": "object",
    "properties": {
        "metadata": {"type": "string", "description": "The JSON object of application/json, without failedTests/log."},
        "junit": {"type": "string", "format": "binary", "description": "JUnit XML report(s)."},
        "log": {"type": "string", "format": "binary", "description": "Log file(s)."},
    },
    "required": ["metadata"],
}

SIMILAR = obj(
    {
        "patternId": INT,
        "title": STR,
        "similarity": NUM,
        "occurrences": INT,
        "firstSeen": TIME,
        "lastSeen": TIME,
        "status": STR,
        "known": {"type": "boolean"},
        "resolution": nullable({"type": "object"}),
    }
)

RECOMMENDED = obj({"testName": STR, "reason": STR, "confidenceScore": NUM})

TEST_RUN_RESPONSE = obj(
    {
        "id": STR,
        "runId": INT,
        "repositoryId": INT,
        "status": {"type": "string", "enum": ["passed", "failed"]},
        "summary": STR,
        "failures": {
            "type": "array",
            "items": obj(
                {
                    "failureId": INT,
                    "name": N_STR,
                    "kind": STR,
                    "message": STR,
                    "file": N_STR,
                    "line": N_INT,
                    "testFile": N_STR,
                    "testLine": N_INT,
                    "patternId": INT,
                    "how": STR,
                    "similarity": NUM,
                }
            ),
        },
        "similarPatterns": {"type": "array", "items": ref("SimilarPattern")},
        "recommendedTests": {"type": "array", "items": ref("RecommendedTest")},
        "riskLevel": N_STR,
        "replayed": {"type": "boolean"},
    }
)

REPOSITORY = obj(
    {
        "id": INT,
        "installationId": INT,
        "fullName": STR,
        "defaultBranch": N_STR,
        "source": {"type": "string", "enum": ["github", "external"]},
    }
)

RUN = obj(
    {
        "id": INT,
        "repositoryId": INT,
        "repository": STR,
        "source": STR,
        "ci": STR,
        "clientId": N_STR,
        "branch": N_STR,
        "commit": N_STR,
        "conclusion": {"type": "string", "enum": ["success", "failure"]},
        "failedTests": INT,
        "durationSeconds": N_NUM,
        "finishedAt": TIME,
        "snapshotLinks": {"type": "array", "items": ref("Link")},
    }
)

FAILURE_PROPS: JSON = {
    "id": INT,
    "repositoryId": INT,
    "repository": STR,
    "runId": N_INT,
    "runAttempt": {**N_INT, "description": "The GitHub Actions run attempt; null for runs from other CI systems."},
    "jobId": {**N_INT, "description": "The GitHub Actions job id; null for runs from other CI systems."},
    "jobName": N_STR,
    "branch": N_STR,
    "commit": N_STR,
    "pullRequest": N_INT,
    "kind": STR,
    "tool": STR,
    "testId": N_STR,
    "message": STR,
    "file": N_STR,
    "line": N_INT,
    "testFile": N_STR,
    "testLine": N_INT,
    "occurrences": {**INT, "description": "How many times the tool printed this failure's message in the job "
                    "(repeats folded into one failure, e.g. one mypy error in many files); 1 when printed once."},
    "fileCount": {**INT, "description": "The distinct files of those repeats (0 when printed once)."},
    "patternId": N_INT,
    "patternTitle": N_STR,
    "seenAt": TIME,
    "verdict": {
        **nullable({"type": "string", "enum": ["new", "pre-existing", "flaky", "infra"]}),
        "description": "Whose fault (GitHub Actions runs): new (caused by the change), pre-existing (failing on the "
        "base branch too), flaky (failed and passed on the same code), infra (runner, network, service); null when "
        "not attributed (ingested runs, or recorded before attribution).",
    },
    "verdictReason": {**N_STR, "description": "One line saying why the verdict."},
}
FAILURE = obj(FAILURE_PROPS)

PATTERN = obj(
    {
        "id": INT,
        "installationId": INT,
        "kind": STR,
        "tool": STR,
        "title": STR,
        "testId": N_STR,
        "occurrences": INT,
        "firstSeen": TIME,
        "lastSeen": TIME,
        "repositoryIds": {"type": "array", "items": INT},
        "status": {"type": "string", "enum": ["active", "muted", "pinned"]},
        "resolution": nullable({"type": "object"}),
    }
)

FAILURE_DETAIL = obj(
    {
        **FAILURE_PROPS,
        "excerpt": N_STR,
        "files": {"type": "array", "description": "The first files of the repeats (at most 100, in log order), "
                  "each with how many times the message was printed in it.",
                  "items": obj({"path": STR, "count": INT})},
        "match": obj({"how": STR, "similarity": NUM}),
        "snapshotLinks": {"type": "array", "items": ref("Link")},
        "pattern": nullable(ref("Pattern")),
    }
)

PATTERN_DETAIL = obj(
    {
        "pattern": ref("Pattern"),
        "members": {"type": "array", "items": ref("Failure")},
        "timeline": {"type": "array", "items": obj({"day": {"type": "string", "format": "date"}, "failures": INT})},
    }
)

SEARCH_HIT = obj(
    {
        "patternId": INT,
        "installationId": INT,
        "similarity": NUM,
        "title": STR,
        "kind": STR,
        "occurrences": INT,
        "lastSeen": TIME,
        "status": STR,
    }
)

FLAKY_TEST = obj(
    {
        "repositoryId": INT,
        "repository": STR,
        "testId": STR,
        "score": NUM,
        "failures": INT,
        "runs": INT,
        "impact": NUM,
        "lastSeen": N_TIME,
        "quarantineSuggested": {"type": "boolean"},
        "quarantinedUntil": N_TIME,
    }
)

COMMAND_RESULT = obj(
    {"result": {"type": "string", "enum": ["ok", "denied", "refused", "failed"]}, "message": STR}
)

FIX = obj(
    {
        "id": STR,
        "installationId": INT,
        "repositoryId": INT,
        "repository": STR,
        "pullRequest": N_INT,
        "title": STR,
        "explanation": STR,
        "source": STR,
        "confidence": NUM,
        "status": STR,
        "diff": STR,
        "diffHash": STR,
        "diffShownWhole": {"type": "boolean"},
        "decidedBy": N_STR,
        "decidedAt": N_TIME,
        "outcome": N_STR,
        "createdAt": TIME,
    }
)

RATE_POINT = obj({"start": TIME, "runs": INT, "failed": INT, "rate": N_NUM})
PATTERN_IMPACT = obj({"patternId": INT, "title": STR, "occurrences": INT, "runs": INT, "minutesLost": NUM})

METRICS = obj(
    {
        "repositoryId": N_INT,
        "since": TIME,
        "until": TIME,
        "runs": INT,
        "failureRate": N_NUM,
        "failureRateSeries": {"type": "array", "items": ref("RatePoint")},
        "timeToRecovery": obj(
            {"episodes": INT, "medianSeconds": N_NUM, "meanSeconds": N_NUM, "failingSince": N_TIME}
        ),
        "topPatternsByOccurrences": {"type": "array", "items": ref("PatternImpact")},
        "topPatternsByTimeLost": {"type": "array", "items": ref("PatternImpact")},
        "flakyTests": {"type": "array", "items": ref("FlakyTest")},
        "fixes": obj(
            {
                "suggested": INT,
                "decided": INT,
                "approved": INT,
                "rejected": INT,
                "approvalRate": N_NUM,
                "successRate": N_NUM,
            }
        ),
        "deployments": obj(
            {"deployments": INT, "successful": INT, "failed": INT, "perWeek": NUM, "changeFailureRate": N_NUM}
        ),
    }
)

ERROR = obj(
    {
        "error": STR,
        "message": STR,
        "detail": {"type": "array", "items": obj({"field": STR, "message": STR})},
    },
    required=["error", "message"],
)

COMPONENTS: JSON = {
    "Error": ERROR,
    "Link": LINK,
    "FailedTest": FAILED_TEST,
    "TestRunRequest": TEST_RUN_REQUEST,
    "TestRunResponse": TEST_RUN_RESPONSE,
    "SimilarPattern": SIMILAR,
    "RecommendedTest": RECOMMENDED,
    "Repository": REPOSITORY,
    "Run": RUN,
    "Failure": FAILURE,
    "FailureDetail": FAILURE_DETAIL,
    "Pattern": PATTERN,
    "PatternDetail": PATTERN_DETAIL,
    "SearchHit": SEARCH_HIT,
    "FlakyTest": FLAKY_TEST,
    "CommandResult": COMMAND_RESULT,
    "Fix": FIX,
    "RatePoint": RATE_POINT,
    "PatternImpact": PATTERN_IMPACT,
    "Metrics": METRICS,
}
