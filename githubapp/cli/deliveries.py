"""``ci-triage deliveries [--failed]`` lists stored webhook deliveries; ``... retry ID`` re-runs one.

The rest of the CLI lives in ``cli/main.py``; this module only registers its subcommand.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from ..settings import Settings


def _print_table(rows: list[Any]) -> None:
    if not rows:
        print("no deliveries")
        return
    print(f"{'ID':<38} {'EVENT':<28} {'STATUS':<8} {'TRIES':>5} {'RECEIVED (UTC)':<19}  ERROR")
    for d in rows:
        event = f"{d.event}.{d.action}" if d.action else d.event
        error = (d.last_error or "").splitlines()[0][:80] if d.last_error else ""
        print(
            f"{d.id:<38} {event[:28]:<28} {d.status:<8} {d.attempts:>5} "
            f"{d.received_at.strftime('%Y-%m-%d %H:%M:%S'):<19}  {error}"
        )


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from storage import deliveries

    from ..intake.delivery_jobs import retry_delivery
    from ..runtime import backing_services, open_deps

    async with backing_services(settings) as resolved, open_deps(resolved) as deps:
        if args.action == "retry":
            delivery = await retry_delivery(deps, args.id)
            if delivery is None:
                print(f"ci-triage: no delivery {args.id} to retry (unknown id, or an ignored event)")
                return 1
            print(
                f"delivery {delivery.id} ({delivery.event}) queued again; previous error: {delivery.last_error or '-'}"
            )
            return 0
        _print_table(await deliveries.listing(deps.pool, failed_only=args.failed, limit=args.limit))
        return 0


def cmd_deliveries(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(_run(args, settings))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    text = "list stored webhook deliveries (newest first), or re-run one"
    parser = sub.add_parser("deliveries", help=text, description=text)
    parser.add_argument("--failed", action="store_true", help="only deliveries that failed for good")
    parser.add_argument("--limit", type=int, default=50, help="how many to list (default 50)")
    parser.set_defaults(handler=cmd_deliveries, action="list")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    retry = actions.add_parser("retry", help="run one delivery again", description="run one delivery again")
    retry.add_argument("id", help="the delivery id (X-GitHub-Delivery)")
