"""HTTP fetching for every poller: one shared AsyncClient, polite and bounded.

Concurrency is capped overall and per host; feeds are fetched with
conditional GET so an unchanged feed costs a 304; bodies are streamed and cut
at a size cap; redirects are followed by hand so each hop is counted, checked
for loops and (for article links) checked against private addresses. Every
failure becomes a FetchResult with ``error`` set: a fetch never raises.
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from collections import defaultdict
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

import httpx

from monitor import USER_AGENT
from monitor.config import Polling
from monitor.errors import FetchError, ResponseTooLarge
from monitor.models import FetchResult
from monitor.sources.netguard import check_public

FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
REDIRECTS = (301, 302, 303, 307, 308)
PERMANENT = (301, 308)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, (moment - (now or datetime.now(timezone.utc))).total_seconds())


class Fetcher:
    """Owns the client and the concurrency limits; use as an async context manager."""

    def __init__(self, polling: Polling, mounts: dict | None = None, transport: httpx.AsyncBaseTransport | None = None):
        self.polling = polling
        user_agent = USER_AGENT + (f" {polling.contact}" if polling.contact else "")
        self.client = httpx.AsyncClient(
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate, br"},
            timeout=httpx.Timeout(polling.timeout, connect=min(polling.timeout, 10.0)),
            limits=httpx.Limits(max_connections=polling.max_concurrency,
                                max_keepalive_connections=polling.max_concurrency),
            follow_redirects=False,
            mounts=mounts,
            transport=transport,
        )
        self._slots = asyncio.Semaphore(polling.max_concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(polling.per_host))

    async def __aenter__(self) -> "Fetcher":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.client.aclose()

    async def fetch_feed(self, source: str, url: str, etag: str | None = None,
                         last_modified: str | None = None) -> FetchResult:
        """A feed from our own config: trusted URL, conditional headers."""
        headers = {"Accept": FEED_ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return await self.fetch(source, url, headers, guard=False)

    async def fetch_page(self, source: str, url: str) -> FetchResult:
        """An article link from outside: every hop must be a public address."""
        return await self.fetch(source, url, {"Accept": PAGE_ACCEPT}, guard=not self.polling.allow_private)

    async def fetch(self, source: str, url: str, headers: dict, guard: bool) -> FetchResult:
        started = time.monotonic()
        try:
            # The overall deadline also stops a server that drips bytes forever.
            async with asyncio.timeout(self.polling.timeout * 2):
                result = await self._follow(source, url, headers, guard)
        except TimeoutError:
            result = FetchResult(source, url, error=f"timed out after {self.polling.timeout * 2:.0f}s")
        except FetchError as exc:
            result = FetchResult(source, url, status=exc.status, retry_after=exc.retry_after, error=str(exc))
        except httpx.TimeoutException as exc:
            result = FetchResult(source, url, error=f"timeout ({type(exc).__name__})")
        except httpx.HTTPError as exc:
            result = FetchResult(source, url, error=f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
        return _with_elapsed(result, time.monotonic() - started)

    async def _follow(self, source: str, url: str, headers: dict, guard: bool) -> FetchResult:
        seen = {url}
        current = url
        moved_to = None
        for _hop in range(self.polling.max_redirects + 1):
            if guard:
                await check_public(current)
            status, response_headers, body = await self._get(current, headers)
            if status in REDIRECTS and "location" in response_headers:
                target = urljoin(current, response_headers["location"])
                if target in seen:
                    raise FetchError(f"redirect loop at {target}", status=status)
                if status in PERMANENT and current == url:
                    moved_to = target
                seen.add(target)
                current = target
                continue
            return _result(source, url, current, status, response_headers, body, moved_to)
        raise FetchError(f"more than {self.polling.max_redirects} redirects", status=status)

    async def _get(self, url: str, headers: dict) -> tuple[int, dict, bytes]:
        host = urlsplit(url).hostname or ""
        async with self._slots, self._hosts[host]:
            async with self.client.stream("GET", url, headers=headers) as response:
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > self.polling.max_bytes:
                    raise ResponseTooLarge(
                        f"response of {int(declared):,} bytes exceeds the {self.polling.max_bytes:,}-byte cap",
                        status=response.status_code)
                chunks, size = [], 0
                if response.status_code == 200:
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > self.polling.max_bytes:
                            raise ResponseTooLarge(
                                f"response passed the {self.polling.max_bytes:,}-byte cap", status=200)
                        chunks.append(chunk)
                return response.status_code, dict(response.headers), b"".join(chunks)


def _result(source, url, final_url, status, headers, body, moved_to) -> FetchResult:
    if status == 200 or status == 304:
        return FetchResult(source, url, status=status, body=body, headers=headers,
                           final_url=moved_to,
                           etag=headers.get("etag"), last_modified=headers.get("last-modified"))
    retry_after = parse_retry_after(headers.get("retry-after")) if status in (429, 503) else None
    return FetchResult(source, url, status=status, headers=headers, retry_after=retry_after,
                       final_url=moved_to, error=f"HTTP {status}")


def _with_elapsed(result: FetchResult, elapsed: float) -> FetchResult:
    return replace(result, elapsed=elapsed)
