"""Group commit for the webhook: concurrent requests share one INSERT and one Redis round trip.

Each webhook request hands its delivery to the process's ``DeliveryWriter`` and waits. The writer takes
whatever has arrived, stores it with one multi-row ``INSERT ... ON CONFLICT DO NOTHING``
(``storage.deliveries.record_many``: one round trip, one commit, one WAL flush) and enqueues the new ones in
one Redis pipeline, then answers every waiting request.
Nothing waits on purpose: a lone request is written at once; under load, requests that arrive while a batch
is being written form the next batch, so the per-delivery cost falls as the load rises.

Up to ``MAX_IN_FLIGHT`` batches are written at once, each on a connection of its own. With a single writer
every request that arrived during a commit waited for that commit's fsync and then its own (two disk flushes
of latency), and the process sat idle during each flush; with several, the next batch is inserted while the
previous one is being flushed, and PostgreSQL folds commits that arrive during a flush into the next one.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import asyncpg

from storage import deliveries

from ..deps import Deps
from .queueing import enqueue_many

log = logging.getLogger("ci_triage.webhooks")

MAX_BATCH = 100
MAX_IN_FLIGHT = 3  # batches written at once, each on a pool connection of its own
ENQUEUE_TIMEOUT_SECONDS = 1.0

@dataclass(frozen=True)
class Written:
    is_new: bool  # False: this X-GitHub-Delivery was stored before (a redelivery)
    enqueued: bool  # False: Redis did not take the job in time (the sweeper will)


@dataclass
class _Waiting:
    delivery: deliveries.IncomingDelivery
    status: str
    future: asyncio.Future[Written]


class _Held:
    """The connection one drain task writes on, taken when its first batch needs it."""

    conn: asyncpg.pool.PoolConnectionProxy | None = None


class DeliveryWriter:
    def __init__(self, deps: Deps, *, max_batch: int = MAX_BATCH, max_in_flight: int = MAX_IN_FLIGHT) -> None:
        self.deps = deps
        self.max_batch = max_batch
        self.max_in_flight = max_in_flight
        self._waiting: list[_Waiting] = []
        self._drains: set[asyncio.Task[None]] = set()
        # Connections are kept between batches while a burst lasts (one once it is over, returned by ``close``):
        # a pool round trip resets the connection on every release, a round trip per batch.
        self._idle: list[asyncpg.pool.PoolConnectionProxy] = []

    async def close(self) -> None:
        if self._drains:
            await asyncio.gather(*self._drains, return_exceptions=True)
        while self._idle:
            await self.deps.pool.release(self._idle.pop())

    async def _record_many(self, held: _Held, batch: list[_Waiting]) -> set[str]:
        if held.conn is None:
            held.conn = self._idle.pop() if self._idle else await self.deps.pool.acquire()
        try:
            return await deliveries.record_many(held.conn, [(w.delivery, w.status) for w in batch])
        except (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError):
            conn, held.conn = held.conn, None
            await self.deps.pool.release(conn)  # a broken connection is closed, not reused
            raise

    async def write(self, delivery: deliveries.IncomingDelivery, *, status: str) -> Written:
        """Store (and, if ``status`` is pending and the delivery is new, enqueue) one delivery."""
        future: asyncio.Future[Written] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Waiting(delivery, status, future))
        if len(self._drains) < self.max_in_flight:
            task = asyncio.create_task(self._drain(), name="delivery-writer")
            self._drains.add(task)
            task.add_done_callback(self._drains.discard)  # also when cancelled before it started
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        me = asyncio.current_task()
        held = _Held()
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[: self.max_batch], self._waiting[self.max_batch :]
                try:
                    await self._write_batch(held, batch)
                except Exception as exc:  # every waiting request gets the error (answered 503, GitHub retries)
                    for item in batch:
                        if not item.future.done():
                            item.future.set_exception(exc)
        finally:
            # Before any await: a request arriving from now on must find room to start a drain of its own.
            self._drains.discard(me)  # type: ignore[arg-type]
            if held.conn is not None:
                self._idle.append(held.conn)
            if not self._drains:  # the burst is over: keep one connection, give the others back to the pool
                while len(self._idle) > 1:
                    await self.deps.pool.release(self._idle.pop())

    async def _insert(self, held: _Held, batch: list[_Waiting]) -> set[str]:
        """Ids newly stored. A batch the database refuses (a NUL character in one payload) is stored row by
        row so one odd delivery does not fail the others."""
        try:
            return await self._record_many(held, batch)
        except (asyncpg.UntranslatableCharacterError, asyncpg.InvalidTextRepresentationError):
            stored: set[str] = set()
            for item in batch:
                try:
                    if await deliveries.record(self.deps.pool, item.delivery, status=item.status):
                        stored.add(item.delivery.id)
                except Exception as exc:
                    item.future.set_exception(exc)
            return stored

    async def _write_batch(self, held: _Held, batch: list[_Waiting]) -> None:
        new_ids = await self._insert(held, batch)
        seen: set[str] = set()
        fresh: list[_Waiting] = []
        for item in batch:
            if item.future.done():
                continue
            is_new = item.delivery.id in new_ids and item.delivery.id not in seen
            seen.add(item.delivery.id)
            if is_new and item.status == "pending":
                fresh.append(item)
            else:
                item.future.set_result(Written(is_new=is_new, enqueued=False))
        if not fresh:
            return
        enqueued = True
        try:
            async with asyncio.timeout(ENQUEUE_TIMEOUT_SECONDS):
                await enqueue_many(self.deps.queue, "handle_delivery", [item.delivery.id for item in fresh])
        except Exception as exc:  # Redis down or slow: the rows are stored, the sweeper enqueues them later
            enqueued = False
            log.warning(
                "%d deliveries stored but not enqueued (%s); the sweeper will pick them up",
                len(fresh),
                type(exc).__name__,
            )
        for item in fresh:
            item.future.set_result(Written(is_new=True, enqueued=enqueued))


def writer_of(deps: Deps) -> DeliveryWriter:
    writer = deps.services.delivery_writer
    if writer is None:
        writer = deps.services.delivery_writer = DeliveryWriter(deps)
        deps.services.closers.append(writer.close)
    return writer
