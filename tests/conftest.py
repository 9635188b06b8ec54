"""Shared fixtures: real SQLite files in tmp dirs, a real local HTTP server."""
from __future__ import annotations

import pytest

from monitor.config import parse_config
from monitor.store import open_store
from tests.feedserver import FeedServer

# Delivery fixtures: real SMTP and Zalo API servers, an injected clock.
pytest_plugins = ("tests.notify_fixtures",)


@pytest.fixture
def db(tmp_path):
    database = open_store(tmp_path / "test.db")
    yield database
    database.conn.close()


@pytest.fixture
def feed_server():
    server = FeedServer().start()
    yield server
    server.stop()


def make_config(sources_toml: str = "", polling_toml: str = "") -> object:
    """A config for one office with the given [[sources]] blocks; private addresses allowed (tests)."""
    return parse_config(
        f"""
[office]
name = "Văn phòng Sở GDĐT thử nghiệm"
province_code = 25

[polling]
timeout = "2s"
max_bytes = 1_000_000
default_interval = "10m"
allow_private = true
fulltext = false
{polling_toml}

{sources_toml}
"""
    )
