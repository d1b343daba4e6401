"""SSRF guard: which URLs and addresses a snapshot may reach.

A preview URL comes from repository config or a deployment event, i.e. from people we do not fully trust, and
the browser runs inside our network. So every host is resolved once, *every* address it resolves to must be a
public unicast address (or the host must be allowlisted), and the connection is then made to one of exactly
those checked addresses (see ``proxy.py``), which defeats DNS rebinding.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]

ALLOWED_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SHARED = ipaddress.ip_network("100.64.0.0/10")
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")


class BlockedURL(ValueError):
    """The URL may not be fetched; ``reason`` says why in words fit for a report."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{reason}: {url}")
        self.url = url
        self.reason = reason


# --- host parsing -------------------------------------------------------------------------------------------


def _ipv4_number(part: str) -> int | None:
    """One dotted part as browsers read it (WHATWG URL): 0x.. hex, 0.. octal, else decimal."""
    if not part:
        return None
    base = 10
    if part[:2].lower() == "0x":
        part, base = part[2:], 16
        if not part:
            return 0
    elif len(part) > 1 and part[0] == "0":
        part, base = part[1:], 8
    try:
        return int(part, base) if all(c.isalnum() for c in part) else None
    except ValueError:
        return None


def parse_ipv4_like_browser(host: str) -> ipaddress.IPv4Address | None:
    """``127.1``, ``2130706433``, ``0x7f.0.0.1``, ``0177.0.0.1`` all mean 127.0.0.1 to a browser.

    Returns None when ``host`` is not an IPv4 spelling at all (a domain name). Raises ValueError for a host
    that ends in a number but is no valid address (browsers refuse those too).
    """
    parts = host.split(".")
    if parts and parts[-1] == "" and len(parts) > 1:
        parts = parts[:-1]
    last = parts[-1]
    if not last or not (last.isdigit() or (last[:2].lower() == "0x" and _ipv4_number(last) is not None)):
        return None
    if len(parts) > 4:
        raise ValueError(f"invalid IPv4 address {host!r}")
    numbers = [_ipv4_number(p) for p in parts]
    if any(n is None for n in numbers):
        raise ValueError(f"invalid IPv4 address {host!r}")
    values = [n for n in numbers if n is not None]
    if any(n > 255 for n in values[:-1]) or values[-1] >= 256 ** (5 - len(values)):
        raise ValueError(f"invalid IPv4 address {host!r}")
    number = values[-1]
    for index, value in enumerate(values[:-1]):
        number += value * 256 ** (3 - index)
    return ipaddress.IPv4Address(number)


@dataclass(frozen=True)
class Target:
    """A checked-syntax URL target: canonical host (IP literal or lower-case domain) and port."""

    scheme: str
    host: str
    port: int
    address: IPAddress | None  # set when the host is an IP literal


def parse_target(url: str) -> Target:
    """Split ``url`` into scheme, host, port; refuse other schemes and credentials in the URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise BlockedURL(url, f"malformed URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise BlockedURL(url, f"only http and https URLs are allowed, not {scheme or 'none'!r}")
    if parts.username is not None or parts.password is not None:
        raise BlockedURL(url, "credentials in the URL are not allowed")
    raw_host = unquote(parts.hostname or "")
    if not raw_host:
        raise BlockedURL(url, "the URL has no host")
    host = raw_host.lower().rstrip(".") or raw_host
    address: IPAddress | None
    if ":" in host:  # urlsplit strips the brackets of an IPv6 literal
        try:
            address = ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            raise BlockedURL(url, f"invalid IPv6 address {host!r}") from None
    else:
        try:
            address = parse_ipv4_like_browser(host)
        except ValueError as exc:
            raise BlockedURL(url, str(exc)) from None
        if address is None:
            try:
                host = host.encode("idna").decode("ascii")
            except UnicodeError:
                raise BlockedURL(url, f"invalid host name {raw_host!r}") from None
            if not all(c.isalnum() or c in "-._" for c in host):
                raise BlockedURL(url, f"invalid host name {raw_host!r}")
    canonical = str(address) if address is not None else host
    return Target(scheme, canonical, port or DEFAULT_PORTS[scheme], address)


# --- the address classifier ---------------------------------------------------------------------------------


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """IPv4 hidden inside IPv6: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d), 6to4, Teredo, NAT64."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0 and int(address) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(address))
    return None


def refusal_reason(address: IPAddress) -> str | None:
    """Why a snapshot may not connect to ``address``, or None for a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            inner = refusal_reason(embedded)
            return f"IPv6 address embedding {embedded} ({inner})" if inner else None
        if address.is_loopback:
            return "loopback address"
        if address.is_unspecified:
            return "unspecified address"
        if address.is_link_local:
            return "link-local address"
        if address in ipaddress.IPv6Network("fc00::/7"):
            return "unique-local address"
        if address.is_site_local:
            return "site-local address"
        if address.is_multicast:
            return "multicast address"
    else:
        if address in _THIS_NETWORK:
            return "unspecified address (0.0.0.0/8)"
        if address.is_loopback:
            return "loopback address"
        if address.is_link_local:
            return "link-local address (169.254.0.0/16, cloud metadata)"
        if address.is_multicast:
            return "multicast address"
        if address in _SHARED:
            return "shared address space (100.64.0.0/10)"
        if address.is_reserved:
            return "reserved address"
        if address.is_private:
            return "private address"
    if address.is_private or address.is_reserved or not address.is_global:
        return "non-public address"
    return None


# --- the guard ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolution:
    host: str
    port: int
    addresses: tuple[IPAddress, ...]
    allowlisted: bool


async def system_resolver(host: str, port: int) -> Sequence[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _allow_entries(
    hosts: Iterable[str],
) -> tuple[frozenset[str], tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]]:
    names: set[str] = set()
    networks = []
    for entry in hosts:
        entry = entry.strip().lower().rstrip(".")
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
        except ValueError:
            names.add(entry)
    return frozenset(names), tuple(networks)


class Guard:
    """Checks URLs and resolves hosts once per guard (one guard per capture)."""

    def __init__(
        self,
        allow_hosts: Iterable[str] = (),
        *,
        resolver: Resolver | None = None,
        resolve_timeout: float = 5.0,
    ) -> None:
        self._names, self._networks = _allow_entries(allow_hosts)
        self._resolver = resolver or system_resolver
        self._timeout = resolve_timeout
        self._cache: dict[tuple[str, int], Resolution | BlockedURL] = {}
        self._locks: dict[tuple[str, int], asyncio.Lock] = {}

    def is_allowlisted(self, host: str, address: IPAddress | None = None) -> bool:
        if host in self._names:
            return True
        return address is not None and any(address in network for network in self._networks)

    async def check_url(self, url: str) -> Resolution:
        """Raise ``BlockedURL`` unless every address ``url``'s host resolves to may be reached."""
        target = parse_target(url)
        return await self.resolve(target.host, target.port, url=url)

    async def resolve(self, host: str, port: int, *, url: str | None = None) -> Resolution:
        """Resolve ``host`` once (cached, also when refused) and check every address."""
        shown = url or f"{host}:{port}"
        if ":" not in host:
            try:
                literal = parse_ipv4_like_browser(host)
            except ValueError as exc:
                raise BlockedURL(shown, str(exc)) from None
            host = str(literal) if literal is not None else host.lower().rstrip(".")
        key = (host, port)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            cached = self._cache.get(key)
            if cached is None:
                cached = await self._resolve_uncached(host, port, shown)
                self._cache[key] = cached
        if isinstance(cached, BlockedURL):
            raise BlockedURL(shown, cached.reason)
        return cached

    async def _resolve_uncached(self, host: str, port: int, shown: str) -> Resolution | BlockedURL:
        try:
            literal: IPAddress | None = ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
        except ValueError:
            literal = None
        if literal is not None:
            addresses: tuple[IPAddress, ...] = (literal,)
        else:
            try:
                async with asyncio.timeout(self._timeout):
                    found = await self._resolver(host, port)
            except (OSError, TimeoutError) as exc:
                return BlockedURL(shown, f"cannot resolve {host} ({type(exc).__name__})")
            addresses = tuple(dict.fromkeys(ipaddress.ip_address(a.split("%", 1)[0]) for a in found))
            if not addresses:
                return BlockedURL(shown, f"{host} resolves to no address")
        if self.is_allowlisted(host) or all(self.is_allowlisted(host, a) for a in addresses):
            return Resolution(host, port, addresses, True)
        for address in addresses:
            reason = refusal_reason(address)
            if reason is not None:
                via = "" if literal is not None else f"{host} resolves to {address}: "
                return BlockedURL(shown, f"{via}{reason}")
        return Resolution(host, port, addresses, False)
