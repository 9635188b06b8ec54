"""Polling commands: poll (one round) and run (the daemon)."""
from __future__ import annotations

import asyncio

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from monitor.cli import cli, console



@cli.command()
@click.option("--once", is_flag=True, default=True, help="Poll every enabled source once, now, and exit (default).")
@click.pass_obj
def poll(obj, once):
    """Poll every source once, store new items, and print a per-source summary.

    Unchanged feeds answer 304 to our conditional request and cost nothing.
    Example: monitor poll --once
    """
    from monitor.daemon import close_runtime, open_runtime, poll_cycle
    from monitor.store.sources import due_sources, sync_sources
    from monitor.store import utcnow

    config, db = obj.config, obj.store()
    sync_sources(db, config, utcnow())
    total = len(due_sources(db, utcnow(), everything=True))

    async def main():
        rt = open_runtime(db, config)
        try:
            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          console=console(), transient=True) as progress:
                task = progress.add_task("Đang lấy tin", total=total)
                return await poll_cycle(rt, on_source=lambda _o: progress.advance(task), everything=True)
        finally:
            await close_runtime(rt)

    report = asyncio.run(main())
    print_cycle(report)


def print_cycle(report) -> None:
    from rich.table import Table

    table = Table(title="Kết quả lấy tin")
    for column in ("Nguồn", "Kết quả", "Tin mới", "Cập nhật", "Ghi chú"):
        table.add_column(column)
    labels = {"ok": "[green]có dữ liệu[/green]", "not_modified": "không đổi (304)", "error": "[red]lỗi[/red]"}
    for outcome in sorted(report.outcomes, key=lambda o: o.source):
        note = outcome.error or "; ".join(outcome.warnings)
        table.add_row(outcome.source, labels[outcome.outcome], str(len(outcome.new_ids)),
                      str(len(outcome.changed_ids)), note[:80])
    console().print(table)
    console().print(f"{report.new_items} tin mới từ {len(report.outcomes)} nguồn; "
                  f"{len(report.failed)} nguồn lỗi; {report.fulltext_fetched} bài lấy toàn văn.")


@cli.command()
@click.pass_obj
def run(obj):
    """Run the monitor until stopped (SIGTERM or Ctrl-C): poll on schedule, classify, alert.

    Example: monitor run -v
    """
    from monitor.daemon import close_runtime, open_runtime, run as run_daemon

    config, db = obj.config, obj.store()

    async def main():
        rt = open_runtime(db, config)
        try:
            await run_daemon(rt)
        finally:
            await close_runtime(rt)

    console().print(f"Đang theo dõi {len(config.sources)} nguồn; dừng bằng Ctrl-C.")
    asyncio.run(main())
    console().print("Đã dừng.")
