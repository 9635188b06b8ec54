"""`monitor demo`: the whole job on recorded real data, with no internet."""
from __future__ import annotations

import click
from rich.console import Console

from monitor.cli import cli


@cli.command()
def demo():
    """Run the main job offline: serve recorded real feeds locally, poll them, store and show the result.

    The demo's database and config are written to data/demo/ so you can look
    around afterwards. Example: monitor demo && monitor --db data/demo/monitor.db items
    """
    from monitor.demo.run import run_demo

    console = Console()
    db_path = run_demo(console)
    console.print(f"Xem thêm: monitor --db {db_path} --config {db_path.parent / 'feeds.toml'} items")
