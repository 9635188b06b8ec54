"""The nouns that travel between modules: a fetch's outcome and a feed item."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class FetchResult:
    """What one HTTP fetch of a source gave us.

    ``status`` 304 means unchanged (``body`` is empty). ``error`` is set when
    the fetch failed; the source row records it and the scheduler backs off.
    """

    source: str
    url: str
    status: int | None = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    final_url: str | None = None      # set when the URL moved permanently (301/308)
    etag: str | None = None
    last_modified: str | None = None
    retry_after: float | None = None
    error: str | None = None
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300

    @property
    def not_modified(self) -> bool:
        return self.error is None and self.status == 304


@dataclass
class Item:
    """One normalised entry, ready for the store."""

    source: str
    guid: str
    url: str | None
    title: str
    summary: str = ""
    text: str = ""
    author: str | None = None
    outlet: str | None = None
    published_at: datetime | None = None
    language: str | None = "vi"


@dataclass
class ParseResult:
    """Parsers never raise on content: good items plus what went wrong."""

    items: list[Item] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    title: str | None = None
