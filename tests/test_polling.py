"""The poller against a real local HTTP server: good feeds, bad feeds, bad servers."""
from __future__ import annotations

import asyncio
import gzip
import tracemalloc
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from monitor.daemon import Runtime, poll_cycle
from monitor.sources.fetch import Fetcher
from monitor.store import parse_iso
from monitor.store.sources import sync_sources
from tests.conftest import make_config
from tests.feedserver import Response, never_answers, stream_huge

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples" / "feeds"
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
NOW = datetime(2026, 11, 24, 8, 0, tzinfo=timezone.utc)


class Clock:
    """An injected clock the test moves by hand."""

    def __init__(self, start: datetime = NOW):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def pool():
    # Same Executor interface as the daemon's process pool; threads keep tests quick.
    with ThreadPoolExecutor(2) as executor:
        yield executor


def rss(items: str, title: str = "Giáo dục") -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{title}</title><link>http://example.vn/</link>
{items}
</channel></rss>""".encode()


def item(n: int, title: str | None = None, date: str = "Mon, 23 Nov 2026 08:00:00 +0700") -> str:
    return (f"<item><title>{title or f'Tin giáo dục số {n}'}</title>"
            f"<link>https://example.vn/tin-{n}.html?utm_source=rss#top</link>"
            f"<guid>https://example.vn/tin-{n}.html</guid><pubDate>{date}</pubDate>"
            f"<description>Tóm tắt {n}</description></item>")


def cycle(db, config, pool, clock=None, everything=True):
    clock = clock or Clock()
    sync_sources(db, config, clock())

    async def main():
        async with Fetcher(config.polling) as fetcher:
            rt = Runtime(db=db, config=config, fetcher=fetcher, pool=pool, clock=clock)
            return await poll_cycle(rt, everything=everything)

    return asyncio.run(main())


def one_source(server, path, kind="rss", extra_polling=""):
    return make_config(f'[[sources]]\nname = "s"\nkind = "{kind}"\nurl = "{server.url(path)}"\n', extra_polling)


def source_row(db, name="s"):
    return db["sources"].get(name)


def test_real_vnexpress_feed_is_stored_with_canonical_urls_and_utc_dates(db, feed_server, pool):
    feed_server.routes["/feed"] = Response(200, (SAMPLES / "vnexpress_tin-moi-nhat_2017-02-18.xml").read_bytes(), RSS)
    report = cycle(db, one_source(feed_server, "/feed"), pool)
    assert report.new_items == 25
    row = db.execute("SELECT title, url, published_at FROM items WHERE guid LIKE '%3543450%'").fetchone()
    assert row == ("Giang Kim Đạt bị đề nghị tử hình",
                   "http://vnexpress.net/tin-tuc/phap-luat/giang-kim-dat-bi-de-nghi-tu-hinh-3543450.html",
                   "2017-02-18T08:16:55+00:00")


def test_malformed_feed_keeps_good_entries_and_notes_the_problem(db, feed_server, pool):
    feed_server.routes["/bad"] = Response(200, (SAMPLES / "vnexpress_the-gioi_2025-02-06.xml").read_bytes(), RSS)
    report = cycle(db, one_source(feed_server, "/bad"), pool)
    assert report.new_items == 1
    assert report.outcomes[0].outcome == "ok"
    assert "malformed feed" in report.outcomes[0].warnings[0]


def test_garbage_is_a_clear_per_source_error_and_other_sources_still_work(db, feed_server, pool):
    feed_server.routes["/garbage"] = Response(200, b"\x00\x01 this is <not xml", RSS)
    feed_server.routes["/good"] = Response(200, rss(item(1)), RSS)
    config = make_config(f'[[sources]]\nname = "bad"\nurl = "{feed_server.url("/garbage")}"\n'
                         f'[[sources]]\nname = "good"\nurl = "{feed_server.url("/good")}"\n')
    report = cycle(db, config, pool)
    bad = source_row(db, "bad")
    assert bad["consecutive_failures"] == 1 and "not a feed" in bad["last_error"]
    assert source_row(db, "good")["consecutive_failures"] == 0
    assert report.new_items == 1


TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Encode as windows-1258 the way legacy Vietnamese sites did: base letter + combining tone."""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", char)
            tone = next(mark for mark in decomposed if mark in TONES)
            base = unicodedata.normalize("NFC", decomposed.replace(tone, ""))
            out += base.encode("cp1258") + tone.encode("cp1258")
    return out


def test_windows_1258_feed_is_decoded_and_normalised_to_nfc(db, feed_server, pool):
    title = "Học sinh trường THCS bị đánh hội đồng"
    body = b'<?xml version="1.0" encoding="windows-1258"?>' + cp1258(
        f"<rss version='2.0'><channel><title>Báo</title><item><title>{title}</title>"
        "<link>https://example.vn/a.html</link></item></channel></rss>")
    # The server also lies about the charset, as misconfigured servers do.
    feed_server.routes["/1258"] = Response(200, body, {"Content-Type": "text/xml; charset=ISO-8859-1"})
    cycle(db, one_source(feed_server, "/1258"), pool)
    stored = db.execute("SELECT title FROM items").fetchone()[0]
    assert stored == title and unicodedata.is_normalized("NFC", stored)


def test_50_mb_response_is_cut_at_the_cap_with_flat_memory(db, feed_server, pool):
    feed_server.routes["/huge"] = stream_huge(50 * 1024 * 1024)
    config = one_source(feed_server, "/huge")
    tracemalloc.start()
    cycle(db, config, pool)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    row = source_row(db)
    assert "cap" in row["last_error"] and row["consecutive_failures"] == 1
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB while reading a capped response"


def test_declared_oversize_is_refused_before_reading(db, feed_server, pool):
    feed_server.routes["/big"] = Response(200, b"x" * 1_200_000, RSS)
    cycle(db, one_source(feed_server, "/big"), pool)
    assert "exceeds" in source_row(db)["last_error"]


def test_server_that_never_answers_times_out_without_blocking_others(db, feed_server, pool):
    feed_server.routes["/silent"] = never_answers
    feed_server.routes["/good"] = Response(200, rss(item(1)), RSS)
    config = make_config(f'[[sources]]\nname = "silent"\nurl = "{feed_server.url("/silent")}"\n'
                         f'[[sources]]\nname = "good"\nurl = "{feed_server.url("/good")}"\n')
    report = cycle(db, config, pool)
    assert "timeout" in source_row(db, "silent")["last_error"]
    assert report.new_items == 1


def test_second_poll_is_conditional_and_unchanged_feed_costs_a_304(db, feed_server, pool):
    def conditional(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            return Response(304, b"", {"ETag": '"v1"'})
        return Response(200, rss(item(1) + item(2)), {**RSS, "ETag": '"v1"',
                                                     "Last-Modified": "Mon, 23 Nov 2026 01:00:00 GMT"})

    feed_server.routes["/feed"] = conditional
    config = one_source(feed_server, "/feed")
    first = cycle(db, config, pool)
    second = cycle(db, config, pool)
    headers = feed_server.requests_to("/feed")
    assert "If-None-Match" not in headers[0]
    assert headers[1]["If-None-Match"] == '"v1"'
    assert headers[1]["If-Modified-Since"] == "Mon, 23 Nov 2026 01:00:00 GMT"
    assert first.new_items == 2 and second.outcomes[0].outcome == "not_modified" and second.new_items == 0
    assert db["items"].count == 2


def test_429_retry_after_is_honoured(db, feed_server, pool):
    feed_server.routes["/busy"] = Response(429, b"slow down", {"Retry-After": "3600"})
    cycle(db, one_source(feed_server, "/busy"), pool)
    due = parse_iso(source_row(db)["next_due_at"])
    assert due >= NOW + timedelta(seconds=3600)


def test_500s_back_off_more_each_time_then_recover(db, feed_server, pool):
    feed_server.routes["/flaky"] = Response(500, b"oops")
    config = one_source(feed_server, "/flaky")
    clock = Clock()
    gaps = []
    for _ in range(4):
        cycle(db, config, pool, clock)
        due = parse_iso(source_row(db)["next_due_at"])
        gaps.append((due - clock.now).total_seconds())
        clock.now = due
    assert source_row(db)["consecutive_failures"] == 4
    assert gaps[0] < gaps[1] < gaps[2] < gaps[3]
    feed_server.routes["/flaky"] = Response(200, rss(item(1)), RSS)
    cycle(db, config, pool, clock)
    row = source_row(db)
    assert row["consecutive_failures"] == 0 and row["last_error"] is None


def test_redirect_loop_is_an_error(db, feed_server, pool):
    feed_server.routes["/a"] = Response(302, b"", {"Location": "/b"})
    feed_server.routes["/b"] = Response(302, b"", {"Location": "/a"})
    cycle(db, one_source(feed_server, "/a"), pool)
    assert "redirect loop" in source_row(db)["last_error"]


def test_permanent_redirect_is_followed_and_shown_as_moved(db, feed_server, pool):
    feed_server.routes["/old"] = Response(301, b"", {"Location": "/new"})
    feed_server.routes["/new"] = Response(200, rss(item(1)), RSS)
    report = cycle(db, one_source(feed_server, "/old"), pool)
    assert report.new_items == 1
    assert source_row(db)["moved_to"] == feed_server.url("/new")


def test_entries_without_link_or_date_are_kept(db, feed_server, pool):
    body = rss("<item><title>Không có đường dẫn</title><pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate></item>"
               "<item><title>Không có ngày</title><link>https://example.vn/x.html</link></item>")
    feed_server.routes["/feed"] = Response(200, body, RSS)
    cycle(db, one_source(feed_server, "/feed"), pool)
    rows = {r["title"]: r for r in db.query("SELECT * FROM items")}
    assert rows["Không có đường dẫn"]["url"] is None
    assert rows["Không có đường dẫn"]["published_at"] == "2026-11-23T08:00:00+00:00"
    assert rows["Không có ngày"]["published_at"] is None


@pytest.mark.parametrize("date, expected", [
    ("Mon, 23 Nov 2026 15:00:00 +0700", "2026-11-23T08:00:00+00:00"),
    ("Mon, 23 Nov 2026 08:00:00 GMT", "2026-11-23T08:00:00+00:00"),
    ("Mon, 23 Nov 2026 15:00:00", "2026-11-23T08:00:00+00:00"),   # no zone: Vietnam time
    ("2026-11-23T15:00:00+07:00", "2026-11-23T08:00:00+00:00"),
])
def test_dates_become_utc(db, feed_server, pool, date, expected):
    feed_server.routes["/feed"] = Response(200, rss(item(1, date=date)), RSS)
    cycle(db, one_source(feed_server, "/feed"), pool)
    assert db.execute("SELECT published_at FROM items").fetchone()[0] == expected


def test_markup_and_script_in_titles_are_stored_as_text(db, feed_server, pool):
    title = "&lt;b&gt;Phụ huynh&lt;/b&gt; bức xúc &lt;script&gt;alert(1)&lt;/script&gt; vì lạm thu"
    feed_server.routes["/feed"] = Response(200, rss(item(1, title=title)), RSS)
    cycle(db, one_source(feed_server, "/feed"), pool)
    stored = db.execute("SELECT title FROM items").fetchone()[0]
    assert stored == "Phụ huynh bức xúc vì lạm thu"


def test_tracking_parameters_and_fragments_are_stripped(db, feed_server, pool):
    feed_server.routes["/feed"] = Response(200, rss(item(7)), RSS)
    cycle(db, one_source(feed_server, "/feed"), pool)
    assert db.execute("SELECT url FROM items").fetchone()[0] == "https://example.vn/tin-7.html"


def test_repolling_and_restarting_create_no_duplicates(db, feed_server, pool, tmp_path):
    feed_server.routes["/feed"] = Response(200, rss(item(1) + item(2) + item(3)), RSS)  # no validators: full body each time
    config = one_source(feed_server, "/feed")
    cycle(db, config, pool)
    cycle(db, config, pool)
    # A restart: a new process opens the same file and polls again.
    from monitor.store import open_store

    reopened = open_store(Path(db.conn.execute("PRAGMA database_list").fetchone()[2]))
    cycle(reopened, config, pool)
    assert reopened["items"].count == 3
    # The same article under a new guid (an outlet changed its feed) is still one item.
    feed_server.routes["/feed"] = Response(200, rss(item(1).replace("<guid>", "<guid>new-")), RSS)
    cycle(reopened, config, pool)
    assert reopened["items"].count == 3


def test_gzip_bodies_are_decoded(db, feed_server, pool):
    feed_server.routes["/gz"] = Response(200, gzip.compress(rss(item(1))), {**RSS, "Content-Encoding": "gzip"})
    assert cycle(db, one_source(feed_server, "/gz"), pool).new_items == 1


def test_article_links_to_private_addresses_are_refused(feed_server):
    config = make_config(polling_toml="").model_copy(
        update={"polling": make_config().polling.model_copy(update={"allow_private": False})})
    feed_server.routes["/page"] = Response(200, b"<html>secret</html>", {"Content-Type": "text/html"})

    async def main():
        async with Fetcher(config.polling) as fetcher:
            return await fetcher.fetch_page("s", feed_server.url("/page"))

    result = asyncio.run(main())
    assert result.error and "non-public" in result.error
    assert feed_server.requests_to("/page") == []


def test_search_index_catches_up_once_per_cycle_and_after_a_crash(db, feed_server, pool):
    from monitor.store import utcnow
    from monitor.store.items import index_pending, search_items, set_fulltext

    feed_server.routes["/feed"] = Response(200, rss(item(1, "Học sinh đuối nước") + item(2)), RSS)
    cycle(db, one_source(feed_server, "/feed"), pool)
    indexed = lambda: db.execute("SELECT COUNT(*) FROM items_fts").fetchone()[0]  # noqa: E731
    assert indexed() == 2                      # the cycle indexed its own rows
    assert index_pending(db) == 0              # and left nothing behind
    # A row stored but not yet indexed (the process died before the cycle ended) is indexed
    # once, with the values it has by then, not with what an update trigger saw earlier.
    db.execute("INSERT INTO items (source, guid, title, fetched_at, updated_at, content_hash) "
               "VALUES ('s', 'late', 'Tin muộn', '2026-11-24T08:00:00+00:00', '2026-11-24T08:00:00+00:00', 'h')")
    late = db.execute("SELECT id FROM items WHERE guid = 'late'").fetchone()[0]
    set_fulltext(db, late, "Trường mầm non bị phản ánh về bữa ăn bán trú", None, utcnow())
    assert indexed() == 2
    assert [r["id"] for r in search_items(db, "ban tru")] == [late]   # search catches the index up first
    assert indexed() == 3
    # Once indexed, an update is re-indexed at once by the trigger.
    set_fulltext(db, late, "Nội dung khác hẳn", None, utcnow())
    assert search_items(db, "ban tru") == []
    assert [r["id"] for r in search_items(db, "noi dung khac")] == [late]
    assert [r["title"] for r in search_items(db, "duoi nuoc")] == ["Học sinh đuối nước"]
