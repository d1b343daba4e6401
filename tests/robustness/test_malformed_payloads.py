"""Malformed payloads of every handled event reaching the worker: each variant of the example payloads
(a key removed, a null, a value of the wrong type) ends ``done`` or ``failed`` after one try with a clear
error — never a crash of the job, never a retry loop on a payload no retry can fix."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from arq.worker import Retry

from githubapp.intake.delivery_jobs import handle_delivery
from githubapp.intake.webhooks import HANDLED_EVENTS, describe
from storage import deliveries
from tests.intake.conftest import MakeDeps
from tests.support.payloads import all_payloads

WRONG = "not-an-object"
NESTED = {"installation", "repository", "deployment", "deployment_status", "organization"}  # what handlers read


def variants(payload: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The payload with one key (top level or one level down) removed, null, or of the wrong type."""
    paths = [(key,) for key in payload] + [
        (key, sub) for key, value in payload.items() if isinstance(value, dict) and key in NESTED for sub in value
    ]
    for path in paths:
        for how in ("missing", "null", "wrong-type"):
            changed = copy.deepcopy(payload)
            parent = changed if len(path) == 1 else changed[path[0]]
            if how == "missing":
                del parent[path[-1]]
            elif how == "null":
                parent[path[-1]] = None
            else:
                parent[path[-1]] = 7 if isinstance(parent[path[-1]], str) else WRONG
            yield f"{'.'.join(path)} {how}", changed
    yield "installation.id huge", {**payload, "installation": {"id": 2**70}}
    yield "empty object", {}


EXAMPLES_PER_EVENT = 2  # the variants of two examples cover every key a handler reads; more only costs time


def handled_examples() -> Iterator[tuple[str, str, dict[str, Any]]]:
    taken: dict[str, int] = {}
    for event, name, payload in all_payloads():
        if event in HANDLED_EVENTS and isinstance(payload, dict) and taken.get(event, 0) < EXAMPLES_PER_EVENT:
            taken[event] = taken.get(event, 0) + 1
            yield event, name, payload


@pytest.mark.slow
@pytest.mark.timeout(300)  # ~3,800 deliveries at ~30 ms: ~110 s alone, more on a loaded machine
async def test_malformed_payloads_end_done_or_failed_at_once(make_deps: MakeDeps) -> None:
    deps = await make_deps()
    problems: list[str] = []
    tried = 0
    for event, name, example in handled_examples():
        for what, payload in variants(example):
            delivery_id = str(uuid.uuid4())
            action, installation_id, repository = describe(payload)
            await deliveries.record(deps.pool, deliveries.IncomingDelivery(
                delivery_id, event, action, installation_id, repository, json.dumps(payload)))
            tried += 1
            try:
                outcome = await handle_delivery({"deps": deps, "job_try": 1}, delivery_id)
            except Retry:
                row = await deliveries.get(deps.pool, delivery_id)
                problems.append(f"{event}/{name} [{what}]: retried: {row.last_error if row else '?'}")
                continue
            except Exception as exc:  # the job itself crashed
                problems.append(f"{event}/{name} [{what}]: job raised {type(exc).__name__}: {exc}")
                continue
            row = await deliveries.get(deps.pool, delivery_id)
            assert row is not None
            assert outcome in ("done", "failed") and row.status == outcome, (event, name, what, outcome)
            if outcome == "failed":
                assert row.last_error and ":" in row.last_error, row.last_error
    assert tried > 200
    assert not problems, "\n".join(sorted(problems)[:60]) + f"\n({len(problems)} of {tried})"
