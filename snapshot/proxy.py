"""A loopback forward proxy that every browser request of a capture goes through.

Chromium sends host names to an HTTP proxy without resolving them, so this proxy is the only place where
names are resolved: once per host (``Guard``), every address checked, and the connection made to one of the
checked addresses. Redirects, subresources, WebSockets and anything ``page.route`` does not see (service
workers, redirect hops, preconnects) all pass here. A refused host never gets a socket opened to it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hmac
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .guard import BlockedURL, Guard, IPAddress

MAX_HEAD_BYTES = 64 * 1024
CONNECT_TIMEOUT_S = 10.0
_HOP_HEADERS = {b"proxy-authorization", b"proxy-connection", b"connection", b"keep-alive"}


@dataclass(frozen=True)
class Blocked:
    url: str
    reason: str


@dataclass(frozen=True)
class Connection:
    host: str
    address: str
    port: int


@dataclass
class ProxyLog:
    blocked: list[Blocked] = field(default_factory=list)
    connections: list[Connection] = field(default_factory=list)  # every outgoing socket, for audits and tests


class GuardedProxy:
    """``async with GuardedProxy(guard) as proxy:`` then give the browser ``proxy.playwright_proxy``."""

    def __init__(self, guard: Guard, *, host: str = "127.0.0.1") -> None:
        self.guard = guard
        self.log = ProxyLog()
        self._host = host
        self._user = "snapshot"
        self._password = secrets.token_urlsafe(24)  # only our browser context may use this proxy
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        assert self._server is not None, "proxy not started"
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    @property
    def playwright_proxy(self) -> dict[str, str]:
        return {
            "server": f"http://{self._host}:{self.port}",
            "username": self._user,
            "password": self._password,
        }

    async def __aenter__(self) -> GuardedProxy:
        self._server = await asyncio.start_server(self._serve, self._host, 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
            self._server = None

    def _authorized(self, headers: list[tuple[bytes, bytes]]) -> bool:
        expected = base64.b64encode(f"{self._user}:{self._password}".encode()).decode()
        for name, value in headers:
            if name.lower() == b"proxy-authorization":
                scheme, _, token = value.decode("latin-1").partition(" ")
                if scheme.lower() == "basic" and hmac.compare_digest(token.strip(), expected):
                    return True
        return False

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._handle(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:  # one request per loop; a 407 challenge keeps the connection for the authorized retry
            head = await reader.readuntil(b"\r\n\r\n")
            if len(head) > MAX_HEAD_BYTES:
                return await _reply(writer, 431, "request head too large")
            request_line, *header_lines = head[:-4].split(b"\r\n")
            try:
                method, target, version = request_line.decode("latin-1").split(" ")
            except ValueError:
                return await _reply(writer, 400, "bad request line")
            headers = [(n.strip(), v.strip()) for n, _, v in (h.partition(b":") for h in header_lines)]
            if not self._authorized(headers):
                await _reply(
                    writer,
                    407,
                    "proxy authentication required",
                    keep_alive=True,
                    extra=b'Proxy-Authenticate: Basic realm="snapshot"\r\n',
                )
                continue
            if method == "CONNECT":
                return await self._tunnel(target, reader, writer)
            return await self._forward(method, target, version, headers, reader, writer)

    async def _open(self, url: str, host: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        try:
            resolution = await self.guard.resolve(host.strip("[]"), port, url=url)
        except BlockedURL as exc:
            self.log.blocked.append(Blocked(url, exc.reason))
            raise
        last: OSError | None = None
        for address in resolution.addresses:  # only ever the addresses that were checked
            self.log.connections.append(Connection(resolution.host, str(address), port))
            try:
                return await asyncio.wait_for(asyncio.open_connection(str(address), port), CONNECT_TIMEOUT_S)
            except (OSError, TimeoutError) as exc:
                last = exc if isinstance(exc, OSError) else OSError(str(exc))
        raise last or OSError(f"cannot connect to {host}")

    async def _tunnel(self, target: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host, _, port_text = target.rpartition(":")
        if not host or not port_text.isdigit():
            return await _reply(writer, 400, "bad CONNECT target")
        try:
            up_reader, up_writer = await self._open(f"https://{target}/", host, int(port_text))
        except BlockedURL as exc:
            return await _reply(writer, 403, f"blocked by snapshot guard: {exc.reason}")
        except OSError:
            return await _reply(writer, 502, "upstream connection failed")
        writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        await writer.drain()
        await _pipe_both(reader, writer, up_reader, up_writer)

    async def _forward(
        self,
        method: str,
        target: str,
        version: str,
        headers: list[tuple[bytes, bytes]],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        parts = urlsplit(target)
        if parts.scheme != "http" or not parts.hostname:
            return await _reply(writer, 400, "only absolute http:// targets are proxied")
        host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        try:
            up_reader, up_writer = await self._open(target, parts.hostname, parts.port or 80)
        except BlockedURL as exc:
            return await _reply(writer, 403, f"blocked by snapshot guard: {exc.reason}")
        except OSError:
            return await _reply(writer, 502, "upstream connection failed")
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        lines = [f"{method} {path} {version}".encode("latin-1")]
        lines += [n + b": " + v for n, v in headers if n.lower() not in _HOP_HEADERS]
        if not any(n.lower() == b"host" for n, _ in headers):
            lines.append(f"Host: {host}".encode())
        lines.append(b"Connection: close")  # one request per upstream connection; EOF ends the response
        up_writer.write(b"\r\n".join(lines) + b"\r\n\r\n")
        await up_writer.drain()
        upload = asyncio.create_task(_pipe(reader, up_writer, close=False))
        try:
            response_head = await up_reader.readuntil(b"\r\n\r\n")
            status_line, *response_lines = response_head[:-4].split(b"\r\n")
            kept = [h for h in response_lines if h.partition(b":")[0].strip().lower() not in _HOP_HEADERS]
            writer.write(
                b"\r\n".join([status_line, *kept, b"Connection: close", b"Proxy-Connection: close"]) + b"\r\n\r\n"
            )
            await _pipe(up_reader, writer, close=False)
        finally:
            upload.cancel()
            up_writer.close()


async def _reply(
    writer: asyncio.StreamWriter, status: int, text: str, *, keep_alive: bool = False, extra: bytes = b""
) -> None:
    reasons = {
        400: "Bad Request",
        403: "Forbidden",
        407: "Proxy Authentication Required",
        431: "Request Header Fields Too Large",
        502: "Bad Gateway",
    }
    body = (text + "\n").encode()
    writer.write(
        f"HTTP/1.1 {status} {reasons.get(status, 'Error')}\r\n".encode()
        + b"Content-Type: text/plain; charset=utf-8\r\nX-Snapshot-Guard: "
        + text.encode("ascii", "replace")[:200]
        + b"\r\n"
        + extra
        + f"Content-Length: {len(body)}\r\n".encode()
        + (b"" if keep_alive else b"Connection: close\r\n")
        + b"\r\n"
        + body
    )
    await writer.drain()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, close: bool = True) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        if close:
            writer.close()


async def _pipe_both(
    a_reader: asyncio.StreamReader,
    a_writer: asyncio.StreamWriter,
    b_reader: asyncio.StreamReader,
    b_writer: asyncio.StreamWriter,
) -> None:
    first = asyncio.create_task(_pipe(a_reader, b_writer))
    second = asyncio.create_task(_pipe(b_reader, a_writer))
    try:
        await asyncio.wait({first, second}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (first, second):
            task.cancel()
        await asyncio.gather(first, second, return_exceptions=True)
        b_writer.close()


__all__ = ["Blocked", "Connection", "GuardedProxy", "IPAddress", "ProxyLog"]
