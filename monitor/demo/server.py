"""A local HTTP server with the outlets' real feeds and article pages, for the offline demo.

It serves, on 127.0.0.1 only:

* ``/feeds/<slug>.rss`` (``.atom`` for Atom feeds): the recorded VnExpress
  files as they were saved, and for the other outlets an RSS 2.0 or Atom
  document built from their real items (``catalog.FEEDS``);
* ``/article/<host>/<path>``: an article page for every item, with the real
  title, date and text; ``mounts()`` sends the real outlet URLs here.

The server has a clock: ``advance()`` (or a request to ``/_advance``)
releases more items and the next recorded VnExpress snapshot, so successive
poll cycles see news appear. Later demo stages add feeds of their own with
``add_feed()``: served, cached and answered the same way, released by their
own clock. Feeds answer conditional GET (ETag, Last-Modified, 304) and gzip.

``python -m monitor.demo.server`` runs it alone for a hand-run `monitor poll`,
which has no ``mounts()``: there the feed items link to this server's own
article pages instead of the outlets' hosts.
"""
from __future__ import annotations

import gzip
import hashlib
import html
import math
import re
import threading
import argparse
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

import feedparser
import httpx

from monitor.demo.catalog import FEEDS, SAMPLES, FeedSpec, SampleItem, load_items
from monitor.normalize import html_to_text, struct_to_utc

VIETNAM = timezone(timedelta(hours=7))
FEED_TYPES = {"rss": "application/rss+xml; charset=utf-8", "atom": "application/atom+xml; charset=utf-8"}


@dataclass
class Article:
    """What an article page shows; every field is real text from the samples."""

    url: str
    title: str
    outlet: str
    published: datetime | None = None
    summary: str = ""
    paragraphs: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    section: str = ""


Link = Callable[[str], str]   # an article's real URL -> the link a feed item carries


class Feed:
    """One feed and the documents it serves as the clock advances."""

    def __init__(self, spec: FeedSpec, link: Link, documents: list[bytes] | None = None,
                 items: list[SampleItem] | None = None, start: float = 0.6, step: float = 0.1, window: int = 50):
        self.spec, self.link, self.documents, self.items = spec, link, documents or [], items or []
        self.start, self.step, self.window = start, step, window
        self._cache: dict[int, tuple[bytes, str]] = {}
        self._lock = threading.Lock()

    def version(self, cycle: int) -> int:
        """What the feed shows at ``cycle``: a recorded snapshot, or how many items are out."""
        if self.documents:
            return min(cycle, len(self.documents) - 1)
        total = len(self.items)
        return max(1, min(total, math.ceil(total * (self.start + self.step * cycle))))

    def modified(self, cycle: int, epoch: datetime) -> datetime:
        """Last-Modified: a minute after ``epoch`` per cycle, at the first cycle that showed what ``cycle`` shows."""
        version = self.version(cycle)
        return epoch + timedelta(minutes=next(c for c in range(cycle + 1) if self.version(c) == version))

    def released(self, cycle: int) -> list[SampleItem]:
        return self.items[: self.version(cycle)] if self.items else []

    def body(self, cycle: int) -> tuple[bytes, str]:
        """(document, ETag) at ``cycle``."""
        version = self.version(cycle)
        with self._lock:
            if version not in self._cache:
                if self.documents:
                    data = _relink(self.documents[version], self.link)
                else:
                    newest = list(reversed(self.released(cycle)))[: self.window]
                    visible = [replace(item, url=self.link(item.url)) for item in newest]
                    data = (render_atom if self.spec.format == "atom" else render_rss)(self.spec, visible)
                self._cache[version] = (data, '"%s"' % hashlib.sha1(data).hexdigest()[:20])
            return self._cache[version]


class TimedFeed(Feed):
    """A feed whose items appear once ``clock()`` reaches their ``published`` time, whatever the cycle."""

    def __init__(self, spec: FeedSpec, link: Link, items: list[SampleItem], clock: Callable[[], datetime]):
        super().__init__(spec, link, items=sorted(items, key=lambda item: item.published))
        self.clock = clock

    def version(self, cycle: int) -> int:
        now = self.clock()
        return sum(1 for item in self.items if item.published <= now)

    def modified(self, cycle: int, epoch: datetime) -> datetime:
        released = self.released(cycle)
        return released[-1].published if released else epoch


class DemoServer:
    """The demo's stand-in for the outlets' web servers; run as a context manager.

    Example::

        with DemoServer() as server:
            config = parse_config(server.config_text())
            ...  # poll with Fetcher(config.polling, mounts=server.mounts())
            server.advance()  # new items appear

    With ``local_links`` the feeds link to this server's article pages, so a
    poller that cannot use ``mounts()`` still reaches them.
    """

    def __init__(self, samples: Path = SAMPLES, host: str = "127.0.0.1", port: int = 0,
                 start: float = 0.6, step: float = 0.1, window: int = 50, local_links: bool = False):
        self.samples, self.host, self.port, self.local_links = samples, host, port, local_links
        self.cycle = 0
        self.requests: list[tuple[str, int]] = []  # (path, status): what the demo can show
        self.feeds: dict[str, Feed] = {}
        self.articles: dict[str, Article] = {}
        self.epoch = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=1)
        items = load_items(samples)
        for spec in FEEDS:
            if spec.recorded:
                documents = [(samples / "feeds" / name).read_bytes() for name in spec.recorded]
                self.feeds[spec.slug] = Feed(spec, self.link, documents=documents)
                for document in documents:
                    self._add_recorded_articles(spec, document)
            else:
                feed_items = items.get(spec.slug, [])
                self.feeds[spec.slug] = Feed(spec, self.link, items=feed_items, start=start, step=step,
                                             window=window)
                for item in feed_items:
                    self._add_article(spec, item)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------
    def start(self) -> "DemoServer":
        handler = type("Handler", (_Handler,), {"demo": self})
        self._httpd = ThreadingHTTPServer((self.host, self.port), handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="demo-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "DemoServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def advance(self, cycles: int = 1) -> None:
        """Move the clock: feeds release their next items, VnExpress its next recorded snapshot."""
        self.cycle += cycles

    # --- what the demo configures ------------------------------------------
    def feed_url(self, slug: str) -> str:
        return self.base_url + self.feeds[slug].spec.path

    def add_feed(self, spec: FeedSpec, items: list[SampleItem], clock: Callable[[], datetime]) -> str:
        """Serve one more feed, with article pages for its items; each item appears once ``clock()``
        reaches its ``published`` time. Returns the feed's URL."""
        if spec.slug in self.feeds:
            raise ValueError(f"feed {spec.slug!r} is already served")
        for item in items:
            self._add_article(spec, item)
        self.feeds[spec.slug] = TimedFeed(spec, self.link, items, clock)
        return self.feed_url(spec.slug)

    def link(self, url: str) -> str:
        """What a feed item links to: the outlet's URL, or with ``local_links`` this server's copy of the page."""
        key = _key(url)
        return f"{self.base_url}/article/{key}" if self.local_links and key in self.articles else url

    @property
    def hosts(self) -> list[str]:
        """The outlet hosts whose article URLs this server answers for."""
        return sorted({key.split("/", 1)[0] for key in self.articles})

    def mounts(self, sync: bool = False) -> dict:
        """For ``httpx.AsyncClient(mounts=...)``: the outlets' hosts go to this server."""
        inner = httpx.HTTPTransport() if sync else httpx.AsyncHTTPTransport()
        transport = (_SyncToLocal if sync else _ToLocal)(self.base_url, inner)
        return {f"all://{host}": transport for host in self.hosts}

    def config_text(self, office: str = "Văn phòng Sở Giáo dục và Đào tạo (demo)", province_code: int = 25) -> str:
        """A feeds.toml whose sources are this server's feeds."""
        lines = [
            "# Demo configuration: every source is a feed of the local demo server.",
            "[office]",
            f'name = "{office}"',
            f"province_code = {province_code}",
            'timezone = "Asia/Ho_Chi_Minh"',
            "",
            "[polling]",
            "allow_private = true      # the demo server listens on 127.0.0.1",
            "max_concurrency = 16",
            "per_host = 8",
            'timeout = "10s"',
            'default_interval = "1m"',
            'min_interval = "1m"',
            "fulltext = true",
            "fulltext_per_cycle = 20",
        ]
        for feed in self.feeds.values():
            spec = feed.spec
            lines += ["", "[[sources]]", f'name = "{spec.name}"', f'kind = "{spec.kind}"',
                      f'url = "{self.feed_url(spec.slug)}"', 'reach = "national"',
                      "tags = [" + ", ".join(f'"{t}"' for t in spec.tags) + "]"]
        return "\n".join(lines) + "\n"

    # --- articles ----------------------------------------------------------
    def article(self, url: str) -> Article | None:
        return self.articles.get(_key(url))

    def _add_article(self, spec: FeedSpec, item: SampleItem) -> None:
        paragraphs = [p.strip() for p in item.text.split("\n") if p.strip()]
        self.articles.setdefault(_key(item.url), Article(
            url=item.url, title=item.title, outlet=_outlet_name(spec), published=item.published,
            summary=item.summary, paragraphs=paragraphs, keywords=item.keywords, section=item.section,
        ))

    def _add_recorded_articles(self, spec: FeedSpec, document: bytes) -> None:
        """Pages for the recorded VnExpress items: their real title, date and sapo."""
        for entry in feedparser.parse(document).entries:
            link = (entry.get("link") or "").strip()
            if not link:
                continue
            published = struct_to_utc(entry.get("published_parsed"), entry.get("published"))
            self.articles.setdefault(_key(link), Article(
                url=link, title=html_to_text(entry.get("title")), outlet="VnExpress",
                published=published.astimezone(VIETNAM) if published else None,
                summary=html_to_text(entry.get("summary")),
            ))


def _key(url: str) -> str:
    """Scheme-free lookup key: host + path (+ query)."""
    parts = urlsplit(url.strip())
    key = (parts.hostname or "") + (parts.path or "/")
    return key + ("?" + parts.query if parts.query else "")


def _outlet_name(spec: FeedSpec) -> str:
    return spec.name.split(" – ")[0]


# --- the HTTP side -----------------------------------------------------------
class _Handler(BaseHTTPRequestHandler):
    demo: DemoServer
    protocol_version = "HTTP/1.1"
    server_version = "demo-outlets/1"

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._serve(head=False)

    def log_message(self, format, *args) -> None:  # quiet: the demo prints its own summary
        pass

    def _serve(self, head: bool) -> None:
        path = urlsplit(self.path).path
        if path.startswith("/feeds/"):
            self._feed(path, head)
        elif path.startswith("/article/"):
            self._article(self.path[len("/article/"):], head)
        elif path == "/_advance":
            self.demo.advance()
            self._send(200, f"cycle {self.demo.cycle}\n".encode(), "text/plain; charset=utf-8", head=head)
        elif path == "/":
            self._send(200, _index(self.demo).encode("utf-8"), "text/html; charset=utf-8", head=head)
        else:
            self._send(404, b"not found\n", "text/plain; charset=utf-8", head=head)

    def _feed(self, path: str, head: bool) -> None:
        slug = path[len("/feeds/"):].rsplit(".", 1)[0]
        feed = self.demo.feeds.get(slug)
        if feed is None or path != feed.spec.path:
            return self._send(404, b"no such feed\n", "text/plain; charset=utf-8", head=head)
        body, etag = feed.body(self.demo.cycle)
        modified = feed.modified(self.demo.cycle, self.demo.epoch)
        headers = {"ETag": etag, "Cache-Control": "max-age=60",
                   "Last-Modified": format_datetime(modified.astimezone(timezone.utc), usegmt=True)}
        if _not_modified(self.headers, etag, modified):
            return self._send(304, b"", None, headers, head=True)
        content_type = "text/xml; charset=utf-8" if feed.documents else FEED_TYPES[feed.spec.kind]
        self._send(200, body, content_type, headers, head=head)

    def _article(self, rest: str, head: bool) -> None:
        host, _, path = rest.partition("/")
        article = self.demo.articles.get(_key(f"http://{host}/{path}"))
        if article is None and "%" in path:
            article = self.demo.articles.get(_key(f"http://{host}/{unquote(path)}"))
        if article is None:
            return self._send(404, b"<h1>404</h1>", "text/html; charset=utf-8", head=head)
        self._send(200, render_article(article).encode("utf-8"), "text/html; charset=utf-8", head=head)

    def _send(self, status: int, body: bytes, content_type: str | None, headers: dict | None = None,
              head: bool = False) -> None:
        headers = dict(headers or {})
        if body and "gzip" in (self.headers.get("Accept-Encoding") or ""):
            body = gzip.compress(body, compresslevel=5, mtime=0)
            headers["Content-Encoding"] = "gzip"
        self.demo.requests.append((self.path, status))
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Vary", "Accept-Encoding")
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(0 if status == 304 else len(body)))
        self.end_headers()
        if not head and status != 304:
            self.wfile.write(body)


def _not_modified(request_headers, etag: str, modified: datetime) -> bool:
    """RFC 9110: If-None-Match wins; If-Modified-Since is used only without it."""
    match = request_headers.get("If-None-Match")
    if match is not None:
        tags = {t.strip().removeprefix("W/") for t in match.split(",")}
        return "*" in tags or etag in tags
    since = request_headers.get("If-Modified-Since")
    if since:
        try:
            return parsedate_to_datetime(since) >= modified
        except (TypeError, ValueError, IndexError):
            return False
    return False


# --- documents -----------------------------------------------------------------
_LINK = re.compile(rb"(<(link|guid)\b[^>]*>\s*)([^<\s]+)(\s*</\2>)")


def _relink(document: bytes, link: Link) -> bytes:
    """A recorded document with its item links (and permalink guids) passed through ``link``."""
    def one(match: re.Match) -> bytes:
        url = html.unescape(match.group(3).decode("utf-8"))
        new = link(url)
        return match.group(0) if new == url else match.group(1) + html.escape(new).encode() + match.group(4)

    return _LINK.sub(one, document)


def _rfc822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(VIETNAM))


def _description(item: SampleItem) -> str:
    """What the outlet's feed would carry: the sapo, or the article's first paragraph."""
    if item.summary:
        return item.summary
    first = next((p.strip() for p in item.text.split("\n") if p.strip()), "")
    if len(first) > 400:
        first = first[:400].rsplit(" ", 1)[0] + " …"
    return first


def render_rss(spec: FeedSpec, items: list[SampleItem]) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<rss version="2.0">', "<channel>",
           f"<title>{html.escape(spec.title)}</title>", f"<link>{html.escape(spec.site)}</link>",
           f"<description>{html.escape(spec.title)}</description>", "<language>vi</language>"]
    dated = [i.published for i in items if i.published]
    if dated:
        out.append(f"<lastBuildDate>{_rfc822(max(dated))}</lastBuildDate>")
    for item in items:
        out.append("<item>")
        out.append(f"<title>{html.escape(item.title)}</title>")
        out.append(f"<link>{html.escape(item.url)}</link>")
        out.append(f'<guid isPermaLink="true">{html.escape(item.url)}</guid>')
        if item.published:
            out.append(f"<pubDate>{_rfc822(item.published)}</pubDate>")
        description = _description(item)
        if description:
            out.append(f"<description><![CDATA[{description.replace(']]>', ']]&gt;')}]]></description>")
        for keyword in item.keywords:
            out.append(f"<category>{html.escape(keyword)}</category>")
        out.append("</item>")
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out).encode("utf-8")


def render_atom(spec: FeedSpec, items: list[SampleItem]) -> bytes:
    dated = [i.published for i in items if i.published]
    updated = (max(dated) if dated else datetime(2016, 1, 1, tzinfo=VIETNAM)).astimezone(VIETNAM).isoformat()
    out = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="vi">',
           f"<title>{html.escape(spec.title)}</title>", f'<link href="{html.escape(spec.site)}"/>',
           f"<id>{html.escape(spec.site)}</id>", f"<updated>{updated}</updated>"]
    for item in items:
        when = item.published.astimezone(VIETNAM).isoformat() if item.published else updated
        out += ["<entry>", f"<title>{html.escape(item.title)}</title>",
                f'<link rel="alternate" href="{html.escape(item.url)}"/>', f"<id>{html.escape(item.url)}</id>",
                f"<updated>{when}</updated>"]
        if item.published:
            out.append(f"<published>{when}</published>")
        description = _description(item)
        if description:
            out.append(f'<summary type="text">{html.escape(description)}</summary>')
        out.append("</entry>")
    out += ["</feed>", ""]
    return "\n".join(out).encode("utf-8")


def render_article(article: Article) -> str:
    """A page laid out like a news site's: header, one <article>, footer."""
    e = html.escape
    when = article.published.astimezone(VIETNAM) if article.published else None
    head = [f"<title>{e(article.title)} | {e(article.outlet)}</title>",
            f'<link rel="canonical" href="{e(article.url)}">',
            f'<meta property="og:title" content="{e(article.title)}">',
            '<meta property="og:type" content="article">']
    if article.summary:
        head.append(f'<meta name="description" content="{e(article.summary)}">')
    if article.keywords:
        head.append(f'<meta name="keywords" content="{e(", ".join(article.keywords))}">')
    if when:
        head.append(f'<meta property="article:published_time" content="{when.isoformat()}">')
    body = [f'<h1 class="title-detail">{e(article.title)}</h1>']
    if when:
        body.append(f'<time class="date" datetime="{when.isoformat()}">{when.strftime("%d/%m/%Y %H:%M")} (GMT+7)</time>')
    if article.summary:
        body.append(f'<p class="description">{e(article.summary)}</p>')
    body.append('<div class="fck_detail">')
    body += [f'<p class="Normal">{e(p)}</p>' for p in article.paragraphs]
    body.append("</div>")
    if article.keywords:
        body.append('<div class="tags">' + " ".join(f'<a href="#">{e(k)}</a>' for k in article.keywords) + "</div>")
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="vi">', '<head>', '<meta charset="utf-8">', *head, "</head>", "<body>",
        f'<header><nav><a href="/">{e(article.outlet)}</a> › {e(article.section)}</nav></header>',
        "<main>", "<article>", *body, "</article>", "</main>",
        f"<footer><p>© {e(article.outlet)}</p></footer>", "</body>", "</html>", "",
    ])


def _index(demo: DemoServer) -> str:
    rows = "".join(
        f'<li><a href="{feed.spec.path}">{html.escape(feed.spec.name)}</a> '
        f"({feed.version(demo.cycle) if feed.items else 'recorded'})</li>"
        for feed in demo.feeds.values()
    )
    return f"<!DOCTYPE html><html lang='vi'><meta charset='utf-8'><h1>Demo feeds, cycle {demo.cycle}</h1><ul>{rows}</ul></html>"


# --- routing real outlet URLs here ---------------------------------------------
def _local_url(base: str, url: httpx.URL) -> httpx.URL:
    path = url.raw_path.decode("ascii")
    return httpx.URL(f"{base}/article/{url.host}{path}")


class _ToLocal(httpx.AsyncBaseTransport):
    """Rewrites https://outlet/path to the demo server's /article/outlet/path."""

    def __init__(self, base: str, inner: httpx.AsyncBaseTransport):
        self.base, self.inner = base, inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = _local_url(self.base, request.url)
        request.headers["Host"] = request.url.netloc.decode("ascii")
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class _SyncToLocal(httpx.BaseTransport):
    def __init__(self, base: str, inner: httpx.BaseTransport):
        self.base, self.inner = base, inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = _local_url(self.base, request.url)
        request.headers["Host"] = request.url.netloc.decode("ascii")
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def main(argv: list[str] | None = None) -> None:
    """Serve in the foreground, e.g. to run `monitor poll --once` against it by hand."""
    parser = argparse.ArgumentParser(prog="python -m monitor.demo.server", description=main.__doc__)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--write-config", metavar="PATH", help="write a feeds.toml for this server here")
    args = parser.parse_args(argv)
    server = DemoServer(port=args.port, local_links=True).start()
    if args.write_config:
        Path(args.write_config).write_text(server.config_text(), encoding="utf-8")
        print(f"config written to {args.write_config}")
    print(f"serving {len(server.feeds)} feeds on {server.base_url}; "
          f"GET {server.base_url}/_advance releases more items; Ctrl-C stops")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
