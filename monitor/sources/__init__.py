"""Pollers: fetch a source, parse what came back into items.

``PARSERS`` maps a source kind to its parser; every parser has the signature
``parse(body, headers, source, url) -> ParseResult`` and never raises on
content. ``parse`` is the picklable entry point the worker processes run.
"""
from __future__ import annotations

from monitor.models import ParseResult
from monitor.sources.feeds import parse_feed, parse_google_news
from monitor.sources.listing import parse_listing

PARSERS = {
    "rss": parse_feed,
    "atom": parse_feed,
    "google_news": parse_google_news,
    "html": parse_listing,
}


def parse(kind: str, body: bytes, headers: dict, source: str, url: str) -> ParseResult:
    try:
        return PARSERS[kind](body, headers, source, url)
    except Exception as exc:  # a parser bug must cost one source, not the cycle
        return ParseResult(errors=[f"parser failed: {type(exc).__name__}: {exc}"])
