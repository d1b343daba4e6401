"""The ``ci-triage`` command. Each subcommand lives in a small module; this file only wires them."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Sequence

from ..settings import Settings, SettingsError

Handler = Callable[[argparse.Namespace, Settings], int]


def _settings() -> Settings:
    try:
        return Settings.from_env(os.environ)
    except SettingsError as exc:
        raise SystemExit(f"ci-triage: configuration error: {exc}") from None


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from ..observability.logs import configure_logging
    from ..processes import run

    configure_logging(settings.log_level)
    web, worker = {"serve": (True, True), "web": (True, False), "worker": (False, True)}[args.command]
    asyncio.run(run(settings, web=web, worker=worker, on_ready=lambda msg: print(msg, flush=True)))
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from storage import db

    from ..runtime import backing_services

    async def go() -> list[str]:
        async with backing_services(settings) as resolved:
            assert resolved.database_url is not None
            return await db.migrate(resolved.database_url, log=print)

    applied = asyncio.run(go())
    print(f"{len(applied)} migration(s) applied" if applied else "database is up to date")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ci-triage",
        description="Triage failed GitHub Actions runs: what broke, seen before, flaky, tests to run, fixes.",
        epilog="Configuration comes from environment variables; see .env.example and the README.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, text in (
        ("serve", "run the web app and a worker in one process (the one command for a small org)"),
        ("web", "run only the web app (webhooks, API, dashboard) for scale-out"),
        ("worker", "run only a job worker for scale-out"),
    ):
        p = sub.add_parser(name, help=text, description=text)
        p.set_defaults(handler=cmd_serve)
    p = sub.add_parser("migrate", help="apply database migrations", description="apply pending migrations")
    p.set_defaults(handler=cmd_migrate)
    for register in _extensions():
        register(sub)
    return parser


def _extensions() -> Sequence[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]]:
    """Subcommands contributed by feature modules (each exposes ``register(subparsers)``)."""
    from . import analyze, apikeys, deliveries, history

    return [deliveries.register, apikeys.register, analyze.register, history.register]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args, _settings())
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from storage.db import DatabaseError

        from ..backing import BackingServiceError

        if isinstance(exc, DatabaseError | BackingServiceError):
            print(f"ci-triage: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
