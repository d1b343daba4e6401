"""Untrusted logs are analysed in child processes with CPU-time, memory and wall-clock limits.

A regular expression or a parser holds the GIL while it runs, so a thread does not keep the event loop free:
under ``serve`` the webhook intake would stall for as long as one hostile log takes. Each call of
``run_isolated`` runs its function in a fresh child forked from a forkserver that has the analysis modules
loaded (a fork costs milliseconds; nothing one log leaves behind reaches the next). The child sets its own
``RLIMIT_CPU`` and ``RLIMIT_AS`` and lowers its priority before it starts; the parent waits in a thread of a
small dedicated pool (its size is how many logs are analysed at once), kills the child past the wall-clock
limit and turns a child that died (CPU limit, memory, a crash) into ``AnalysisFailed`` with a reason a
report can show.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
import os
import pickle
import resource
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, ParamSpec, TypeVar

log = logging.getLogger("ci_triage.analysis_pool")

P = ParamSpec("P")
T = TypeVar("T")

# Loaded once in the forkserver, so a child starts with them (the pipeline's, the fix rules' and
# ingestion's entry points and everything they import).
PRELOAD = ("analysis.engine", "analysis.fixes.rules", "githubapp.pipeline.logwork", "githubapp.web.api.ingest")


@dataclass(frozen=True)
class Limits:
    """Per log. The CPU limit is what a 64 MiB log needs several times over (~3 s at 25 MB/s, fix rules
    included); memory is the child's address space (a 64 MiB log needs ~0.5 GiB at most)."""

    cpu_seconds: int = 120
    memory_bytes: int = 2 << 30
    wall_seconds: float = 600.0
    concurrency: int = 1  # children at once in this process: the machine's cores also serve webhooks
    nice: int = 10  # the child yields the CPU to the event loop that answers webhooks and /health

    @classmethod
    def of(cls, settings: Any) -> Limits:
        """From ``Settings`` (ANALYSIS_CPU_SECONDS, ANALYSIS_MEMORY_MB)."""
        return cls(cpu_seconds=settings.analysis_cpu_seconds, memory_bytes=settings.analysis_memory_mb << 20)


class AnalysisFailed(Exception):
    """The child did not return a result: the log is reported as not analysable."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_executors: dict[int, ThreadPoolExecutor] = {}
_lock = threading.Lock()
_context: Any = None


def _mp_context() -> Any:
    global _context
    with _lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(list(PRELOAD))
            _context = context
        return _context


def _executor(concurrency: int) -> ThreadPoolExecutor:
    with _lock:
        if concurrency not in _executors:
            _executors[concurrency] = ThreadPoolExecutor(concurrency, thread_name_prefix="analysis-pool")
        return _executors[concurrency]


async def run_isolated(func: Callable[P, T], /, *args: Any, limits: Limits = Limits(), **kwargs: Any) -> T:
    """``func(*args, **kwargs)`` in a limited child process; its arguments and result are pickled, so pass
    paths rather than large contents. What ``func`` raises is raised here; ``AnalysisFailed`` when the child
    exceeds a limit or dies."""
    loop = asyncio.get_running_loop()
    call = functools.partial(_run_child, func, args, kwargs, limits)
    return await loop.run_in_executor(_executor(limits.concurrency), call)


def _run_child(func: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any], limits: Limits) -> T:
    context = _mp_context()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child_main, args=(sender, func, args, kwargs, limits), name="ci-triage-analysis", daemon=True
    )
    child.start()
    sender.close()
    try:
        if not receiver.poll(limits.wall_seconds):
            raise AnalysisFailed(f"the analysis took longer than {limits.wall_seconds:.0f} s and was stopped")
        try:
            status, value = receiver.recv()
        except EOFError:
            child.join(5)
            raise AnalysisFailed(_death(child.exitcode, limits)) from None
        except Exception as exc:  # a result or an exception that does not unpickle
            raise AnalysisFailed(f"the analysis result could not be read: {type(exc).__name__}") from exc
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    if status == "raise":
        raise value
    if status == "error":
        raise AnalysisFailed(str(value))
    result: T = value
    return result


def _death(exitcode: int | None, limits: Limits) -> str:
    if exitcode in (-signal.SIGXCPU, -signal.SIGKILL):
        return f"the analysis used more than its {limits.cpu_seconds} s of CPU time and was stopped"
    if exitcode is not None and exitcode < 0:
        return f"the analysis crashed ({signal.Signals(-exitcode).name})"
    return f"the analysis ended without a result (exit status {exitcode})"


def _child_main(
    sender: Connection, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], limits: Limits
) -> None:
    os.nice(limits.nice)
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    try:
        outcome: tuple[str, Any] = ("ok", func(*args, **kwargs))
    except MemoryError:
        outcome = ("error", f"the analysis needed more than its {limits.memory_bytes >> 20} MiB of memory")
    except Exception as exc:  # raised again in the parent, as if the function had run there
        try:
            pickle.dumps(exc)
            outcome = ("raise", exc)
        except Exception:
            log.exception("analysis failed in child %s", os.getpid())
            outcome = ("error", f"the analysis failed: {type(exc).__name__}: {str(exc)[:300]}")
    try:
        sender.send(outcome)
    except MemoryError:
        sender.send(("error", "the analysis result did not fit in the memory limit"))
    finally:
        sender.close()
