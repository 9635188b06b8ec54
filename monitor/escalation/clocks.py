"""Response clocks of an incident: since first seen, since the first alert, to the deadline (pure)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.escalation.hotness import duration_words


@dataclass(frozen=True)
class Clocks:
    since_seen: timedelta
    since_alert: timedelta | None
    to_deadline: timedelta | None     # negative once the deadline has passed

    @property
    def overdue(self) -> bool:
        return self.to_deadline is not None and self.to_deadline < timedelta(0)


def clocks(first_seen: datetime, first_alert_at: datetime | None, deadline_at: datetime | None,
           now: datetime, resolved_at: datetime | None = None) -> Clocks:
    """Clocks stop when the incident is resolved."""
    end = resolved_at or now
    return Clocks(end - first_seen, end - first_alert_at if first_alert_at else None,
                  deadline_at - end if deadline_at else None)


def deadline_words(to_deadline: timedelta | None) -> str:
    """'còn 5 giờ' / 'quá hạn 20 phút' / '-'."""
    if to_deadline is None:
        return "-"
    seconds = to_deadline.total_seconds()
    return f"còn {duration_words(seconds)}" if seconds >= 0 else f"quá hạn {duration_words(-seconds)}"


def since_words(elapsed: timedelta | None) -> str:
    return f"{duration_words(elapsed.total_seconds())} trước" if elapsed is not None else "-"
