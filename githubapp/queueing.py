"""Enqueueing arq jobs in one Redis round trip (the webhook's hot path).

arq's ``enqueue_job`` makes four round trips per job (WATCH, EXISTS, MULTI/EXEC). This Lua script does the
same atomically in one (skip when the job id is queued or has a kept result, else store the job and add it
to the queue), and a pipeline sends it for many jobs at once. Jobs are serialized with arq's own
``serialize_job`` and keys, so any arq worker runs them.
"""

from __future__ import annotations

import time
import weakref

from arq.connections import ArqRedis
from arq.constants import job_key_prefix, result_key_prefix
from arq.jobs import serialize_job
from redis.commands.core import AsyncScript

_ENQUEUE_UNIQUE = """
if redis.call('EXISTS', KEYS[1], KEYS[2]) > 0 then return 0 end
redis.call('PSETEX', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
return 1
"""
_scripts: weakref.WeakKeyDictionary[ArqRedis, AsyncScript] = weakref.WeakKeyDictionary()


def _script(queue: ArqRedis) -> AsyncScript:
    script = _scripts.get(queue)
    if script is None:
        script = _scripts[queue] = queue.register_script(_ENQUEUE_UNIQUE)
    return script


async def enqueue_many(queue: ArqRedis, function: str, job_ids: list[str]) -> list[bool]:
    """Enqueue ``function(job_id)`` as job ``job_id`` for each id, unless that id is queued or finished
    recently (as ``queue.enqueue_job(function, job_id, _job_id=job_id)``); all in one round trip."""
    now_ms = int(time.time() * 1000)
    script = _script(queue)
    pipe = queue.pipeline(transaction=False)
    for job_id in job_ids:
        job = serialize_job(function, (job_id,), {}, None, now_ms, serializer=queue.job_serializer)
        await script(
            keys=[job_key_prefix + job_id, result_key_prefix + job_id, queue.default_queue_name],
            args=[job, queue.expires_extra_ms, now_ms, job_id],
            client=pipe,
        )
    return [bool(added) for added in await pipe.execute()]
