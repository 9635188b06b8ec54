"""The `monitor` command. Commands are thin: parse options, call one library function, print.

Each command group lives in its own module and registers itself on ``cli``.
Every MonitorError is shown as one line, never a traceback.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

import click

from monitor.errors import MonitorError


class Context:
    """What every command needs: where the database and the config are."""

    def __init__(self, db_path: Path, config_path: Path):
        self.db_path, self.config_path = db_path, config_path
        self._config = None

    @property
    def config(self):
        from monitor.config import load_config

        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    def store(self):
        from monitor.store import open_store

        return open_store(self.db_path)


def console():
    """A fresh rich console per command, so the terminal width is read when the command runs."""
    from rich.console import Console

    return Console()


class MonitorGroup(click.Group):
    """Turns our errors into clean messages (exit code 2 for config, 1 otherwise)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except MonitorError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=MonitorGroup)
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              default=lambda: os.environ.get("MONITOR_DB", "data/monitor.db"), show_default="data/monitor.db",
              help="SQLite database file (env MONITOR_DB).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              default=lambda: os.environ.get("MONITOR_CONFIG", "feeds.toml"), show_default="feeds.toml",
              help="Configuration file (env MONITOR_CONFIG).")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(package_name="edu-monitor")
@click.pass_context
def cli(ctx, db_path, config_path, verbose):
    """Watch the press for education news, classify it and alert the right people.

    Example: monitor demo
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx.obj = Context(db_path, config_path)


from monitor.cli import core  # noqa: E402,F401  (each import registers its commands)
from monitor.cli import poll  # noqa: E402,F401
from monitor.cli import demo  # noqa: E402,F401
from monitor.cli import web  # noqa: E402,F401
from monitor.cli import incidents  # noqa: E402,F401
from monitor.cli import classify  # noqa: E402,F401
