"""Ingestion commands: init, sources, items."""
from __future__ import annotations

import json

import click
from rich.table import Table

from monitor.cli import cli, console
from monitor.store import parse_iso, utcnow



def local_time(text: str | None, tz) -> str:
    moment = parse_iso(text)
    return moment.astimezone(tz).strftime("%d/%m %H:%M") if moment else "-"


@cli.command()
@click.pass_obj
def init(obj):
    """Create or migrate the database and check feeds.toml.

    Example: monitor --db data/monitor.db init
    """
    from monitor.store.sources import sync_sources

    config = obj.config
    db = obj.store()
    sync_sources(db, config, utcnow())
    click.echo(f"Database {obj.db_path} ready; {len(config.sources)} sources from {obj.config_path}.")


@cli.command()
@click.pass_obj
def sources(obj):
    """Health of every source: last success, failures, next poll, items.

    A source that keeps failing, answers 404/410 or was moved is flagged so a
    dead feed is obvious. Example: monitor sources
    """
    from monitor.store.sources import source_health

    tz = obj.config.office.tz
    table = Table(title="Nguồn tin")
    for column in ("Nguồn", "Loại", "Trạng thái", "Lần thành công", "Lỗi liên tiếp", "Lần tới", "Tin"):
        table.add_column(column)
    for row in source_health(obj.store()):
        table.add_row(row["name"], row["kind"], health_label(row), local_time(row["last_success_at"], tz),
                      str(row["consecutive_failures"]), local_time(row["next_due_at"], tz), str(row["items"]))
    console().print(table)


def health_label(row: dict) -> str:
    """A short verdict a person can act on."""
    if not row["enabled"]:
        return "[dim]tắt[/dim]"
    if row["moved_to"]:
        return f"[yellow]đã chuyển → {row['moved_to']}[/yellow]"
    if row["last_status"] in (404, 410):
        return f"[red]CHẾT (HTTP {row['last_status']})[/red]"
    if row["consecutive_failures"] >= 3:
        return f"[red]LỖI: {row['last_error'] or ''}[/red]"
    if row["consecutive_failures"]:
        return f"[yellow]lỗi: {row['last_error'] or ''}[/yellow]"
    if row["last_success_at"] is None:
        return "chưa lấy"
    return "[green]tốt[/green]"


@cli.command()
@click.option("--search", "-s", help="Full-text search, with or without diacritics.")
@click.option("--source", help="Only this source.")
@click.option("--limit", "-n", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_obj
def items(obj, search, source, limit, as_json):
    """Latest items, or a search.

    Example: monitor items --search "bao luc hoc duong"
    """
    from monitor.store.items import latest_items, search_items

    db = obj.store()
    rows = search_items(db, search, limit) if search else latest_items(db, limit, source)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    tz = obj.config.office.tz
    table = Table()
    for column in ("#", "Thời gian", "Nguồn", "Tiêu đề", "Nhãn"):
        table.add_column(column)
    for row in rows:
        table.add_row(str(row["id"]), local_time(row["published_at"] or row["fetched_at"], tz), row["source"],
                      row["title"], tag_label(row))
    console().print(table)
    if not rows:
        click.echo("Không có tin nào." if not search else f"Không tìm thấy tin nào cho “{search}”.")


def tag_label(row: dict) -> str:
    if row.get("classified_at") is None:
        return ""
    if not row.get("is_education"):
        return "[dim]ngoài GD[/dim]"
    topics = ", ".join(json.loads(row["topics"] or "[]"))
    tone = {"negative": "[red]tiêu cực[/red]", "positive": "[green]tích cực[/green]"}.get(row["tone"], "trung tính")
    return f"{tone} {topics}"
