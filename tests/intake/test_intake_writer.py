"""The delivery writer's group commit with several batches in flight (githubapp/intake/writer.py)."""

from __future__ import annotations

import asyncio
import random
import uuid

from githubapp.intake.writer import DeliveryWriter
from storage import deliveries

from .conftest import MakeDeps


def incoming(delivery_id: str) -> deliveries.IncomingDelivery:
    return deliveries.IncomingDelivery(delivery_id, "workflow_job", "queued", 90, "o/r", '{"n": 1}')


async def test_a_blocked_batch_does_not_hold_up_the_next(make_deps: MakeDeps) -> None:
    """A batch waiting on a row lock (another replica is inserting the same delivery) leaves room for the
    next batch: later deliveries are stored and answered meanwhile, and the blocked one ends as a duplicate."""
    deps = await make_deps()
    writer = DeliveryWriter(deps, max_in_flight=2)
    blocked = str(uuid.uuid4())
    other = await deps.pool.acquire()
    try:
        transaction = other.transaction()
        await transaction.start()
        await other.execute("INSERT INTO deliveries (id, event, payload) VALUES ($1, 'workflow_job', '{}')", blocked)
        stuck = asyncio.create_task(writer.write(incoming(blocked), status="pending"))
        await asyncio.sleep(0.3)
        assert not stuck.done()  # waiting for the other transaction's row lock
        later = [str(uuid.uuid4()) for _ in range(5)]
        async with asyncio.timeout(10):
            written = await asyncio.gather(*(writer.write(incoming(i), status="pending") for i in later))
        assert all(w.is_new and w.enqueued for w in written)
        assert not stuck.done()
        await transaction.commit()
        async with asyncio.timeout(10):
            assert (await stuck).is_new is False  # the other replica stored it first
    finally:
        await deps.pool.release(other)
        await writer.close()
    assert await deps.queue.zcard(deps.settings.queue_name) == 5


async def test_waves_of_writes_all_answered_once(make_deps: MakeDeps) -> None:
    """Requests arriving while batches start and finish (drains ending just as others arrive) are all
    answered; each id stored and enqueued once, however the batches fell."""
    deps = await make_deps()
    writer = DeliveryWriter(deps, max_in_flight=3, max_batch=7)
    rng = random.Random(22)
    ids = [str(uuid.uuid4()) for _ in range(150)]

    async def send(delivery_id: str) -> bool:
        await asyncio.sleep(rng.random() * 0.2)
        return (await writer.write(incoming(delivery_id), status="pending")).is_new

    try:
        async with asyncio.timeout(60):
            results = await asyncio.gather(*(send(i) for i in ids + ids[:20]))
        await asyncio.sleep(0.1)  # the last drain gives its extra connections back after answering
        assert len(writer._idle) == 1  # the burst is over: one connection kept, the others back in the pool
    finally:
        await writer.close()
    assert not writer._idle
    assert sum(results) == 150
    assert await deps.pool.fetchval("SELECT count(*) FROM deliveries WHERE id = ANY($1::text[])", ids) == 150
    assert await deps.queue.zcard(deps.settings.queue_name) == 150
