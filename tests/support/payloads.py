"""Webhook payload examples (octokit/webhooks, vendored in tests/data/github, see its README) and webhook signing."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .services import GITHUB_DATA

WEBHOOKS = GITHUB_DATA / "webhooks"
EXAMPLES = WEBHOOKS / "api.github.com"
EXTRA = WEBHOOKS / "extra"


def _payload_file(event: str, name: str) -> Path:
    for candidate in (EXAMPLES / event / name, EXAMPLES / event / f"{name}.payload.json",
                      EXTRA / name, EXTRA / f"{event}.{name}.json", EXTRA / f"{event}.{name}"):
        if candidate.is_file():
            return candidate
    known = sorted(p.name.removesuffix(".payload.json") for p in (EXAMPLES / event).glob("*.json"))
    known += sorted(p.name.removeprefix(f"{event}.").removesuffix(".json") for p in EXTRA.glob(f"{event}.*"))
    raise FileNotFoundError(f"no {event} payload example {name!r}; known: {', '.join(known) or 'none'}")


def load_payload(event: str, name: str) -> dict[str, Any]:
    """A fresh copy of an example, e.g. `load_payload("workflow_run", "completed")` or, from extra/,
    `load_payload("workflow_run", "completed.failure.DERIVED-from-octokit-completed.with-pull-requests")`."""
    data: dict[str, Any] = json.loads(_payload_file(event, name).read_text())
    return data


def all_payloads() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every example as (event, name, payload), octokit's then extra/'s."""
    for event_dir in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
        for file in sorted(event_dir.glob("*.json")):
            yield event_dir.name, file.name.removesuffix(".payload.json"), json.loads(file.read_text())
    for file in sorted(EXTRA.glob("*.json")):
        event, _, name = file.name.removesuffix(".json").partition(".")
        yield event, name, json.loads(file.read_text())


def sign(body: bytes, secret: str) -> str:
    """The `X-Hub-Signature-256` header GitHub sends for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
