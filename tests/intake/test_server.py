"""Through the real server (`python -m githubapp web`, uvicorn on loopback): every example payload is taken."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from githubapp.intake.signatures import sign
from githubapp.settings import Settings
from tests.support.fixtures import WEBHOOK_SECRET
from tests.support.payloads import EXAMPLES, EXTRA
from tests.support.services import REPO_ROOT, free_port, wait_for_port

from .conftest import MakeDeps, process_env, run_worker
from .test_webhook import VECTOR_BODY, VECTOR_SECRET, VECTOR_SIGNATURE


def example_files() -> Iterator[tuple[str, Path]]:
    """(event, file) for every vendored payload (tests/data/github/webhooks): octokit's examples and extra/."""
    for event_dir in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
        for file in sorted(event_dir.glob("*.json")):
            yield event_dir.name, file
    for file in sorted(EXTRA.glob("*.json")):
        yield file.name.split(".", 1)[0], file


@pytest.fixture
def web_server(base_settings: Settings, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A `ci-triage web` child process on a free port; yields (base URL, queue name)."""
    queue = f"intake-web-{uuid.uuid4().hex[:8]}:queue"
    port = free_port()
    env = {**process_env(base_settings, queue, tmp_path / "web-data"), "HOST": "127.0.0.1", "PORT": str(port),
           # Two secrets, as during a rotation: the suite's and the one of GitHub's documented test vector.
           "GITHUB_WEBHOOK_SECRET": f"{WEBHOOK_SECRET},{VECTOR_SECRET}"}
    log = tmp_path / "web.log"
    process = subprocess.Popen([sys.executable, "-m", "githubapp", "web"], cwd=REPO_ROOT, env=env,
                               stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_port(port, timeout=60, proc=process)
        yield f"http://127.0.0.1:{port}", queue
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.slow
async def test_every_example_payload_is_accepted(web_server: tuple[str, str], make_deps: MakeDeps) -> None:
    url, queue = web_server
    files = list(example_files())
    assert len(files) >= 80
    answers: dict[str, int] = {}
    ids: dict[str, str] = {}
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        for event, file in files:
            body = file.read_bytes()  # exactly the bytes, as GitHub would send them
            delivery = str(uuid.uuid4())
            response = await client.post("/webhooks/github", content=body, headers={
                "X-GitHub-Event": event, "X-GitHub-Delivery": delivery, "Content-Type": "application/json",
                "X-Hub-Signature-256": sign(body, WEBHOOK_SECRET), "User-Agent": "GitHub-Hookshot/test",
            })
            answers[f"{event}/{file.name}"] = response.status_code
            ids[f"{event}/{file.name}"] = delivery
    refused = {name: status for name, status in answers.items() if not 200 <= status < 300}
    assert refused == {}
    assert {status for name, status in answers.items() if name.startswith("ping/")} == {200}

    # Then every stored delivery is processed by a worker without error.
    deps = await make_deps(queue_name=queue)
    await run_worker(deps)
    rows = await deps.pool.fetch("SELECT id, event, status, last_error FROM deliveries WHERE id = ANY($1::text[])",
                                 list(ids.values()))
    assert len(rows) == len(files) - sum(1 for name in answers if name.startswith("ping/"))
    by_status = {(r["event"], r["status"]) for r in rows}
    assert {status for _, status in by_status} <= {"done", "ignored"}, [dict(r) for r in rows if r["last_error"]]
    assert {event for event, status in by_status if status == "ignored"} == {
        "check_suite", "pull_request_review_comment"}


@pytest.mark.slow
async def test_documented_vector_over_real_http(web_server: tuple[str, str]) -> None:
    url, _ = web_server

    def headers(**extra: str) -> dict[str, str]:
        return {"X-GitHub-Event": "workflow_run", "X-GitHub-Delivery": str(uuid.uuid4()),
                "Content-Type": "application/json", **extra}

    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        accepted = await client.post("/webhooks/github", content=VECTOR_BODY,
                                     headers=headers(**{"X-Hub-Signature-256": VECTOR_SIGNATURE}))
        assert accepted.status_code == 400  # signature fine, "Hello, World!" is not JSON
        tampered = await client.post("/webhooks/github", content=b"Hello, World.",
                                     headers=headers(**{"X-Hub-Signature-256": VECTOR_SIGNATURE}))
        missing = await client.post("/webhooks/github", content=VECTOR_BODY, headers=headers())
        sha1_only = await client.post("/webhooks/github", content=VECTOR_BODY, headers=headers(
            **{"X-Hub-Signature": "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59"}))
        assert (tampered.status_code, missing.status_code, sha1_only.status_code) == (401, 401, 401)
        too_big = await client.post("/webhooks/github", content=b"x" * (26 * 1024 * 1024),
                                    headers=headers(**{"X-Hub-Signature-256": VECTOR_SIGNATURE}))
        assert too_big.status_code == 413
