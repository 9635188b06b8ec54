"""`monitor demo`: the main job, offline, on the product's real code path.

A local server plays the outlets (recorded real feeds and pages); a
temporary config points at it; the daemon's own ``poll_cycle`` runs several
rounds while the server releases new items. Each later capability adds a
stage to ``STAGES`` that runs after the rounds on the same database.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Awaitable, Callable

import sqlite_utils
from rich.console import Console
from rich.table import Table

from monitor.config import Config, parse_config
from monitor.daemon import CycleReport, Runtime, close_runtime, open_runtime, poll_cycle
from monitor.demo.server import DemoServer
from monitor.store import open_store
from monitor.store.sources import sync_sources

DEMO_DIR = Path("data/demo")
ROUNDS = 4


@dataclass
class Demo:
    """What every demo stage can use."""

    server: DemoServer
    config: Config
    db: sqlite_utils.Database
    rt: Runtime
    console: Console
    rounds: list[CycleReport] = field(default_factory=list)


Stage = Callable[[Demo], Awaitable[None]]


async def ingest_rounds(demo: Demo) -> None:
    """Poll every feed ROUNDS times; the outlets publish more between rounds except before the last,
    which therefore shows what a conditional GET saves."""
    for number in range(1, ROUNDS + 1):
        report = await poll_cycle(demo.rt, everything=True)
        demo.rounds.append(report)
        unchanged = sum(1 for o in report.outcomes if o.outcome == "not_modified")
        demo.console.print(f"Vòng {number}: {report.new_items} tin mới, {unchanged} nguồn không đổi (304), "
                           f"{len(report.failed)} nguồn lỗi, {report.fulltext_fetched} bài lấy toàn văn.")
        if number < ROUNDS - 1:
            demo.server.advance()
    print_sources(demo)


def print_sources(demo: Demo) -> None:
    table = Table(title="Tin đã thu thập theo nguồn")
    for column in ("Nguồn", *(f"V{n}" for n in range(1, len(demo.rounds) + 1)), "Tổng", "Toàn văn"):
        table.add_column(column, justify="left" if column == "Nguồn" else "right")
    totals = {row["source"]: row for row in demo.db.query(
        "SELECT source, COUNT(*) AS items, SUM(length(text) > 0) AS texts FROM items GROUP BY source")}
    for source in demo.config.sources:
        cells = []
        for report in demo.rounds:
            outcome = next((o for o in report.outcomes if o.source == source.name), None)
            cells.append("-" if outcome is None else ("304" if outcome.outcome == "not_modified"
                                                      else ("lỗi" if outcome.outcome == "error"
                                                            else f"+{len(outcome.new_ids)}")))
        row = totals.get(source.name, {"items": 0, "texts": 0})
        table.add_row(source.name, *cells, str(row["items"]), str(row["texts"] or 0))
    demo.console.print(table)
    outlets = demo.db.execute("SELECT COUNT(DISTINCT outlet) FROM items").fetchone()[0]
    demo.console.print(f"Tổng cộng {demo.db['items'].count} tin từ {outlets} trang báo (tên miền).")


STAGES: list[Stage] = [ingest_rounds]

from monitor.demo.tags import show_tags  # noqa: E402

STAGES.append(show_tags)

from monitor.demo.alerts import alert_scenario  # noqa: E402  (alerts, escalation, acknowledgement, audit)

STAGES.append(alert_scenario)


def run_demo(console: Console, directory: Path = DEMO_DIR) -> Path:
    """Run every stage against a fresh database in ``directory``; returns the database path."""
    directory.mkdir(parents=True, exist_ok=True)
    db_path = directory / "monitor.db"
    for stale in directory.glob("monitor.db*"):
        stale.unlink()
    with DemoServer() as server:
        config_path = directory / "feeds.toml"
        config_path.write_text(server.config_text(), encoding="utf-8")
        config = parse_config(config_path.read_text(encoding="utf-8"), str(config_path))
        db = open_store(db_path)
        console.print(f"Máy chủ tin mẫu: {server.base_url} ({len(config.sources)} nguồn, dữ liệu thật ghi sẵn)")

        async def main() -> None:
            rt = open_runtime(db, config, mounts=server.mounts())
            sync_sources(db, config, rt.clock())
            demo = Demo(server=server, config=config, db=db, rt=rt, console=console)
            try:
                for stage in STAGES:
                    await stage(demo)
            finally:
                await close_runtime(rt)

        asyncio.run(main())
        db.conn.close()
    return db_path
