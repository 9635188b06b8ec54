"""A small, fast HTTP/1.1 server for the polling benchmark: 2,000 feeds from memory.

Runs in its own process so that serving never competes with the measured
client for the event loop. It is a bare asyncio protocol (keep-alive, ETag,
Last-Modified, 304, precompressed gzip) because the standard library's
threading server cannot keep 64 requests in flight cheaply.

    python bench/feedserver.py --feeds 2000 --items 20
    # prints "port N" when ready; GET /_advance switches to the second state
    # (5% of feeds changed), /_reset back to the first; /_stats counts answers.
"""
from __future__ import annotations

import argparse
import asyncio
import gzip
import hashlib
import json
import sys
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import feed_document  # noqa: E402

EPOCH = datetime(2025, 12, 21, 12, 0, tzinfo=timezone.utc)


class Feeds:
    """Every feed's bytes in both states, built once at start."""

    def __init__(self, count: int, items: int, changed_every: int):
        self.count, self.changed_every = count, changed_every
        self.state = 0
        self.stats = {"200": 0, "304": 0, "404": 0}
        self.docs: list[list[tuple[bytes, bytes, str, str]]] = [[], []]
        for number in range(count):
            first = self._entry(feed_document(number, items, 0), 0)
            self.docs[0].append(first)
            changed = number % changed_every == 0
            self.docs[1].append(self._entry(feed_document(number, items, 2), 1) if changed else first)

    @staticmethod
    def _entry(body: bytes, state: int) -> tuple[bytes, bytes, str, str]:
        etag = '"%s"' % hashlib.blake2b(body, digest_size=10).hexdigest()
        modified = format_datetime(EPOCH + timedelta(minutes=10 * state), usegmt=True)
        return body, gzip.compress(body, compresslevel=6, mtime=0), etag, modified

    def response(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if path in ("/_advance", "/_reset"):
            self.state = 1 if path == "/_advance" else 0
            self.stats = {"200": 0, "304": 0, "404": 0}
            return 200, {"Content-Type": "text/plain"}, f"state {self.state}\n".encode()
        if path == "/_stats":
            return 200, {"Content-Type": "application/json"}, json.dumps(self.stats).encode()
        try:
            number = int(path.removeprefix("/feeds/").removesuffix(".rss"))
            body, gz, etag, modified = self.docs[self.state][number]
        except (ValueError, IndexError):
            self.stats["404"] += 1
            return 404, {"Content-Type": "text/plain"}, b"not found\n"
        out = {"ETag": etag, "Last-Modified": modified, "Content-Type": "application/rss+xml; charset=utf-8",
               "Vary": "Accept-Encoding"}
        if _not_modified(headers, etag, modified):
            self.stats["304"] += 1
            return 304, out, b""
        self.stats["200"] += 1
        if "gzip" in headers.get("accept-encoding", ""):
            out["Content-Encoding"] = "gzip"
            return 200, out, gz
        return 200, out, body


def _not_modified(headers: dict[str, str], etag: str, modified: str) -> bool:
    if "if-none-match" in headers:
        return etag in {t.strip().removeprefix("W/") for t in headers["if-none-match"].split(",")}
    if "if-modified-since" in headers:
        try:
            return parsedate_to_datetime(headers["if-modified-since"]) >= parsedate_to_datetime(modified)
        except (TypeError, ValueError):
            return False
    return False


REASONS = {200: "OK", 304: "Not Modified", 404: "Not Found", 400: "Bad Request"}


class Connection(asyncio.Protocol):
    def __init__(self, feeds: Feeds):
        self.feeds, self.buffer = feeds, b""

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            try:
                method, target, version = lines[0].split(" ", 2)
            except ValueError:
                self._reply(400, {}, b"", close=True)
                return
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0") or 0)
            self.buffer = self.buffer[length:]  # request bodies are ignored
            status, out, body = self.feeds.response(target.split("?", 1)[0], headers)
            close = headers.get("connection", "").lower() == "close" or version == "HTTP/1.0"
            self._reply(status, out, b"" if method == "HEAD" else body, close, len(body))
            if close:
                return

    def _reply(self, status: int, headers: dict, body: bytes, close: bool, length: int | None = None) -> None:
        lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'OK')}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        lines.append(f"Content-Length: {0 if status == 304 else (length if length is not None else len(body))}")
        if close:
            lines.append("Connection: close")
        self.transport.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        if close:
            self.transport.close()


async def serve(feeds: Feeds, port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Connection(feeds), "127.0.0.1", port, backlog=1024)
    print(f"port {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve benchmark feeds on 127.0.0.1.")
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--changed-every", type=int, default=20, help="1 feed in N changes in state 1 (20 = 5%%)")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    feeds = Feeds(args.feeds, args.items, args.changed_every)
    try:
        asyncio.run(serve(feeds, args.port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
