"""Pure HAR post-processing: strip credentials the site set, then fit the file under a byte cap."""

from __future__ import annotations

import json
from typing import Any

SECRET_HEADERS = {"authorization", "proxy-authorization", "cookie", "set-cookie"}
REDACTED = "[redacted by ci-triage]"


def _scrub_headers(headers: list[dict[str, Any]]) -> None:
    for header in headers:
        if str(header.get("name", "")).lower() in SECRET_HEADERS:
            header["value"] = REDACTED


def sanitize(har: dict[str, Any]) -> dict[str, Any]:
    """Redact auth and cookie headers and cookie lists in place; returns ``har`` for chaining."""
    for entry in har.get("log", {}).get("entries", []):
        for side in ("request", "response"):
            part = entry.get(side) or {}
            _scrub_headers(part.get("headers") or [])
            if part.get("cookies"):
                part["cookies"] = [{"name": c.get("name", ""), "value": REDACTED} for c in part["cookies"]]
    return har


def _dump(har: dict[str, Any]) -> bytes:
    return json.dumps(har, separators=(",", ":"), ensure_ascii=False).encode()


def fit(raw: bytes, max_bytes: int) -> tuple[bytes, str | None]:
    """Sanitized HAR no larger than ``max_bytes``: drop response bodies first, then trailing entries.

    Returns the bytes and a note saying what was dropped (None when nothing was).
    """
    har: dict[str, Any] = sanitize(json.loads(raw))
    data = _dump(har)
    if len(data) <= max_bytes:
        return data, None
    entries: list[dict[str, Any]] = har.get("log", {}).get("entries", [])
    for entry in entries:
        content = (entry.get("response") or {}).get("content") or {}
        if "text" in content:
            content.pop("text")
            content["comment"] = "body dropped to fit the HAR size cap"
        post = (entry.get("request") or {}).get("postData")
        if post and "text" in post:
            post["text"] = ""
    data = _dump(har)
    if len(data) <= max_bytes:
        return data, f"HAR over {max_bytes} bytes: response bodies dropped"
    total = len(entries)
    low, high = 0, total  # binary search for the most entries that fit
    while low < high:
        mid = (low + high + 1) // 2
        har["log"]["entries"] = entries[:mid]
        if len(_dump(har)) <= max_bytes:
            low = mid
        else:
            high = mid - 1
    har["log"]["entries"] = entries[:low]
    har["log"]["comment"] = f"truncated: {total - low} of {total} entries dropped to fit {max_bytes} bytes"
    return _dump(har), f"HAR over {max_bytes} bytes: bodies and {total - low} of {total} entries dropped"
