"""The demo server: real feeds that parse, conditional GET, a clock, article pages, routing."""
from __future__ import annotations

import asyncio
import gzip
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import feedparser
import httpx
import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.config import parse_config
from monitor.demo.catalog import FEEDS, SAMPLES, FeedSpec, SampleItem, load_items
from monitor.demo.server import DemoServer
from monitor.store import open_store


@pytest.fixture(scope="module")
def server():
    with DemoServer() as demo:
        yield demo


@pytest.fixture
def client():
    with httpx.Client(timeout=10) as http:
        yield http


@pytest.fixture(autouse=True)
def first_cycle(server):
    server.cycle = 0


@pytest.mark.parametrize("spec", FEEDS, ids=lambda s: s.slug)
def test_every_feed_parses_with_real_items(server, client, spec):
    response = client.get(server.feed_url(spec.slug))
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert parsed.entries, spec.slug
    if spec.slug != "vnexpress-the-gioi":  # recorded as saved: not well-formed (bare '&')
        assert not parsed.bozo, parsed.get("bozo_exception")
    if spec.recorded:
        assert response.content == (SAMPLES / "feeds" / spec.recorded[0]).read_bytes()
    else:
        urls = {item.url for item in load_items()[spec.slug]}
        assert {e.link for e in parsed.entries} <= urls
        assert {e.id for e in parsed.entries} <= urls  # guid = the real URL


def test_one_feed_is_atom(server, client):
    response = client.get(server.feed_url("kenh14"))
    assert response.headers["content-type"].startswith("application/atom+xml")
    assert feedparser.parse(response.content).version == "atom10"


def test_conditional_get_answers_304_until_the_feed_changes(server, client):
    url = server.feed_url("vtv")
    first = client.get(url)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    server.advance()
    changed = client.get(url, headers={"If-None-Match": etag, "If-Modified-Since": modified})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert changed.headers["last-modified"] != modified


def test_gzip_when_asked(server):
    url = server.feed_url("tin247")
    with httpx.Client() as http:
        with http.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as response:
            assert response.headers["content-encoding"] == "gzip"
            body = b"".join(response.iter_raw())
        plain = http.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert gzip.decompress(body) == plain.content


def test_items_appear_as_the_clock_advances(server, client):
    def links(slug):
        return {e.link for e in feedparser.parse(client.get(server.feed_url(slug)).content).entries}

    before = links("dantri-giao-duc")
    server.advance()
    after = links("dantri-giao-duc")
    assert after - before, "advance() released no new item"
    server.cycle = 0
    snapshot = links("vnexpress-tin-moi-nhat")
    server.advance()
    assert links("vnexpress-tin-moi-nhat") != snapshot  # the next recorded VnExpress snapshot


def test_article_pages_carry_the_real_text(server, client):
    item = next(i for i in load_items()["vtv"] if i.is_education and len(i.text) > 500)
    page = asyncio.run(_get_via_mounts(server, item.url))
    assert page.status_code == 200
    html = page.text
    assert "<article>" in html and "<h1" in html and "article:published_time" in html
    first_paragraph = item.text.split("\n")[0].strip()
    assert first_paragraph[:80].replace('"', "&quot;") in html or first_paragraph[:80] in html


def test_mounts_route_real_outlet_urls_to_the_local_server(server):
    item = load_items()["dantri-giao-duc"][0]
    assert item.url.startswith("https://dantri.com.vn/")
    response = asyncio.run(_get_via_mounts(server, item.url))
    assert response.status_code == 200
    assert item.title.split()[0] in response.text
    assert any(path.startswith("/article/dantri.com.vn/") for path, _ in server.requests)
    missing = asyncio.run(_get_via_mounts(server, "https://dantri.com.vn/khong-co-bai-nay.htm"))
    assert missing.status_code == 404


def test_config_text_is_a_valid_config_pointing_at_the_server(server):
    config = parse_config(server.config_text())
    assert config.polling.allow_private
    assert len(config.sources) == len(FEEDS)
    assert all(s.url.startswith(server.base_url + "/feeds/") for s in config.sources)
    assert {s.kind for s in config.sources} == {"rss", "atom"}


async def _get_via_mounts(server, url: str) -> httpx.Response:
    async with httpx.AsyncClient(mounts=server.mounts(), timeout=10) as http:
        return await http.get(url)



def test_the_clock_can_be_moved_over_http(server, client):
    assert client.get(server.base_url + "/_advance").text == "cycle 1\n"
    assert server.cycle == 1


def test_an_added_feed_releases_its_items_by_its_own_clock_with_conditional_get(client):
    now = datetime(2025, 12, 17, 7, 0, tzinfo=timezone.utc)
    spec = FeedSpec("added", "Báo Mẫu – Giáo dục", "Giáo dục - Báo Mẫu", "https://bao.example/")
    items = [SampleItem(feed="added", outlet="bao.example", id=str(n), title=f"Tin số {n}",
                        url=f"https://bao.example/tin-{n}.htm", summary=f"Tóm tắt tin số {n}.",
                        published=now + timedelta(minutes=10 * n)) for n in (1, 2)]
    with DemoServer() as server:
        url = server.add_feed(spec, items, lambda: now)
        assert url == server.base_url + "/feeds/added.rss"
        assert feedparser.parse(client.get(url).content).entries == []
        now += timedelta(minutes=10)
        first = client.get(url)
        assert [e.link for e in feedparser.parse(first.content).entries] == ["https://bao.example/tin-1.htm"]
        assert parsedate_to_datetime(first.headers["last-modified"]) == items[0].published
        again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304
        server.advance()  # the server's own cycles do not move this feed
        assert client.get(url, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
        now += timedelta(minutes=10)
        changed = client.get(url, headers={"If-None-Match": first.headers["etag"]})
        assert changed.status_code == 200
        assert [e.link for e in feedparser.parse(changed.content).entries] == [i.url for i in reversed(items)]
        page = asyncio.run(_get_via_mounts(server, items[1].url))
        assert page.status_code == 200 and "Tóm tắt tin số 2." in page.text
        with pytest.raises(ValueError):
            server.add_feed(spec, items, lambda: now)


def test_standalone_links_lead_a_plain_poll_to_the_article_pages(tmp_path):
    """`monitor poll --once` as a user runs it by hand: no mounts, only the written config."""
    with DemoServer(local_links=True) as server:
        config = tmp_path / "feeds.toml"
        # One outlet whose pages have full texts: with all ten, which 20 pages a cycle fetches
        # depends on the order the feeds answered in.
        head, *sources = server.config_text().split("\n[[sources]]\n")
        vtv = [source for source in sources if 'name = "VTV' in source]
        config.write_text("\n[[sources]]\n".join([head, *vtv]), encoding="utf-8")
        links = [e.link for slug in ("vtv", "vnexpress-tin-moi-nhat")
                 for e in feedparser.parse(httpx.get(server.feed_url(slug)).content).entries]
        assert links and all(link.startswith(server.base_url + "/article/") for link in links)

        def poll():
            result = CliRunner(env={"COLUMNS": "200"}).invoke(
                cli, ["--config", str(config), "--db", str(tmp_path / "m.db"), "poll", "--once"])
            assert result.exit_code == 0, result.output
            return result.output

        first = poll()
        pages = [status for path, status in server.requests if path.startswith("/article/")]
        assert pages and set(pages) == {200}
        db = open_store(tmp_path / "m.db")
        stored = db.execute("SELECT COUNT(*) FROM items").fetchone()[0]
        with_text = db.execute("SELECT COUNT(*) FROM items WHERE length(text) > 0").fetchone()[0]
        assert with_text > 0
        assert f"{stored} tin mới từ 1 nguồn; 0 nguồn lỗi; {with_text} bài lấy toàn văn." in first

        second = poll()
        assert "0 tin mới từ 1 nguồn; 0 nguồn lỗi" in second
        assert db.execute("SELECT COUNT(*) FROM items").fetchone()[0] == stored
        assert db.execute("SELECT outcome FROM fetch_log ORDER BY id").fetchall() == [("ok",), ("not_modified",)]
