"""An HTML listing page (a portal or a section without RSS) -> items.

A link counts as an article when it stays on the page's site, its text reads
like a headline, and its path looks like an article (a long slug, an id or an
.html page), not like navigation.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup

from monitor.models import Item, ParseResult
from monitor.normalize import canonical_url, normalize

_ARTICLE_PATH = re.compile(r"(\.s?html?$|\d{5,}|[a-z0-9]+(?:-[a-z0-9]+){3,})", re.I)
MIN_TITLE = 20


def parse_listing(body: bytes, headers: dict, source: str, url: str) -> ParseResult:
    soup = BeautifulSoup(body, "html.parser")
    site = _site(url)
    result = ParseResult(title=normalize(soup.title.get_text()) if soup.title else None)
    seen: set[str] = set()
    for anchor in soup.find_all("a", href=True):
        link = canonical_url(urljoin(url, anchor["href"]))
        title = normalize(anchor.get_text(" ")) or normalize(anchor.get("title", ""))
        if not link or link in seen or len(title) < MIN_TITLE:
            continue
        parts = urlsplit(link)
        if _site(link) != site or not _ARTICLE_PATH.search(parts.path.rstrip("/")):
            continue
        seen.add(link)
        result.items.append(Item(source=source, guid=link, url=link, title=title, outlet=site))
    if not result.items:
        result.errors.append("no article links found on the listing page (layout changed?)")
    return result


def _site(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")
