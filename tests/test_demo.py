"""The demo is the product's main job on recorded data: it must keep working end to end."""
from __future__ import annotations

from rich.console import Console

from monitor.demo.run import run_demo
from monitor.store import open_store


def test_demo_ingests_real_outlets_and_the_last_round_is_all_304(tmp_path):
    console = Console(record=True, width=160)
    db_path = run_demo(console, tmp_path / "demo")
    db = open_store(db_path)
    outlets = {row[0] for row in db.execute("SELECT DISTINCT source FROM items")}
    assert len(outlets) >= 5
    # Re-polling never duplicated anything.
    assert db.execute("SELECT COUNT(*) FROM (SELECT source, guid FROM items GROUP BY 1, 2 HAVING COUNT(*) > 1)").fetchone()[0] == 0
    not_modified = db.execute("SELECT COUNT(*) FROM fetch_log WHERE outcome = 'not_modified'").fetchone()[0]
    assert not_modified >= 10
    output = console.export_text()
    assert "Vòng 4: 0 tin mới, 10 nguồn không đổi (304)" in output, output
    assert "Tin đã thu thập theo nguồn" in output
