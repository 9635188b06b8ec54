"""The sections of feeds.toml the escalation engine reads.

``[contacts.<key>]`` people who receive alerts; ``[routes]`` the routing tree;
``[escalation]`` timeouts, chain, repeats, grouping, quiet hours, deadlines;
``[hotness]`` the score and its levels; ``[stories]`` clustering. Defaults
sit here, next to the models. References between sections (a route naming a
contact) are checked by ``check_references`` when the file is loaded.
"""
from __future__ import annotations

import re
from typing import Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from monitor.config import Duration, Strict
from monitor.escalation.topics import SEVERITY, TOPIC_SLUGS

AlertLevel = Literal["warning", "urgent", "critical"]
SchoolLevel = Literal["preschool", "primary", "lower_secondary", "upper_secondary", "continuing", "unknown"]
LEVELS = ("digest", "warning", "urgent", "critical")
ALERT_LEVELS: tuple[AlertLevel, ...] = ("warning", "urgent", "critical")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def rank(level: str) -> int:
    """digest 0 < warning 1 < urgent 2 < critical 3."""
    return LEVELS.index(level)


class Contact(Strict):
    """One person (or shared mailbox) who can receive alerts. ``key`` is the table name."""

    key: str = ""
    name: str = Field(min_length=1)
    role: str = ""
    unit: str = ""
    email: str = ""
    zalo_chat_id: str = ""
    phone: str = ""

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value and not _EMAIL.match(value):
            raise ValueError(f"{value!r} is not an email address")
        return value

    @model_validator(mode="after")
    def _reachable(self) -> "Contact":
        if not (self.email or self.zalo_chat_id or self.phone):
            raise ValueError("a contact needs at least one of email, zalo_chat_id, phone")
        return self


class Route(Strict):
    """A node of the routing tree.

    A route matches a story when every condition it sets holds: ``topics`` (any
    of them), ``places`` (any of them, at any level: province, legacy province,
    district, commune; administrative prefixes and tone marks ignored),
    ``school_levels`` (any; "unknown" matches a story whose level is not known),
    ``min_level`` and ``own_province``. A matching route sends to its ``to``
    and then tries its children in order: the first child that matches wins,
    unless that child says ``continue = true``, in which case the next ones are
    tried as well.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str = ""
    topics: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    school_levels: tuple[SchoolLevel, ...] = ()
    min_level: AlertLevel = "warning"
    own_province: bool | None = None
    to: tuple[str, ...] = ()
    continue_: bool = Field(False, alias="continue")
    routes: tuple["Route", ...] = ()

    @field_validator("topics")
    @classmethod
    def _known_topics(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for slug in value:
            if slug not in TOPIC_SLUGS:
                raise ValueError(f"unknown topic {slug!r} (known: {', '.join(TOPIC_SLUGS)})")
        return value


def _per_level(defaults: dict[str, float]):
    """A before-validator that lays the given per-level values over the defaults."""

    def merge(value):
        if not isinstance(value, dict):
            raise ValueError("expected a table with warning, urgent and/or critical")
        unknown = set(value) - set(ALERT_LEVELS)
        if unknown:
            raise ValueError(f"unknown level {sorted(unknown)[0]!r} (levels: warning, urgent, critical)")
        return {**defaults, **value}

    return merge


DEFAULT_ACK_TIMEOUT = {"warning": 4 * 3600.0, "urgent": 30 * 60.0, "critical": 15 * 60.0}
DEFAULT_REPEAT = {"warning": 24 * 3600.0, "urgent": 2 * 3600.0, "critical": 3600.0}
DEFAULT_DEADLINE = {"warning": 72 * 3600.0, "urgent": 24 * 3600.0, "critical": 6 * 3600.0}
_PER_LEVEL_DEFAULTS = {"ack_timeout": DEFAULT_ACK_TIMEOUT, "repeat_interval": DEFAULT_REPEAT,
                       "response_deadline": DEFAULT_DEADLINE}


class QuietHours(Strict):
    """Local office hours when warning alerts wait for the morning. Urgent and critical never wait."""

    enabled: bool = True
    start: str = "21:00"
    end: str = "07:00"

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _CLOCK.match(value):
            raise ValueError(f"{value!r} is not a time of day such as '21:00'")
        return value

    def minutes(self, which: str) -> int:
        hours, minutes = getattr(self, which).split(":")
        return int(hours) * 60 + int(minutes)


class Escalation(Strict):
    admin: str = ""
    chain: tuple[str, ...] = ()
    ack_timeout: dict[AlertLevel, Duration] = Field(default_factory=lambda: dict(DEFAULT_ACK_TIMEOUT))
    repeat_interval: dict[AlertLevel, Duration] = Field(default_factory=lambda: dict(DEFAULT_REPEAT))
    response_deadline: dict[AlertLevel, Duration] = Field(default_factory=lambda: dict(DEFAULT_DEADLINE))
    remind_before: Duration = 3600.0
    group_interval: Duration = 1800.0
    update_new_outlets: int = Field(3, ge=1)
    max_updates: int = Field(3, ge=0, le=50)
    reopen_new_items: int = Field(3, ge=1)
    close_after: Duration = 7 * 86400.0
    quiet_hours: QuietHours = QuietHours()

    @field_validator("ack_timeout", "repeat_interval", "response_deadline", mode="before")
    @classmethod
    def _over_defaults(cls, value, info):
        return _per_level(_PER_LEVEL_DEFAULTS[info.field_name])(value)

    @field_validator("chain")
    @classmethod
    def _no_repeats(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("a contact appears twice in the chain")
        return value


class Weights(Strict):
    """Points each component can give; the score is their sum (0-100 with the defaults)."""

    severity: float = Field(25.0, ge=0)
    negative: float = Field(20.0, ge=0)
    spread: float = Field(30.0, ge=0)
    velocity: float = Field(15.0, ge=0)
    spike: float = Field(10.0, ge=0)


class Thresholds(Strict):
    """The least score for each level; below ``warning`` a story only goes to the digest."""

    warning: float = 40.0
    urgent: float = 60.0
    critical: float = 75.0

    @model_validator(mode="after")
    def _ascending(self) -> "Thresholds":
        if not (0 < self.warning < self.urgent < self.critical):
            raise ValueError("thresholds must rise: 0 < warning < urgent < critical")
        return self


class Spike(Strict):
    """A topic's or place's volume now against its own baseline (social by the hour, news by the day)."""

    social_recent: Duration = 3600.0
    social_baseline: Duration = 12 * 3600.0
    news_recent: Duration = 86400.0
    news_baseline: Duration = 14 * 86400.0
    min_count: int = Field(3, ge=1)
    ratio: float = Field(3.0, gt=1)
    full_ratio: float = Field(6.0, gt=1)


def _severity_merge(value):
    if not isinstance(value, dict):
        raise ValueError("expected a table of topic = severity (0-1)")
    for slug in value:
        if slug not in TOPIC_SLUGS:
            raise ValueError(f"unknown topic {slug!r} (known: {', '.join(TOPIC_SLUGS)})")
    return {**SEVERITY, **value}


class Hotness(Strict):
    weights: Weights = Weights()
    levels: Thresholds = Thresholds()
    spike: Spike = Spike()
    severity: dict[str, float] = Field(default_factory=lambda: dict(SEVERITY))
    min_negative: float = Field(0.5, ge=0, le=1)
    spread_full_outlets: int = Field(8, ge=2)
    national_outlets: int = Field(2, ge=1)
    elsewhere_factor: float = Field(0.8, ge=0, le=1)
    velocity_window: Duration = 2 * 3600.0
    velocity_full: float = Field(4.0, gt=0)
    engagement_full: int = Field(10_000, ge=1)

    @field_validator("severity", mode="before")
    @classmethod
    def _over_default_severity(cls, value):
        return _severity_merge(value)

    @field_validator("severity")
    @classmethod
    def _unit_interval(cls, value: dict[str, float]) -> dict[str, float]:
        for slug, weight in value.items():
            if not 0 <= weight <= 1:
                raise ValueError(f"severity of {slug!r} must be between 0 and 1")
        return value


class Stories(Strict):
    """Clustering items into stories within a sliding window."""

    window: Duration = 72 * 3600.0
    incident_window: Duration = 14 * 86400.0
    num_perm: int = Field(64, ge=16, le=256)
    lsh_threshold: float = Field(0.5, gt=0, lt=1)
    near_duplicate: float = Field(0.5, gt=0, le=1)
    same_event: float = Field(0.35, gt=0, le=1)
    event_gap: Duration = 48 * 3600.0


def check_references(config) -> list[tuple[tuple, str]]:
    """Cross-references between sections: (location, message) for each contact key that does not exist."""
    known = set(config.contacts)
    problems: list[tuple[tuple, str]] = []

    def need(key: str, loc: tuple) -> None:
        if key not in known:
            listed = ", ".join(sorted(known)) or "none defined"
            problems.append((loc, f"unknown contact {key!r} (contacts: {listed})"))

    def walk(route: Route, loc: tuple) -> None:
        for key in route.to:
            need(key, loc + ("to",))
        for index, child in enumerate(route.routes):
            walk(child, loc + ("routes", index))

    walk(config.routes, ("routes",))
    for key in config.escalation.chain:
        need(key, ("escalation", "chain"))
    if config.escalation.admin:
        need(config.escalation.admin, ("escalation", "admin"))
    return problems


def keyed_contacts(value):
    """``[contacts.<key>]`` tables -> Contact models whose ``key`` is the table name."""
    if not isinstance(value, dict):
        raise ValueError("expected tables [contacts.<key>]")
    out = {}
    for key, body in value.items():
        if not re.match(r"^[A-Za-z0-9_\-]+$", key):
            raise ValueError(f"contact key {key!r} may only hold letters, digits, '_' and '-'")
        out[key] = {**body, "key": key} if isinstance(body, dict) else body
    return out
