"""Incident commands: list (with response clocks), show (with the audit log), ack, handling, resolve,
close, and silences."""
from __future__ import annotations

import getpass
import json
import os
from datetime import datetime, timedelta

import click
from rich.console import Console
from rich.table import Table

from monitor.cli import cli
from monitor.store import parse_iso, utcnow

console = Console()
LEVEL_STYLE = {"warning": "yellow", "urgent": "bold red", "critical": "bold white on red", "digest": "dim"}


def default_actor() -> str:
    """Who acts from the command line: MONITOR_USER, else the login name."""
    try:
        login = getpass.getuser()
    except Exception:  # no login name in some containers
        login = "cli"
    return os.environ.get("MONITOR_USER") or login


def who_option(func):
    return click.option("--by", "who", default=default_actor, show_default="MONITOR_USER or login name",
                        help="Who does it (recorded in the audit log).")(func)


def local(moment: datetime | None, tz) -> str:
    return moment.astimezone(tz).strftime("%H:%M %d/%m") if moment else "-"


def level_label(level: str) -> str:
    from monitor.escalation.words import level_name

    return f"[{LEVEL_STYLE.get(level, '')}]{level_name(level)}[/]"


@cli.group()
def incidents():
    """Incidents: hot stories that reached warning, from alert to published result.

    Example: monitor incidents list
    """


@incidents.command("list")
@click.option("--all", "show_all", is_flag=True, help="Also resolved and closed incidents.")
@click.option("--limit", "-n", default=30, show_default=True)
@click.pass_obj
def list_(obj, show_all, limit):
    """Open incidents with their clocks: since first seen, since the alert, to the response deadline.

    Example: monitor incidents list --all
    """
    from monitor.escalation.clocks import clocks, deadline_words, since_words
    from monitor.escalation.incidents import OPEN_STATES, STATE_NAMES, STATES, with_stories

    db, tz, now = obj.store(), obj.config.office.tz, utcnow()
    rows = with_stories(db, STATES if show_all else OPEN_STATES, limit)
    if not rows:
        click.echo("Không có sự cố nào đang mở." if not show_all else "Chưa có sự cố nào.")
        return
    table = Table(title="Sự cố truyền thông")
    for column in ("#", "Mức", "Trạng thái"):
        table.add_column(column, no_wrap=True)
    table.add_column("Chuỗi tin", overflow="ellipsis", max_width=60)
    for column in ("Nguồn", "Phát hiện", "Đã báo", "Hạn trả lời", "Xác nhận"):
        table.add_column(column)
    for incident, story in rows:
        c = clocks(parse_iso(story["first_seen"]), incident.first_alert_at, incident.deadline_at, now,
                   incident.resolved_at)
        deadline = deadline_words(c.to_deadline) if incident.is_open else STATE_NAMES[incident.state]
        if c.overdue and incident.is_open:
            deadline = f"[bold red]{deadline}[/]"
        places = ", ".join(json.loads(story["places"])[:1])
        table.add_row(str(incident.id), level_label(incident.level), STATE_NAMES[incident.state],
                      f"{story['title'][:70]}" + (f" [dim]({places})[/]" if places else ""),
                      str(story["outlet_count"]), since_words(c.since_seen), since_words(c.since_alert), deadline,
                      incident.acknowledged_by or "-")
    console.print(table)


@incidents.command()
@click.argument("incident_id", type=int)
@click.pass_obj
def show(obj, incident_id):
    """One incident: story, clocks, who was told, and its audit log.

    Example: monitor incidents show 12
    """
    from monitor.escalation.clocks import clocks, deadline_words, since_words
    from monitor.escalation.incidents import STATE_NAMES, audit_log, get, recipients_table
    from monitor.escalation.planner import story_view
    from monitor.escalation.words import action_name, level_name

    db, tz, now = obj.store(), obj.config.office.tz, utcnow()
    incident = get(db, incident_id)
    view = story_view(db, incident.story_id)
    c = clocks(view.first_seen, incident.first_alert_at, incident.deadline_at, now, incident.resolved_at)
    console.print(f"[bold]Sự cố #{incident.id}[/] · {level_label(incident.level)} · {STATE_NAMES[incident.state]}"
                  + (f" · mở lại {incident.reopened} lần" if incident.reopened else ""))
    console.print(f"[bold]{view.title}[/]")
    console.print(view.explanation)
    console.print(f"Phát hiện: {local(view.first_seen, tz)} ({since_words(c.since_seen)}) · "
                  f"Cảnh báo đầu: {local(incident.first_alert_at, tz)} ({since_words(c.since_alert)}) · "
                  f"Hạn trả lời: {local(incident.deadline_at, tz)} ({deadline_words(c.to_deadline)})")
    if incident.outcome:
        console.print(f"Kết quả xử lý: {incident.outcome}" + (f" — {incident.public_url}" if incident.public_url else ""))
    names = {key: contact.name for key, contact in obj.config.contacts.items()}
    people = Table(title="Người nhận")
    for column in ("Người nhận", "Qua", "Mức đã báo", "Cập nhật", "Lần cuối", "Đang giữ"):
        people.add_column(column)
    for r in recipients_table(db, incident.id):
        people.add_row(names.get(r["recipient"], r["recipient"]), r["via"], level_name(r["level"] or "-"),
                       str(r["updates"]),
                       local(parse_iso(r["last_sent_at"]), tz), "giờ yên tĩnh" if r["held_since"] else "")
    console.print(people)
    log = Table(title="Nhật ký")
    for column in ("Lúc", "Ai", "Việc", "Chi tiết"):
        log.add_column(column)
    for r in audit_log(db, incident.id):
        log.add_row(local(parse_iso(r["at"]), tz), r["actor"], action_name(r["action"]), r["detail"])
    console.print(log)
    console.print("Các bài: ")
    for item in view.items[:10]:
        console.print(f"  • {item.title} ({item.outlet}) {item.url or ''}")


@incidents.command()
@click.argument("incident_id", type=int)
@who_option
@click.pass_obj
def ack(obj, incident_id, who):
    """Acknowledge an incident: its escalation stops.

    Example: monitor incidents ack 12 --by chanh_vp
    """
    from monitor.escalation.incidents import STATE_NAMES, acknowledge

    incident = acknowledge(obj.store(), incident_id, who, utcnow(), via="cli")
    click.echo(f"Sự cố #{incident.id}: {STATE_NAMES[incident.state]} ({incident.acknowledged_by}).")


@incidents.command()
@click.argument("incident_id", type=int)
@click.option("--note", default="", help="What is being done.")
@who_option
@click.pass_obj
def handling(obj, incident_id, note, who):
    """Mark an incident as being handled.

    Example: monitor incidents handling 12 --note "Đã cử đoàn xác minh tại trường"
    """
    from monitor.escalation.incidents import start_handling

    incident = start_handling(obj.store(), incident_id, who, utcnow(), via="cli", note=note)
    click.echo(f"Sự cố #{incident.id}: đang xử lý ({incident.handling_by}).")


@incidents.command()
@click.argument("incident_id", type=int)
@click.option("--outcome", required=True, help='The handling result ("kết quả xử lý").')
@click.option("--url", "public_url", default=None, help="Link to the public response (portal, press release).")
@who_option
@click.pass_obj
def resolve(obj, incident_id, outcome, public_url, who):
    """Record the handling result and the public response; everyone alerted is told.

    Example: monitor incidents resolve 12 --outcome "Đã xác minh, kỷ luật giáo viên" --url https://...
    """
    from monitor.escalation.incidents import resolve as do_resolve

    incident = do_resolve(obj.store(), incident_id, who, outcome, public_url, utcnow(), via="cli")
    click.echo(f"Sự cố #{incident.id}: đã xử lý. Đã báo cho những người đã nhận cảnh báo.")


@incidents.command()
@click.argument("incident_id", type=int)
@who_option
@click.pass_obj
def close(obj, incident_id, who):
    """Close a resolved incident.

    Example: monitor incidents close 12
    """
    from monitor.escalation.incidents import close as do_close

    incident = do_close(obj.store(), incident_id, who, utcnow(), via="cli")
    click.echo(f"Sự cố #{incident.id}: đã đóng.")


@incidents.group()
def silence():
    """Mute alerts for a story, a topic or a place until a time.

    Example: monitor incidents silence list
    """


def until_from(for_, until, tz, now: datetime) -> datetime:
    from monitor.config import parse_duration

    if bool(for_) == bool(until):
        raise click.UsageError("Cần đúng một trong --for hoặc --until.")
    if for_:
        try:
            return now + timedelta(seconds=parse_duration(for_))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--for") from None
    try:
        moment = datetime.strptime(until, "%Y-%m-%d %H:%M")
    except ValueError:
        raise click.BadParameter("dạng YYYY-MM-DD HH:MM, giờ địa phương", param_hint="--until") from None
    return moment.replace(tzinfo=tz)


@silence.command("add")
@click.option("--story", "story_id", type=int, help="A story id (see incidents show).")
@click.option("--topic", help="A topic slug, e.g. school_violence.")
@click.option("--place", help='A place, e.g. "Xã Mai Châu".')
@click.option("--for", "for_", help='How long, e.g. "6h", "2d".')
@click.option("--until", help='Until a local time "YYYY-MM-DD HH:MM".')
@click.option("--reason", required=True, help="Why (recorded).")
@who_option
@click.pass_obj
def silence_add(obj, story_id, topic, place, for_, until, reason, who):
    """Mute one story, topic or place until a time, with a reason.

    Example: monitor incidents silence add --topic exams_admissions --for 6h --reason "Đã họp báo"
    """
    from monitor.escalation.silences import add

    chosen = [(scope, value) for scope, value in (("story", story_id), ("topic", topic), ("place", place))
              if value is not None]
    if len(chosen) != 1:
        raise click.UsageError("Cần đúng một trong --story, --topic, --place.")
    now = utcnow()
    end = until_from(for_, until, obj.config.office.tz, now)
    scope, value = chosen[0]
    sid = add(obj.store(), scope, str(value), end, reason, who, now)
    click.echo(f"Đã tắt cảnh báo #{sid} ({scope}: {value}) đến {local(end, obj.config.office.tz)}.")


@silence.command("list")
@click.option("--all", "show_all", is_flag=True, help="Also ended silences.")
@click.pass_obj
def silence_list(obj, show_all):
    """Silences in force (and, with --all, ended ones).

    Example: monitor incidents silence list --all
    """
    from monitor.escalation.silences import listing

    tz = obj.config.office.tz
    rows = listing(obj.store(), utcnow(), show_all)
    if not rows:
        click.echo("Không có lệnh tắt cảnh báo nào.")
        return
    table = Table(title="Tắt cảnh báo")
    for column in ("#", "Phạm vi", "Giá trị", "Đến", "Lý do", "Người đặt"):
        table.add_column(column)
    for r in rows:
        table.add_row(str(r["id"]), r["scope"], r["value"], local(parse_iso(r["until"]), tz), r["reason"],
                      r["created_by"])
    console.print(table)


@silence.command("lift")
@click.argument("silence_id", type=int)
@who_option
@click.pass_obj
def silence_lift(obj, silence_id, who):
    """End a silence now.

    Example: monitor incidents silence lift 3
    """
    from monitor.escalation.silences import lift

    lift(obj.store(), silence_id, who, utcnow())
    click.echo(f"Đã bật lại cảnh báo (#{silence_id}).")
