"""The guarded proxy at the socket level: CONNECT tunnels, refusals before any upstream socket, auth."""

import asyncio
import base64

from snapshot.guard import Guard
from snapshot.proxy import GuardedProxy
from tests.support.preview_site import serve_site


def _auth(proxy: GuardedProxy) -> bytes:
    creds = f"{proxy.playwright_proxy['username']}:{proxy.playwright_proxy['password']}".encode()
    return b"Proxy-Authorization: Basic " + base64.b64encode(creds) + b"\r\n"


async def _exchange(port: int, data: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    writer.close()
    return head


async def test_connect_tunnel_reaches_an_allowed_host() -> None:
    with serve_site() as site:
        async with GuardedProxy(Guard(["127.0.0.1"])) as proxy:
            reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
            writer.write(f"CONNECT 127.0.0.1:{site.port} HTTP/1.1\r\n".encode() + _auth(proxy) + b"\r\n")
            await writer.drain()
            assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 200")
            writer.write(b"GET /about HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")  # through the tunnel
            await writer.drain()
            response = await asyncio.wait_for(reader.read(), 5)
            writer.close()
    assert response.startswith(b"HTTP/1.0 200") and b"preview v1" in response
    assert site.hits == ["/about"]


async def test_connect_to_metadata_is_refused_without_an_upstream_socket() -> None:
    async with GuardedProxy(Guard(["127.0.0.1"])) as proxy:
        for target in (b"169.254.169.254:443", b"[::ffff:169.254.169.254]:80", b"2852039166:80", b"10.0.0.1:22"):
            head = await _exchange(proxy.port, b"CONNECT " + target + b" HTTP/1.1\r\n" + _auth(proxy) + b"\r\n")
            assert head.startswith(b"HTTP/1.1 403"), (target, head)
        head = await _exchange(proxy.port, b"GET http://127.1:9/ HTTP/1.1\r\nHost: 127.1\r\n" + _auth(proxy) + b"\r\n")
        assert head.startswith(b"HTTP/1.1 502")  # allowed (127.0.0.1 spelled short), nothing listens
        assert [c.address for c in proxy.log.connections] == ["127.0.0.1"]
        assert {b.reason.split(" (")[0] for b in proxy.log.blocked} >= {"link-local address", "private address"}


async def test_requests_without_the_capture_password_get_407() -> None:
    async with GuardedProxy(Guard(["127.0.0.1"])) as proxy:
        wrong = b"Proxy-Authorization: Basic " + base64.b64encode(b"snapshot:guess") + b"\r\n"
        for auth in (b"", wrong):
            head = await _exchange(proxy.port, b"CONNECT 127.0.0.1:80 HTTP/1.1\r\n" + auth + b"\r\n")
            assert head.startswith(b"HTTP/1.1 407") and b'Proxy-Authenticate: Basic realm="snapshot"' in head
        assert proxy.log.connections == []


async def test_malformed_requests_are_answered_400() -> None:
    async with GuardedProxy(Guard()) as proxy:
        assert (await _exchange(proxy.port, b"NONSENSE\r\n" + _auth(proxy) + b"\r\n")).startswith(b"HTTP/1.1 400")
        assert (await _exchange(proxy.port, b"GET /relative HTTP/1.1\r\n" + _auth(proxy) + b"\r\n")).startswith(
            b"HTTP/1.1 400"
        )
        assert (await _exchange(proxy.port, b"CONNECT nohostport HTTP/1.1\r\n" + _auth(proxy) + b"\r\n")).startswith(
            b"HTTP/1.1 400"
        )
