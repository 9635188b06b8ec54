"""The `[web]` section of feeds.toml: the small HTTP app behind alert links."""
from __future__ import annotations

from pydantic import Field

from monitor.config import Duration, Strict


class Web(Strict):
    # Base URL people reach the app at; links in alerts start with it (env MONITOR_PUBLIC_URL).
    public_url: str = "http://127.0.0.1:8080"
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    # How long an acknowledge/resolve link stays valid.
    link_lifetime: Duration = 7 * 86400.0
    # Serve the app inside `monitor run` (one process); otherwise run `monitor serve` beside it.
    in_daemon: bool = False
