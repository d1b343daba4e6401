"""Webhook signature check: HMAC-SHA256 of the raw body (``X-Hub-Signature-256``), never the legacy sha1."""

from __future__ import annotations

import hmac
from collections.abc import Sequence

PREFIX = "sha256="


def sign(body: bytes, secret: str) -> str:
    """The ``X-Hub-Signature-256`` value GitHub sends for ``body``."""
    # hmac.digest: OpenSSL's one-shot HMAC, without building an HMAC object per request.
    return PREFIX + hmac.digest(secret.encode(), body, "sha256").hex()


def signature_valid(body: bytes, header: str | None, secrets: Sequence[str]) -> bool:
    """True when ``header`` is ``sha256=<hex>`` for ``body`` under any of ``secrets`` (rotation).

    Every secret is compared in constant time, and all of them are tried, so timing does not reveal which
    secret (if any) almost matched.
    """
    if not header or not header.startswith(PREFIX) or not secrets:
        return False
    given = header.encode("ascii", "replace")
    matched = False
    for secret in secrets:
        matched |= hmac.compare_digest(sign(body, secret).encode(), given)
    return matched
