"""Container health check (Dockerfile ``HEALTHCHECK``, the worker's Kubernetes liveness probe):
``python -m githubapp.worker.healthcheck``.

``serve`` and ``web`` must answer ``GET /health`` on their port. ``serve`` and ``worker`` must also have a
fresh heartbeat (``githubapp.worker.heartbeat``: the worker's event loop still turns). ``migrate`` and other one-shot
commands pass while PID 1 runs (Docker only runs the check in a running container).
"""

from __future__ import annotations

import argparse
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from ..settings import Settings, SettingsError
from .heartbeat import heartbeat_path, staleness

HTTP_COMMANDS = frozenset({"serve", "web"})
WORKER_COMMANDS = frozenset({"serve", "worker"})


def command_of(cmdline: Sequence[str]) -> str | None:
    """The ``ci-triage`` subcommand in a process's argv (``tini -- ci-triage web`` gives ``web``)."""
    for index, arg in enumerate(cmdline):
        if Path(arg).name == "ci-triage" or arg == "githubapp":
            rest = [a for a in cmdline[index + 1 :] if not a.startswith("-")]
            return rest[0] if rest else None
    return None


def _pid1_cmdline() -> list[str]:
    try:
        raw = Path("/proc/1/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def check(url: str, *, timeout: float = 3.0) -> str | None:
    """None when ``url`` answers 200, else why not."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback URL we build
            return None if response.status == 200 else f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except OSError as exc:
        return str(exc)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m githubapp.worker.healthcheck", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--command", choices=sorted(HTTP_COMMANDS | WORKER_COMMANDS), help="what to check (default: PID 1's command)"
    )
    args = parser.parse_args(argv)
    command = args.command or command_of(_pid1_cmdline())
    if command is not None and command not in HTTP_COMMANDS | WORKER_COMMANDS:
        return 0
    try:
        settings = Settings.from_env(os.environ)
    except SettingsError as exc:
        print(f"unhealthy: configuration error: {exc}", file=sys.stderr)
        return 1
    if command is None or command in HTTP_COMMANDS:
        problem = check(f"http://127.0.0.1:{settings.port}/health")
        if problem is not None:
            print(f"unhealthy: GET /health: {problem}", file=sys.stderr)
            return 1
    if command in WORKER_COMMANDS:
        problem = staleness(heartbeat_path(settings.data_dir))
        if problem is not None:
            print(f"unhealthy: {problem}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
