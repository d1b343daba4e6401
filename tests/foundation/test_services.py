"""The real services the suite stands on: PostgreSQL + pgvector, Redis through arq, S3, Chromium."""

import asyncio
import http.server
import threading

import asyncpg
import httpx
import numpy as np
import pytest

from githubapp.deps import Deps
from githubapp.worker.arq_worker import build_worker
from storage import db


async def test_pgvector_roundtrip_and_cosine_search(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await conn.execute("CREATE TEMP TABLE v (id int, e vector(3))")
        await conn.executemany(
            "INSERT INTO v VALUES ($1, $2)", [(1, np.array([1, 0, 0])), (2, np.array([0, 1, 0]))]
        )
        nearest = await conn.fetchval("SELECT id FROM v ORDER BY e <=> $1 LIMIT 1", np.array([0.9, 0.1, 0]))
        back = await conn.fetchval("SELECT e FROM v WHERE id = 2")
    assert nearest == 1
    assert back.to_list() == [0, 1, 0]


async def test_migrations_are_recorded_and_idempotent(database_url: str, pool: asyncpg.Pool) -> None:
    assert await db.migrate(database_url) == []  # already applied at session start
    async with pool.acquire() as conn:
        assert await db.pending_migrations(conn) == []
        versions = [r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations ORDER BY 1")]
    assert versions == [m.version for m in db.load_migrations()]


async def test_concurrent_migrations_apply_once(pg_server) -> None:  # type: ignore[no-untyped-def]
    name = "concurrent_" + __import__("uuid").uuid4().hex[:8]
    await db.create_database(pg_server.url(), name)
    url = pg_server.url(name)
    results = await asyncio.gather(*(db.migrate(url) for _ in range(4)))
    applied = [names for names in results if names]
    assert len(applied) == 1 and applied[0] == [m.name for m in db.load_migrations()]


async def test_database_without_pgvector_gets_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    async def no_vector(conn: asyncpg.Connection) -> None:
        raise db.DatabaseError(db.PGVECTOR_MISSING)

    # The system PostgreSQL 15 on this machine kind lacks pgvector; use it when present, else simulate.
    try:
        conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres", timeout=2)
        await conn.close()
        url = "postgresql://postgres@127.0.0.1:5432/postgres"
        has_vector = False
        conn = await asyncpg.connect(url)
        has_vector = bool(await conn.fetchval("SELECT count(*) FROM pg_available_extensions WHERE name='vector'"))
        await conn.close()
        if has_vector:
            pytest.skip("this server has pgvector")
    except (OSError, asyncpg.PostgresError):
        pytest.skip("no pgvector-less PostgreSQL on 127.0.0.1:5432 to test against")
    with pytest.raises(db.DatabaseError, match="pgvector") as info:
        await db.migrate(url)
    assert "DATABASE_URL unset" in str(info.value)


async def test_job_round_trip_through_redis_and_worker(session_deps: Deps) -> None:
    job = await session_deps.queue.enqueue_job("heartbeat", _queue_name=session_deps.settings.queue_name)
    assert job is not None
    worker = build_worker(session_deps, burst=True)
    await worker.main()
    assert await job.result(timeout=5) == "ok"


async def test_s3_server_checks_signatures(s3_server) -> None:  # type: ignore[no-untyped-def]
    from aiobotocore.session import get_session

    session = get_session()
    async with session.create_client(
        "s3", endpoint_url=s3_server.endpoint, region_name="us-east-1",
        aws_access_key_id=s3_server.access_key, aws_secret_access_key=s3_server.secret_key,
    ) as s3:
        await s3.create_bucket(Bucket="foundation")
        await s3.put_object(Bucket="foundation", Key="k.txt", Body=b"hello")
        url = await s3.generate_presigned_url("get_object", Params={"Bucket": "foundation", "Key": "k.txt"})
    async with httpx.AsyncClient() as client:
        assert (await client.get(url)).content == b"hello"
        tampered = url.replace("Signature=", "Signature=0")
        assert (await client.get(tampered)).status_code == 403


async def test_chromium_renders_a_loopback_page(browser) -> None:  # type: ignore[no-untyped-def]
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<html><title>ok</title><body><h1 id=h>hello from loopback</h1></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = await browser.new_page()
        await page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
        assert await page.text_content("#h") == "hello from loopback"
        assert (await page.screenshot())[:8] == b"\x89PNG\r\n\x1a\n"
        await page.close()
    finally:
        server.shutdown()
