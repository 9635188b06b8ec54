"""RSS, Atom and Google News documents -> items. Never raises on content.

feedparser reads the bytes we fetched (it never fetches). Its HTML sanitiser
and relative-URI resolution are switched off: titles and summaries become
plain text through beautifulsoup4 anyway, and skipping that work halves the
parse time.
"""
from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import feedparser

from monitor.models import Item, ParseResult
from monitor.normalize import canonical_url, content_hash, html_to_text, parse_date, struct_to_utc

feedparser.SANITIZE_HTML = False
feedparser.RESOLVE_RELATIVE_URIS = False


def parse_feed(body: bytes, headers: dict, source: str, url: str) -> ParseResult:
    return _to_result(_read(body, headers), body, source)


def _read(body: bytes, headers: dict):
    return feedparser.parse(io.BytesIO(body), response_headers=_content_headers(headers, body))


def _to_result(parsed, body: bytes, source: str) -> ParseResult:
    result = ParseResult(title=html_to_text(parsed.feed.get("title")) or None)
    if not parsed.entries and not parsed.get("version"):
        # Nothing feedparser recognises as RSS/Atom: an empty body, an error page, a moved site.
        looks_html = body.lstrip()[:200].lower().startswith((b"<!doctype html", b"<html"))
        result.errors.append("not a feed: the server answered with an HTML page (moved or dead feed?)"
                             if looks_html else "not a feed: empty or unrecognised document")
        return result
    if parsed.bozo:
        problem = f"{type(parsed.bozo_exception).__name__}: {parsed.bozo_exception}"
        if not parsed.entries:
            result.errors.append(f"malformed feed, no entries read ({problem})")
            return result
        result.errors.append(f"malformed feed, {len(parsed.entries)} entries read anyway ({problem})")
    for entry in parsed.entries:
        item = entry_to_item(entry, source)
        if item is None:
            result.errors.append("entry without title, link or id skipped")
        else:
            result.items.append(item)
    return result


def entry_to_item(entry, source: str) -> Item | None:
    title = html_to_text(entry.get("title"))
    link = canonical_url(entry.get("link"))
    summary = html_to_text(entry.get("summary") or _first_content(entry))
    if not (title or link or summary):
        return None
    # dict.get skips feedparser's deprecated published/updated aliasing.
    raw_date = dict.get(entry, "published") or dict.get(entry, "updated")
    parsed_date = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
    published = struct_to_utc(parsed_date, raw_date) if parsed_date else parse_date(raw_date)
    guid = (entry.get("id") or "").strip() or link or "hash:" + content_hash(title, summary)
    return Item(
        source=source,
        guid=guid,
        url=link,
        title=title or summary[:120],
        summary=summary if summary != title else "",
        author=html_to_text(entry.get("author")) or None,
        outlet=_host(link),
        published_at=published,
    )


def parse_google_news(body: bytes, headers: dict, source: str, url: str) -> ParseResult:
    """Google News titles end in " - Outlet"; the outlet is kept apart."""
    parsed = _read(body, headers)
    result = _to_result(parsed, body, source)
    outlets = {e.get("id") or e.get("link"): (e.get("source") or {}).get("title") for e in parsed.entries}
    for item in result.items:
        outlet = outlets.get(item.guid) or outlets.get(item.url)
        if outlet and item.title.endswith(" - " + outlet):
            item.title = item.title[: -len(outlet) - 3].rstrip()
        if outlet:
            item.outlet = outlet
        if item.summary.startswith(item.title):
            item.summary = ""
    return result


def _first_content(entry) -> str:
    content = entry.get("content") or []
    return content[0].get("value", "") if content else ""


def _host(url: str | None) -> str | None:
    host = urlsplit(url).hostname if url else None
    return host.removeprefix("www.") if host else None


_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)", re.I)


def _content_headers(headers: dict, body: bytes) -> dict:
    """Only what feedparser needs to pick the encoding and base URL.

    When the document declares its own encoding, a charset in the HTTP header
    is dropped: servers often send a wrong default ("ISO-8859-1") for feeds
    that are really UTF-8 or windows-1258, while the declaration is written
    by whoever produced the bytes.
    """
    wanted = ("content-type", "content-location", "content-language")
    kept = {k.lower(): v for k, v in headers.items() if k.lower() in wanted}
    if "content-type" in kept and _XML_ENCODING.match(body[:200]):
        # Without a charset, text/xml means US-ASCII (RFC 3023); application/xml defers to the document.
        kept["content-type"] = "application/xml"
    return kept
