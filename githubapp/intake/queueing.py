"""Enqueueing arq jobs in one Redis round trip (the webhook's hot path).

arq's ``enqueue_job`` makes four round trips per job (WATCH, EXISTS, MULTI/EXEC). This Lua script does the
same for a whole batch in one command (per job: skip when its id is queued or has a kept result, else store
the job and add it to the queue), atomically. Jobs are serialized with arq's own ``serialize_job`` and keys,
so any arq worker runs them.
"""

from __future__ import annotations

import time

from arq.connections import ArqRedis
from arq.constants import job_key_prefix, result_key_prefix
from arq.jobs import serialize_job

# KEYS: the queue, then (job key, result key) per job. ARGV: expiry ms, score, then (job, job id) per job.
# Returns 1 per job enqueued, 0 per job skipped because its id is queued or has a kept result.
_ENQUEUE_MANY = """
local added = {}
for i = 2, #KEYS, 2 do
    local n = i / 2
    if redis.call('EXISTS', KEYS[i], KEYS[i + 1]) > 0 then
        added[n] = 0
    else
        redis.call('PSETEX', KEYS[i], ARGV[1], ARGV[2 * n + 1])
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[2 * n + 2])
        added[n] = 1
    end
end
return added
"""


async def enqueue_many(queue: ArqRedis, function: str, job_ids: list[str]) -> list[bool]:
    """Enqueue ``function(job_id)`` as job ``job_id`` for each id, unless that id is queued or finished
    recently (as ``queue.enqueue_job(function, job_id, _job_id=job_id)``); one command, one round trip."""
    if not job_ids:
        return []
    now_ms = int(time.time() * 1000)
    keys: list[str] = [queue.default_queue_name]
    args: list[str | bytes] = [str(queue.expires_extra_ms), str(now_ms)]
    for job_id in job_ids:
        keys += [job_key_prefix + job_id, result_key_prefix + job_id]
        args += [serialize_job(function, (job_id,), {}, None, now_ms, serializer=queue.job_serializer), job_id]
    added = await queue.eval(_ENQUEUE_MANY, len(keys), *keys, *args)  # type: ignore[arg-type, misc]
    return [bool(flag) for flag in added]
