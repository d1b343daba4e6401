"""The snapshot service end to end on real Chromium, PostgreSQL and the filesystem store; the capture rule."""

import json
import random
import uuid

import asyncpg
import httpx
import pytest

from githubapp.pipeline.config import validate
from githubapp.snapshots.config import SnapshotConfig
from githubapp.snapshots.preview import PreviewURL
from githubapp.snapshots.report import check_run_images, snapshot_check_summary, snapshot_comment_section
from githubapp.snapshots.service import RouteOutcome, SnapshotRun, SnapshotService, should_capture
from snapshot.capture import Viewport
from storage.artifacts import FilesystemStore, LinkSigner
from tests.support.preview_site import BOX, serve_site

SHA_GREEN, SHA_RED = "a" * 40, "b" * 40


def run(passed: bool, sha: str, installation: int, run_id: int) -> SnapshotRun:
    return SnapshotRun(
        installation_id=installation,
        repository_id=77,
        run_id=run_id,
        run_attempt=1,
        head_sha=sha,
        passed=passed,
        pr_number=5,
        branch="feature/x",
    )


@pytest.fixture
def service(pool: asyncpg.Pool, browser, tmp_path) -> SnapshotService:  # type: ignore[no-untyped-def]
    async def provide():  # type: ignore[no-untyped-def]
        return browser

    store = FilesystemStore(tmp_path / "artifacts", LinkSigner(b"x" * 32), "http://testserver/artifacts")
    return SnapshotService(pool=pool, store=store, browser=provide, allow_hosts=("127.0.0.1",))


def config_for(url: str, **changes: object) -> SnapshotConfig:
    section = {
        "preview_url": url,
        "viewport": {"width": 400, "height": 300},
        "timeout_seconds": 15,
        "wait_for_selector": "#app:has-text('ready')",
        **changes,
    }
    parsed = validate({"snapshot": section})
    assert parsed.errors == ()
    return parsed.config.snapshot


async def test_failed_run_is_diffed_against_the_last_green_capture(
    service: SnapshotService, pool: asyncpg.Pool
) -> None:
    installation = random.randint(10**9, 2 * 10**9)
    with serve_site(version=1) as site:
        config = config_for(site.url)
        green = await service.snapshot_run(run(True, SHA_GREEN, installation, 1), config)  # no baseline yet
        assert [o.ok for o in green] == [True] and green[0].diff is None
        hits = len(site.hits)
        assert await service.snapshot_run(run(True, SHA_GREEN, installation, 2), config) == []  # has one now
        assert len(site.hits) == hits  # a passing run captured nothing: not one request
        site.version = 2
        [red] = await service.snapshot_run(run(False, SHA_RED, installation, 3), config)
        hits = len(site.hits)
        [again] = await service.snapshot_run(run(False, SHA_RED, installation, 3), config)  # a retried job
        assert len(site.hits) == hits  # not captured twice
        assert (again.snapshot_id, again.diff, again.baseline, again.counts, again.http_status) == (
            red.snapshot_id,
            red.diff,
            red.baseline,
            red.counts,
            red.http_status,
        )
        assert set(again.links) == set(red.links)

    assert red.ok and red.http_status == 200 and red.diff is not None
    pixels = red.diff["pixels"]
    assert pixels["changed_share"] == pytest.approx(BOX[0] * BOX[1] / (400 * pixels["height"]), rel=0.02)
    assert [e["message"] for e in red.diff["new_page_errors"]] == ["v2 exploded at render 42"]
    assert red.baseline is not None and red.baseline["head_sha"] == SHA_GREEN
    assert set(red.links) == {"screenshot", "html", "har", "console"}

    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT * FROM snapshots WHERE installation_id = $1 AND id = $2", installation, red.snapshot_id
        )
        kinds = await conn.fetch(
            "SELECT kind, size_bytes FROM artifacts WHERE installation_id = $1 AND snapshot_id = $2",
            installation,
            red.snapshot_id,
        )
    assert row["status"] == "done" and row["run_passed"] is False
    assert row["baseline_id"] == green[0].snapshot_id
    assert row["diff"]["pixels"]["changed_pixels"] == pixels["changed_pixels"]
    assert {k["kind"] for k in kinds} == {"screenshot", "html", "har", "console"}
    console = json.loads(await service.store.get(f"{installation}/snapshots/{red.snapshot_id}/console.json"))
    assert any(m["level"] == "error" for m in console["console"])

    comment = snapshot_comment_section([red], preview_url="http://127.0.0.1")
    share = f"{pixels['changed_share'] * 100:.2f} %"
    assert share in comment and "v2 exploded at render 42" in comment and red.links["screenshot"] in comment
    assert f"`{SHA_GREEN[:7]}`" in comment
    assert "/api/v2-only" in snapshot_check_summary([red])
    assert check_run_images([red])[0]["image_url"] == red.links["screenshot"]


async def test_a_passing_run_without_baseline_setting_captures_nothing(service: SnapshotService) -> None:
    installation = random.randint(10**9, 2 * 10**9)
    with serve_site() as site:
        outcomes = await service.snapshot_run(
            run(True, SHA_GREEN, installation, 1), config_for(site.url, baseline=False)
        )
        assert outcomes == [] and site.hits == []


async def test_a_preview_on_a_private_address_is_reported_not_visited(service: SnapshotService) -> None:
    installation = random.randint(10**9, 2 * 10**9)
    service.allow_hosts = ()
    [outcome] = await service.snapshot_run(
        run(False, SHA_RED, installation, 1), config_for("http://169.254.169.254/latest")
    )
    assert not outcome.ok and outcome.error is not None and outcome.error.startswith("blocked: link-local")
    assert "169.254" not in json.dumps(outcome.links)


PREVIEW = PreviewURL("https://pr-5.preview.example.com", "template")


@pytest.mark.parametrize(
    ("passed", "preview", "baseline", "missing", "expected"),
    [
        (False, PREVIEW, True, [], ("/", "/login")),  # failed with a preview: every route
        (False, None, True, [], ()),  # no preview known: nothing
        (True, PREVIEW, True, [], ()),  # passed, baselines exist: nothing
        (True, PREVIEW, True, ["/login"], ("/login",)),  # passed: only seed the missing baseline
        (True, PREVIEW, False, ["/login"], ()),  # passed, baseline capture off: nothing
    ],
)
def test_capture_rule(
    passed: bool, preview: PreviewURL | None, baseline: bool, missing: list[str], expected: tuple[str, ...]
) -> None:
    config = SnapshotConfig(routes=("/", "/login"), baseline=baseline)
    assert should_capture(run(passed, SHA_RED, 1, 1), preview, config, routes_without_baseline=missing) == expected


def test_disabled_config_captures_nothing() -> None:
    config = SnapshotConfig(enabled=False)
    assert should_capture(run(False, SHA_RED, 1, 1), PREVIEW, config) == ()


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"routes": ["login"]}, "starting with '/'"),
        ({"routes": "//evil.example.com/"}, "starting with '/'"),
        ({"viewport": {"width": 50}}, "viewport"),
        ({"timeout_seconds": 0}, "timeout_seconds"),
        ({"preview_url": "https://pr-{id}.example.com"}, "unknown placeholder"),
        ({"route": ["/"]}, "unknown key"),
        ({"baseline": "yes"}, "true or false"),
    ],
)
def test_config_errors_name_the_key(section: dict[str, object], message: str) -> None:
    parsed = validate({"snapshot": section})
    assert not parsed.snapshot_valid
    assert any(e.path.startswith("snapshot") and message in str(e) for e in parsed.errors), parsed.errors


def test_config_defaults_and_values() -> None:
    assert validate({}).config.snapshot == SnapshotConfig() and validate({}).snapshot_valid
    assert SnapshotConfig().viewport == Viewport(1280, 800)  # docs/snapshots.md
    parsed = validate({"snapshot": {"routes": ["/", "/a", "/"], "viewport": {"width": 800, "height": 600}}})
    assert parsed.snapshot_valid
    assert parsed.config.snapshot.routes == ("/", "/a") and parsed.config.snapshot.viewport == Viewport(800, 600)


def test_report_escapes_page_text_and_handles_missing_baseline() -> None:
    outcome = RouteOutcome(
        snapshot_id=uuid.uuid4(),
        route="/a|b",
        url="https://x/a",
        ok=True,
        error=None,
        http_status=200,
        links={"screenshot": "https://links/s.png"},
        counts={"console_errors": 2, "failed_requests": 1},
    )
    text = snapshot_comment_section([outcome])
    assert "no green capture to compare with yet" in text and "no green baseline" in text
    assert "`/a\\|b`" in text  # a pipe in page text cannot break the table
    failed = RouteOutcome(
        snapshot_id=uuid.uuid4(),
        route="/",
        url="https://x/",
        ok=False,
        error="net::ERR_CONNECTION_REFUSED `x`",
        http_status=None,
        links={},
        counts={},
        diff={
            "pixels": None,
            "new_console_errors": [{"text": "boom ```\nrm -rf", "url": "https://x/app.js", "line": 3}],
            "new_page_errors": [],
            "new_failed_requests": [],
        },
    )
    text = snapshot_comment_section([failed])
    assert "```" not in text and "`boom ''' rm -rf` at `https://x/app.js:3`" in text
    assert snapshot_comment_section([]) == "" and check_run_images([failed]) == []


async def test_links_are_fetchable_through_the_app(service: SnapshotService, session_deps) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from githubapp.app import create_app

    installation = random.randint(10**9, 2 * 10**9)
    with serve_site() as site:
        [outcome] = await service.snapshot_run(run(False, SHA_RED, installation, 9), config_for(site.url))
    deps = replace(session_deps, services=replace(session_deps.services, artifacts=service.store))
    app = create_app(deps.settings, deps=deps)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client,
    ):
        response = await client.get(outcome.links["screenshot"])
    assert response.status_code == 200 and response.content[:8] == b"\x89PNG\r\n\x1a\n"


async def test_a_browser_failure_is_reported_not_raised(pool: asyncpg.Pool, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async def broken():  # type: ignore[no-untyped-def]
        raise RuntimeError("chromium exited with code 127")

    store = FilesystemStore(tmp_path, LinkSigner(b"x" * 32), "http://testserver/artifacts")
    service = SnapshotService(pool=pool, store=store, browser=broken, allow_hosts=("127.0.0.1",))
    installation = random.randint(10**9, 2 * 10**9)
    [outcome] = await service.capture_run(run(False, SHA_RED, installation, 1), "http://127.0.0.1:9", SnapshotConfig())
    assert not outcome.ok and outcome.error == "capture failed: chromium exited with code 127"
    async with pool.acquire() as conn:
        status = await conn.fetchval(
            "SELECT status FROM snapshots WHERE installation_id = $1 AND id = $2", installation, outcome.snapshot_id
        )
    assert status == "failed"
