"""``ci-triage apikey create|list|revoke``: API keys for other CI systems (operator commands)."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from storage import api_keys, db

from ..settings import Settings

T = TypeVar("T")


def _with_db(settings: Settings, work: Callable[[db.Pool], Awaitable[T]]) -> T:
    from ..runtime import backing_services

    async def go() -> T:
        async with backing_services(settings) as resolved:
            assert resolved.database_url is not None
            await db.migrate(resolved.database_url)
            pool = await db.create_pool(resolved.database_url, max_size=2)
            try:
                return await work(pool)
            finally:
                await pool.close()

    return asyncio.run(go())


def cmd_create(args: argparse.Namespace, settings: Settings) -> int:
    scopes = tuple(args.scope or api_keys.DEFAULT_SCOPES)
    new = _with_db(settings, lambda pool: api_keys.create_key(pool, args.installation, args.name, scopes))
    print(
        f"created API key {new.key.id} ({new.key.prefix}…) for installation {new.key.installation_id}, "
        f"scopes {' '.join(new.key.scopes)}"
    )
    print(new.secret)
    print("Store it now: it is not shown again. Send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'.")
    return 0


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    keys = _with_db(settings, lambda pool: api_keys.list_keys(pool, args.installation))
    print(
        f"{'id':>6}  {'installation':>12}  {'prefix':<14}  {'created':<20}  {'last used':<20}  {'state':<8}  "
        f"{'scopes':<36}  name"
    )
    for key in keys:

        def when(value: object) -> str:
            return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"  # type: ignore[attr-defined]

        state = "revoked" if key.revoked_at else "active"
        print(
            f"{key.id:>6}  {key.installation_id:>12}  {key.prefix + '…':<14}  {when(key.created_at):<20}  "
            f"{when(key.last_used_at):<20}  {state:<8}  {','.join(key.scopes):<36}  {key.name}"
        )
    return 0


def cmd_revoke(args: argparse.Namespace, settings: Settings) -> int:
    key = _with_db(settings, lambda pool: api_keys.revoke_key(pool, args.id, args.installation))
    if key is None:
        print(
            f"ci-triage: no API key {args.id}" + (f" in installation {args.installation}" if args.installation else "")
        )
        return 1
    print(f"revoked API key {key.id} ({key.prefix}…) of installation {key.installation_id}")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "apikey",
        help="manage API keys for other CI systems",
        description="create, list and revoke API keys (only their sha256 is stored)",
    )
    commands = parser.add_subparsers(dest="apikey_command", metavar="ACTION", required=True)
    create = commands.add_parser("create", help="create a key and print it once")
    create.add_argument("--installation", type=int, required=True, help="GitHub installation id the key acts for")
    create.add_argument("--name", default="default", help="what the key is for (e.g. jenkins)")
    create.add_argument(
        "--scope",
        action="append",
        choices=api_keys.SCOPES,
        help="what the key may do; repeat for several (default: read and ingest). fixes:write lets the key "
        "approve fixes, i.e. push to pull request branches",
    )
    create.set_defaults(handler=cmd_create)
    listing = commands.add_parser("list", help="list keys (prefixes only)")
    listing.add_argument("--installation", type=int, help="only this installation's keys")
    listing.set_defaults(handler=cmd_list)
    revoke = commands.add_parser("revoke", help="revoke a key by id")
    revoke.add_argument("id", type=int)
    revoke.add_argument("--installation", type=int, help="refuse unless the key belongs to this installation")
    revoke.set_defaults(handler=cmd_revoke)
