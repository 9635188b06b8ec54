"""A real HTTP server on 127.0.0.1 with named misbehaving endpoints.

Tests register responses by path; a handler is either fixed bytes with
headers or a function of the request. Endpoints for the bad cases the
daemon must survive are built in: /slow, /huge, /redirect-loop, /429.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)


Handler = Callable[["BaseHTTPRequestHandler"], Response]


class FeedServer:
    def __init__(self):
        self.routes: dict[str, Response | Handler] = {}
        self.requests: list[tuple[str, dict]] = []
        server = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append((self.path, dict(self.headers)))
                route = server.routes.get(self.path.split("?")[0])
                if route is None:
                    response = Response(404, b"not found")
                elif callable(route):
                    response = route(self)
                    if response is None:
                        return
                else:
                    response = route
                self.send_response(response.status)
                for key, value in response.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                self.wfile.write(response.body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def requests_to(self, path: str) -> list[dict]:
        return [headers for p, headers in self.requests if p.split("?")[0] == path]

    def start(self) -> "FeedServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def never_answers(handler: BaseHTTPRequestHandler) -> None:
    """Accepts the connection, then says nothing for a long time."""
    time.sleep(30)
    return None


def stream_huge(total: int) -> Handler:
    """Streams ``total`` bytes of a valid-looking feed without holding them in memory."""

    def handle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        chunk = b"<!-- " + b"x" * 65_000 + b" -->\n"
        sent = 0
        try:
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(b"<rss><channel>"), b"<rss><channel>"))
            while sent < total:
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            handler.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        return None

    return handle
