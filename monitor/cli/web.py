"""Delivery and web commands: serve, outbox, deliver."""
from __future__ import annotations

import asyncio

import click
from rich.console import Console
from rich.table import Table

from monitor.cli import cli
from monitor.cli.core import local_time
from monitor.store import utcnow

console = Console()
STATUS_NAMES = {"pending": "chờ gửi", "sending": "đang gửi", "sent": "đã gửi", "failed": "chuyển kênh",
                "dead": "không gửi được"}


@cli.command()
@click.option("--host", help="Address to listen on (default: web.host in feeds.toml).")
@click.option("--port", type=int, help="Port (default: web.port in feeds.toml).")
@click.pass_obj
def serve(obj, host, port):
    """Serve the acknowledge/resolve links of alerts (needs MONITOR_LINK_SECRET).

    Run it beside `monitor run`, or set web.in_daemon = true to serve from the
    daemon itself. Example: MONITOR_LINK_SECRET=... monitor serve --port 8080
    """
    from monitor.web.app import create_app, link_secret, serve as run_app

    config = obj.config
    app = create_app(obj.store(), config, link_secret())
    host, port = host or config.web.host, port or config.web.port
    click.echo(f"Đang phục vụ liên kết xác nhận tại http://{host}:{port} (Ctrl-C để dừng).")
    asyncio.run(run_app(app, host, port))


@cli.command()
@click.option("--all", "show_all", is_flag=True, help="Also messages already sent.")
@click.option("--limit", "-n", default=30, show_default=True)
@click.pass_obj
def outbox(obj, show_all, limit):
    """Alerts waiting, retrying, or dead in the outbox (and, with --all, sent).

    Example: monitor outbox --all
    """
    from monitor.notify import outbox as box

    db, tz = obj.store(), obj.config.office.tz
    where = "1" if show_all else "status != 'sent'"
    rows = box.rows(db, where, order=f"id DESC LIMIT {int(limit)}")
    table = Table(title="Hộp thư đi")
    for column in ("#", "Sự cố", "Người nhận", "Kênh", "Mức", "Trạng thái", "Lần thử", "Lần tới / đã gửi", "Lỗi"):
        table.add_column(column)
    for r in rows:
        when = r["sent_at"] if r["status"] == "sent" else r["next_attempt_at"]
        status = STATUS_NAMES.get(r["status"], r["status"]) + (" (gửi lại)" if r["repeat"] else "")
        table.add_row(str(r["id"]), str(r["incident_id"]), r["recipient"], r["channel"] or "-", r["level"], status,
                      str(r["attempts"]), local_time(when, tz), (r["last_error"] or "")[:60])
    console.print(table)
    counts = box.counts(db)
    click.echo(", ".join(f"{STATUS_NAMES.get(k, k)}: {v}" for k, v in sorted(counts.items())) or "Hộp thư đi trống.")


@cli.command()
@click.pass_obj
def deliver(obj):
    """Send what is due in the outbox now, once (the daemon does this every second).

    Example: monitor deliver
    """
    from monitor.notify.deliver import drain

    sent = asyncio.run(drain(obj.store(), obj.config, utcnow()))
    click.echo(f"Đã gửi {sent} tin.")
