"""Structured JSON logs with delivery/installation/repository context carried in contextvars."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time
from typing import Any

from analysis.regex import compile_linear

_context: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("log_context", default={})  # noqa: B039

# Tokens that must never reach a log line, even inside an exception message.
_SECRET_PATTERNS = compile_linear(
    # ghs_<app id>_<JWT> (stateless installation tokens) carries dots and dashes; bare JWTs are App tokens;
    # cit_ is our own API key.
    r"(gh[pousr]_[A-Za-z0-9_.\-]{16,}|github_pat_[A-Za-z0-9_]{20,}|v1\.[0-9a-f]{40}"
    r"|eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*|cit_[A-Za-z0-9_\-]{16,}"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"
    r"|(?i:(?:token|authorization|password|secret)[\"']?\s*[:=]\s*[\"']?(?:bearer\s+)?)[^\s\"',]{6,})"
)


def redact(text: str) -> str:
    return _SECRET_PATTERNS.sub(lambda m: m.group(0)[:4] + "…[redacted]", text)


class log_context:
    """Add ``fields`` (those not None) to every log line written inside the block.

    A class rather than a ``@contextmanager`` generator: the webhook enters it on every request."""

    __slots__ = ("_fields", "_token")

    def __init__(self, **fields: Any) -> None:
        self._fields = fields

    def __enter__(self) -> None:
        self._token = _context.set({**_context.get(), **{k: v for k, v in self._fields.items() if v is not None}})

    def __exit__(self, *exc_info: object) -> None:
        _context.reset(self._token)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": redact(record.getMessage()),
            **_context.get(),
        }
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            entry.update({k: redact(v) if isinstance(v, str) else v for k, v in extra.items()})
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


def configure_logging(level: str = "info") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access", "botocore", "aiobotocore", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
