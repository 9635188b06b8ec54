"""Parsers turn bytes into items and never raise on content."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from monitor.daemon import Runtime, poll_cycle
from monitor.sources import parse
from monitor.sources.fetch import Fetcher
from monitor.sources.fulltext import extract
from monitor.store import utcnow
from monitor.store.sources import sync_sources
from tests.conftest import make_config
from tests.feedserver import Response

GOOGLE_NEWS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>
<title>"Phú Thọ" trường - Google Tin tức</title>
<item><title>Học sinh lớp 8 bị đánh hội đồng ở Phú Thọ - Báo Phú Thọ</title>
<link>https://news.google.com/rss/articles/CBMiXmh0dHBzOi8v?oc=5</link>
<guid isPermaLink="false">CBMiXmh0dHBzOi8v</guid>
<pubDate>Mon, 23 Nov 2026 03:10:00 GMT</pubDate>
<description>&lt;a href="https://news.google.com/rss/articles/CBMiXmh0dHBzOi8v?oc=5"&gt;Học sinh lớp 8 bị đánh hội đồng ở Phú Thọ&lt;/a&gt;&amp;nbsp;&amp;nbsp;&lt;font color="#6f6f6f"&gt;Báo Phú Thọ&lt;/font&gt;</description>
<source url="https://baophutho.vn">Báo Phú Thọ</source></item>
</channel></rss>""".encode()

LISTING = """<html><head><title>Giáo dục - Báo Phú Thọ</title></head><body>
<nav><a href="/">Trang chủ</a><a href="/giao-duc">Giáo dục</a><a href="https://facebook.com/baophutho">Facebook của báo Phú Thọ</a></nav>
<article><a href="/giao-duc/tuyen-sinh-lop-10-nam-2027-co-gi-moi-231120.htm">Tuyển sinh lớp 10 năm 2027 có gì mới?</a></article>
<article><a href="https://baophutho.vn/giao-duc/truong-tieu-hoc-xuong-cap-nghiem-trong.html?utm_source=home">
  Trường tiểu học xuống cấp nghiêm trọng</a></article>
<a href="/giao-duc/truong-tieu-hoc-xuong-cap-nghiem-trong.html">Trường tiểu học xuống cấp nghiêm trọng</a>
<a href="/lien-he">Liên hệ với tòa soạn báo Phú Thọ</a>
</body></html>""".encode()

ARTICLE = """<html><head><title>Phụ huynh phản ánh lạm thu</title>
<meta property="article:published_time" content="2026-11-23T09:30:00+07:00"></head><body>
<nav>Trang chủ | Giáo dục</nav>
<article><h1>Phụ huynh phản ánh lạm thu ở trường THCS</h1>
<p>Nhiều phụ huynh Trường THCS Nguyễn Du phản ánh nhà trường thu các khoản ngoài quy định đầu năm học.</p>
<p>Theo phản ánh, mỗi học sinh phải nộp quỹ lớp, tiền máy chiếu và tiền vệ sinh, tổng cộng hơn hai triệu đồng.</p>
<p>Hiệu trưởng cho biết sẽ rà soát và trả lại các khoản thu sai.</p></article>
<footer>Bản quyền thuộc về báo</footer></body></html>""".encode()


def test_google_news_keeps_the_outlet_apart_from_the_title():
    result = parse("google_news", GOOGLE_NEWS, {}, "gn", "https://news.google.com/rss/search?q=x")
    [item] = result.items
    assert item.title == "Học sinh lớp 8 bị đánh hội đồng ở Phú Thọ"
    assert item.outlet == "Báo Phú Thọ"
    assert item.url == "https://news.google.com/rss/articles/CBMiXmh0dHBzOi8v"   # tracking 'oc' dropped


def test_listing_page_finds_articles_not_navigation():
    result = parse("html", LISTING, {}, "portal", "https://baophutho.vn/giao-duc")
    assert [i.url for i in result.items] == [
        "https://baophutho.vn/giao-duc/tuyen-sinh-lop-10-nam-2027-co-gi-moi-231120.htm",
        "https://baophutho.vn/giao-duc/truong-tieu-hoc-xuong-cap-nghiem-trong.html",
    ]
    assert result.items[1].title == "Trường tiểu học xuống cấp nghiêm trọng"


@pytest.mark.parametrize("kind, body", [
    ("rss", b""), ("rss", b"\xff\xfe\x00garbage"), ("atom", b"<feed"), ("google_news", b"<rss><channel><item>"),
    ("html", b""), ("html", b"\x00" * 1000), ("rss", b"<html><body>Moved</body></html>"),
])
def test_parsers_never_raise(kind, body):
    result = parse(kind, body, {"content-type": "text/xml"}, "s", "https://example.vn/")
    assert result.items == [] and result.errors


def test_html_instead_of_a_feed_says_so():
    result = parse("rss", "<!DOCTYPE html><html><body>Trang chủ</body></html>".encode(), {}, "s", "https://x.vn/rss")
    assert "not a feed" in result.errors[0]


def test_article_text_and_date_are_extracted():
    text, date = extract(ARTICLE, "https://baophutho.vn/a.html")
    assert "thu các khoản ngoài quy định" in text and "trả lại các khoản thu sai" in text
    assert "Bản quyền" not in text
    assert date == "2026-11-23"


def test_education_items_get_their_full_text_during_a_cycle(db, feed_server):
    page = feed_server.url("/bai/lam-thu.html")
    feed = f"""<rss version="2.0"><channel><title>Báo</title>
<item><title>Phụ huynh phản ánh lạm thu</title><link>{page}</link></item></channel></rss>""".encode()
    feed_server.routes["/feed"] = Response(200, feed, {"Content-Type": "application/rss+xml"})
    feed_server.routes["/bai/lam-thu.html"] = Response(200, ARTICLE, {"Content-Type": "text/html; charset=utf-8"})
    config = make_config(f'[[sources]]\nname = "s"\nurl = "{feed_server.url("/feed")}"\ntags = ["education"]\n',
                         "").model_copy(update={"polling": make_config().polling.model_copy(update={"fulltext": True})})
    sync_sources(db, config, utcnow())

    async def main():
        async with Fetcher(config.polling) as fetcher:
            with ThreadPoolExecutor(1) as pool:
                return await poll_cycle(Runtime(db=db, config=config, fetcher=fetcher, pool=pool), everything=True)

    report = asyncio.run(main())
    assert report.fulltext_fetched == 1
    row = db.execute("SELECT text, published_at FROM items").fetchone()
    assert "trả lại các khoản thu sai" in row[0]
    assert row[1] == "2026-11-22T17:00:00+00:00"   # the page's date, read as Vietnam midnight
