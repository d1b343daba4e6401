"""A small local web front end on loopback with two versions, for capture and diff tests (and the benchmark).

Version 1 draws a red 100x50 box at the top left; version 2 draws it blue, so the known changed area is
100 * 50 pixels. Both versions log a console error, request a missing resource (404) and an unreachable one
(connection refused); version 2 also throws an uncaught error and fails one more fetch.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from storage.embedded_pg import free_port

BOX = (100, 50)


def page(version: int, dead_port: int) -> bytes:
    color = "rgb(255, 0, 0)" if version == 1 else "rgb(0, 0, 255)"
    extra = ""
    if version == 2:
        extra = (
            "fetch('/api/v2-only').catch(() => {});\n"
            "setTimeout(() => { throw new Error('v2 exploded at render 42'); }, 0);\n"
        )
    return f"""<!doctype html>
<html><head><title>preview v{version}</title>
<style>html,body{{margin:0;padding:0;background:#fff}}
#box{{width:{BOX[0]}px;height:{BOX[1]}px;background:{color}}}</style>
</head><body><div id="box"></div><main id="app"></main>
<script>
console.log('booting version {version}');
console.warn('deprecated api used');
console.error('Failed to load config: 500 from /config.json?t=' + Date.now());
fetch('/api/missing').then(r => r.status);
fetch('http://127.0.0.1:{dead_port}/unreachable').catch(() => {{}});
{extra}setTimeout(() => {{ document.getElementById('app').textContent = 'ready'; }}, 50);
</script></body></html>""".encode()


@dataclass
class Site:
    version: int = 1
    port: int = 0
    hits: list[str] = field(default_factory=list)
    dead_port: int = field(default_factory=free_port)  # nothing listens there: "connection refused"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _handler(site: Site) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.hits.append(self.path)
            if self.path.startswith("/metadata-redirect"):
                self._send(302, b"", location="http://169.254.169.254/latest/meta-data/iam/")
            elif self.path.startswith("/private-image"):
                body = b'<html><body><img src="http://10.0.0.1/secret.png"><p>img</p></body></html>'
                self._send(200, body)
            elif self.path.split("?")[0] in ("/", "/index.html", "/about"):
                self._send(200, page(site.version, site.dead_port))
            elif self.path == "/slow-dialog":
                self._send(200, b"<html><body><script>alert('hi'); document.title='after'</script></body></html>")
            else:
                self._send(404, b"not found")

        def _send(self, status: int, body: bytes, location: str | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Set-Cookie", "session=site-secret-cookie; Path=/")
            if location:
                self.send_header("Location", location)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def serve_site(version: int = 1) -> Iterator[Site]:
    site = Site(version=version)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    site.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
