"""The worker's heartbeat and the health check that reads it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from githubapp.worker import healthcheck
from githubapp.worker.heartbeat import beat, heartbeat_path, keep_beating, staleness


def test_fresh_stale_missing_and_garbled(tmp_path: Path) -> None:
    path = heartbeat_path(tmp_path)
    assert "no heartbeat" in (staleness(path) or "")
    beat(path, now=1000.0)
    assert staleness(path, now=1030.0) is None
    assert "stuck" in (staleness(path, now=1000.0 + 91, max_age=90) or "")
    path.write_text("not a time")
    assert "unreadable" in (staleness(path) or "")


async def test_keep_beating_writes_until_cancelled_then_removes_the_file(tmp_path: Path) -> None:
    path = heartbeat_path(tmp_path / "data")
    task = asyncio.create_task(keep_beating(path, interval=0.01))
    await asyncio.sleep(0.05)
    assert staleness(path, max_age=1) is None
    first = path.read_text()
    await asyncio.sleep(0.05)
    assert path.read_text() != first  # rewritten, not just created
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not path.exists()


def test_healthcheck_fails_a_worker_without_a_fresh_heartbeat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CI_TRIAGE_DATA_DIR", str(tmp_path))
    assert healthcheck.main(["--command", "worker"]) == 1
    assert "no heartbeat" in capsys.readouterr().err
    beat(heartbeat_path(tmp_path))
    assert healthcheck.main(["--command", "worker"]) == 0
    beat(heartbeat_path(tmp_path), now=0.0)
    assert healthcheck.main(["--command", "worker"]) == 1
    assert "stuck" in capsys.readouterr().err
    assert healthcheck.main(["--command", "web"]) == 1  # nothing listens on the default port here
