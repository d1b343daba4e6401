"""Whether GitHub can reach ``PUBLIC_URL``: webhooks and the setup callback are sent to it.

Pure: looks at the URL only (no DNS lookup, no request), so it can run at start-up and on every ``/setup``.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

ADVICE = (
    "Set PUBLIC_URL to an https URL that reaches this server from the internet: its public address, or a tunnel "
    "to it (for example `cloudflared tunnel --url http://127.0.0.1:8000` or `ngrok http 8000`, then "
    "PUBLIC_URL=https://<the tunnel's host>), and restart ci-triage."
)
_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _is_loopback(host: str) -> bool:
    address = _address(host)
    return host in _LOCAL_NAMES or host.endswith(".localhost") or (address is not None and address.is_loopback)


def unreachable_reason(public_url: str) -> str | None:
    """Why GitHub cannot deliver to ``public_url`` (a sentence), or None when nothing speaks against it."""
    parts = urlsplit(public_url)
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme not in ("http", "https") or not host:
        return f"PUBLIC_URL={public_url} is not an http(s) URL"
    if _is_loopback(host):
        return f"PUBLIC_URL={public_url} is a loopback address: only this machine can reach it, GitHub cannot"
    address = _address(host)
    if address is not None and (address.is_private or address.is_link_local or address.is_reserved
                                or address.is_unspecified or address.is_multicast):
        return f"PUBLIC_URL={public_url} is a private address: GitHub, on the internet, cannot reach it"
    if address is None and ("." not in host or host.endswith(_LOCAL_SUFFIXES)):
        return f"PUBLIC_URL={public_url} names a host of the local network: GitHub cannot resolve it"
    if parts.scheme == "http":
        return (f"PUBLIC_URL={public_url} is plain http: webhook payloads and the App's credentials would cross "
                "the internet unencrypted")
    return None


def warning(public_url: str) -> str | None:
    """The full warning (reason and what to do), or None."""
    reason = unreachable_reason(public_url)
    return f"{reason}. {ADVICE}" if reason else None
