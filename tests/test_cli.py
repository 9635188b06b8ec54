"""The ingestion commands on a real database and a real local server."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import cli
from tests.feedserver import Response
from tests.test_polling import RSS, item, rss


def write_config(tmp_path: Path, server, extra: str = "") -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text(f"""
[office]
name = "Văn phòng Sở"
province_code = 25

[polling]
timeout = "2s"
allow_private = true
fulltext = false

[[sources]]
name = "Báo A – Giáo dục"
url = "{server.url('/a.rss')}"
tags = ["education"]

[[sources]]
name = "Báo B – đã chết"
url = "{server.url('/gone.rss')}"
{extra}
""", encoding="utf-8")
    return path


def invoke(tmp_path, config, *args):
    return CliRunner(env={"COLUMNS": "200"}).invoke(cli, ["--config", str(config), "--db", str(tmp_path / "m.db"), *args])


def test_poll_then_sources_flags_a_dead_feed_and_items_searches_without_diacritics(tmp_path, feed_server):
    feed_server.routes["/a.rss"] = Response(200, rss(item(1, "Học sinh bị bạo lực học đường ở Lạc Sơn") + item(2)), RSS)
    feed_server.routes["/gone.rss"] = Response(410, b"gone")
    config = write_config(tmp_path, feed_server)
    polled = invoke(tmp_path, config, "poll", "--once")
    assert polled.exit_code == 0, polled.output
    assert "2 tin mới từ 2 nguồn; 1 nguồn lỗi" in polled.output
    health = invoke(tmp_path, config, "sources")
    assert "CHẾT (HTTP 410)" in health.output
    for query in ("bạo lực học đường", "bao luc hoc duong", "BAO LUC"):
        found = invoke(tmp_path, config, "items", "--search", query, "--json")
        assert "Lạc Sơn" in found.output, query
    assert "Không tìm thấy" in invoke(tmp_path, config, "items", "--search", "tuyển sinh").output


def test_run_stops_cleanly_on_sigterm(tmp_path, feed_server):
    feed_server.routes["/a.rss"] = Response(200, rss(item(1)), RSS)
    feed_server.routes["/gone.rss"] = Response(200, rss(item(2)), RSS)
    config = write_config(tmp_path, feed_server)
    monitor = Path(sys.executable).with_name("monitor")
    process = subprocess.Popen([str(monitor), "--config", str(config), "--db", str(tmp_path / "m.db"), "run"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ})
    deadline = time.time() + 30
    while time.time() < deadline and len(feed_server.requests) < 2:
        time.sleep(0.1)
    time.sleep(0.5)
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output.decode()
    assert "Đã dừng." in output.decode()
    from monitor.store import open_store

    db = open_store(tmp_path / "m.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db["items"].count == 2


def test_a_poll_killed_mid_cycle_then_rerun_stores_everything_once(tmp_path, feed_server):
    import time as clock

    def slow(handler):
        clock.sleep(1.5)
        return Response(200, rss(item(3) + item(4)), RSS)

    feed_server.routes["/a.rss"] = Response(200, rss(item(1) + item(2)), RSS)
    feed_server.routes["/gone.rss"] = slow
    config = write_config(tmp_path, feed_server)
    monitor = Path(sys.executable).with_name("monitor")
    command = [str(monitor), "--config", str(config), "--db", str(tmp_path / "m.db"), "poll", "--once"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline and not feed_server.requests_to("/gone.rss"):
        time.sleep(0.05)
    time.sleep(0.3)            # the fast source is stored; the slow one is still in flight
    process.kill()
    process.wait(timeout=10)
    assert subprocess.run(command, capture_output=True, timeout=60).returncode == 0
    assert subprocess.run(command, capture_output=True, timeout=60).returncode == 0
    from monitor.store import open_store

    db = open_store(tmp_path / "m.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    titles = sorted(row[0] for row in db.execute("SELECT title FROM items"))
    assert titles == [f"Tin giáo dục số {n}" for n in (1, 2, 3, 4)]
