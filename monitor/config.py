"""feeds.toml -> validated, frozen settings.

Loaded once and strictly: unknown keys are errors, defaults live in the
models below, and every error names the key and the line it sits on.
Secrets never live here; they come from environment variables.
"""
from __future__ import annotations

import re
import tomllib
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from monitor.errors import ConfigError

DEFAULT_CONFIG = Path("feeds.toml")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


def parse_duration(value: Any) -> float:
    """Seconds from 900, "900", "15m", "6h" or "1d"."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 900, '15m' or '6h'")
    if isinstance(value, (int, float)):
        return float(value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"{value!r} is not a duration such as 900, '15m' or '6h'")
    return float(match.group(1)) * _UNITS[match.group(2)]


Duration = Annotated[float, BeforeValidator(parse_duration), Field(gt=0)]
Reach = Literal["national", "local", "official", "social"]
Kind = Literal["rss", "atom", "google_news", "html"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Office(Strict):
    name: str
    province_code: int = Field(ge=1, le=96)
    timezone: str = "Asia/Ho_Chi_Minh"
    contact_email: str = ""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def province(self) -> str:
        """The 2025 province name for ``province_code`` (from the vietnam-provinces package)."""
        from vietnam_provinces import Province, ProvinceCode

        return Province.from_code(ProvinceCode(self.province_code)).name


class Polling(Strict):
    """How politely and how hard we fetch."""

    max_concurrency: int = Field(16, ge=1, le=512)   # httpcore scans its whole pool per request: more costs CPU
    per_host: int = Field(4, ge=1, le=64)
    timeout: Duration = 20.0
    max_bytes: int = Field(5_000_000, ge=10_000)
    max_redirects: int = Field(5, ge=0, le=20)
    default_interval: Duration = 900.0
    min_interval: Duration = 60.0
    max_backoff: Duration = 6 * 3600.0
    fulltext: bool = True
    fulltext_per_cycle: int = Field(50, ge=0)
    allow_private: bool = False
    contact: str = ""


class Source(Strict):
    name: str = Field(min_length=1)
    kind: Kind = "rss"
    url: str = ""
    query: str = ""
    interval: Duration | None = None
    reach: Reach = "national"
    tags: tuple[str, ...] = ()
    enabled: bool = True

    @model_validator(mode="after")
    def _url_or_query(self) -> "Source":
        if self.kind == "google_news":
            if not (self.query or self.url):
                raise ValueError("a google_news source needs 'query'")
        elif not self.url:
            raise ValueError(f"a {self.kind} source needs 'url'")
        if self.url and not re.match(r"^https?://", self.url):
            raise ValueError(f"url must start with http:// or https://, got {self.url!r}")
        return self

    @property
    def fetch_url(self) -> str:
        """The URL to fetch; Google News searches in Vietnamese for Vietnam."""
        if self.kind == "google_news" and not self.url:
            return (
                "https://news.google.com/rss/search?q="
                + quote_plus(self.query)
                + "&hl=vi&gl=VN&ceid=VN:vi"
            )
        return self.url

    @property
    def is_education_source(self) -> bool:
        return "education" in self.tags


# Feature sections live beside their features; they import Strict/Duration from here.
from monitor.notify.config import Delivery  # noqa: E402
from monitor.web.config import Web  # noqa: E402
from monitor.escalation.config import (  # noqa: E402
    Contact, Escalation, Hotness, Route, Stories, check_references, keyed_contacts,
)


class Config(Strict):
    office: Office
    polling: Polling = Polling()
    sources: tuple[Source, ...] = ()
    delivery: Delivery = Delivery()
    web: Web = Web()
    contacts: dict[str, Contact] = {}
    routes: Route = Route()
    escalation: Escalation = Escalation()
    hotness: Hotness = Hotness()
    stories: Stories = Stories()

    _keyed_contacts = field_validator("contacts", mode="before")(keyed_contacts)

    @model_validator(mode="after")
    def _unique_names(self) -> "Config":
        seen: set[str] = set()
        for source in self.sources:
            if source.name in seen:
                raise ValueError(f"two sources are named {source.name!r}")
            seen.add(source.name)
        return self

    def interval(self, source: Source) -> float:
        return max(source.interval or self.polling.default_interval, self.polling.min_interval)

    def source(self, name: str) -> Source | None:
        return self._by_name.get(name)

    @cached_property
    def _by_name(self) -> dict[str, Source]:
        return {source.name: source for source in self.sources}


def load_config(path: str | Path = DEFAULT_CONFIG) -> Config:
    """Read and validate feeds.toml; every problem becomes a ConfigError with key and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found", path=str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text", path=str(path)) from None
    return parse_config(text, str(path))


def parse_config(text: str, origin: str = "feeds.toml") -> Config:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise ConfigError(f"not valid TOML ({exc})", line=int(line.group(1)) if line else None, path=origin) from None
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and ("[" in p or p.startswith("function-"))))
        key = _dotted(loc)
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            message = "unknown key"
        elif first["type"] == "missing":
            message = "required key is missing"
        raise ConfigError(message, key=key or None, line=locate(text, loc), path=origin) from None
    for loc, message in check_references(config):  # e.g. a route naming an unknown contact
        raise ConfigError(message, key=_dotted(loc), line=locate(text, loc), path=origin)
    return config


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"']+)\s*=")


def locate(text: str, loc: tuple) -> int | None:
    """Best line number for a pydantic error location in TOML text.

    Walks table headers: ``("sources", 3, "url")`` is the ``url =`` line inside
    the fourth ``[[sources]]`` block, or that block's header when the key is
    absent; nested arrays of tables (``[[routes.routes.routes]]``) count within
    their parent block. A key inside an inline table is the line of that
    table's key; dotted keys fall back to the nearest header.
    """
    table: list = []
    current: dict[tuple, int] = {}  # index of the latest block of each array of tables, nested ones included
    best: int | None = None
    inline: int | None = None
    want_table = [p for p in loc[:-1]] if loc else []
    leaf = loc[-1] if loc else None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            name = header.group(2).strip().strip("\"'")
            parts = name.split(".")
            table = _within_arrays(parts[:-1], current) + [parts[-1]]
            if header.group(1) == "[[":
                index = current.get(tuple(table), -1) + 1
                current[tuple(table)] = index
                table = table + [index]
            if table == list(loc) or table == want_table:
                best = number
            continue
        key = _KEY.match(line)
        if key and key.group(1).strip("\"'") == leaf and table == want_table:
            return number
        if key and not want_table and key.group(1) == leaf and not table:
            return number
        depth = len(table)
        if (key and inline is None and len(loc) > depth + 1 and table == list(loc[:depth])
                and key.group(1).strip("\"'") == loc[depth]):
            inline = number  # inside an inline table: `ack_timeout = { urgent = ... }`
    if best is None and inline is not None:
        return inline
    if best is None and loc:
        # The table itself (e.g. a missing [office]) or its first key.
        for number, line in enumerate(text.splitlines(), start=1):
            if re.match(rf"^\s*\[\[?\s*{re.escape(str(loc[0]))}\s*\]", line):
                return number
    return best


def _within_arrays(parts: list[str], current: dict[tuple, int]) -> list:
    """``routes.routes`` inside the second ``[[routes.routes]]`` block -> ["routes", "routes", 1]."""
    resolved: list = []
    for part in parts:
        resolved.append(part)
        if tuple(resolved) in current:
            resolved.append(current[tuple(resolved)])
    return resolved
