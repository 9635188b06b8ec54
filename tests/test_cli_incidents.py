"""`monitor incidents ...` on a real database: list with clocks, show with the audit log, the lifecycle,
silences, and errors as one Vietnamese line."""
from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from rich.console import Console

from monitor.cli import cli
from monitor.escalation import engine, incidents
from monitor.store import open_store, utcnow
from tests.escalation_fixtures import CONTACTS, ESCALATION, OFFICE, ROUTES, add_item, esc_config, violence_title


@pytest.fixture
def setup(tmp_path, monkeypatch):
    """A database holding one urgent incident that started 40 minutes ago."""
    config_path = tmp_path / "feeds.toml"
    config_path.write_text(OFFICE + CONTACTS + ROUTES + ESCALATION, encoding="utf-8")
    db_path = tmp_path / "monitor.db"
    db = open_store(db_path)
    config = esc_config()
    start = utcnow() - timedelta(minutes=40)
    for n in range(2):
        add_item(db, f"outlet{n}", violence_title(n), start + timedelta(minutes=5 * n))
        engine.process(db, config, start + timedelta(minutes=5 * n))
    monkeypatch.setenv("MONITOR_USER", "truc")
    monkeypatch.setattr("monitor.cli.incidents.console", Console(width=200))  # no wrapping inside cells
    runner = CliRunner()

    def run(*args):
        return runner.invoke(cli, ["--db", str(db_path), "--config", str(config_path), "incidents", *args])

    yield run, db


def test_list_shows_clocks(setup):
    run, _ = setup
    result = run("list")
    assert result.exit_code == 0, result.output
    assert "KHẨN" in result.output and "mới" in result.output
    assert "40 phút trước" in result.output       # since first seen
    assert "còn 23 giờ" in result.output          # urgent: 24 h from the first alert


def test_show_has_recipients_and_audit_log(setup):
    run, _ = setup
    result = run("show", "1")
    assert result.exit_code == 0, result.output
    for text in ("Sự cố #1", "Chánh Văn phòng", "mở sự cố", "lên lịch gửi", "đổi mức"):
        assert text in result.output


def test_lifecycle_from_the_command_line(setup):
    run, db = setup
    assert "đã nhận (truc)" in run("ack", "1").output
    assert run("handling", "1", "--note", "Đã cử đoàn xác minh").exit_code == 0
    result = run("resolve", "1", "--outcome", "Đã xác minh, xử lý kỷ luật", "--url", "https://so.example/tb/1")
    assert result.exit_code == 0, result.output
    assert run("close", "1").exit_code == 0
    incident = incidents.get(db, 1)
    assert (incident.state, incident.outcome, incident.public_url) == (
        "closed", "Đã xác minh, xử lý kỷ luật", "https://so.example/tb/1")
    actors = {r["action"]: r["actor"] for r in incidents.audit_log(db, 1)}
    assert actors["acknowledged"] == actors["closed"] == "truc (qua dòng lệnh)"
    assert "đã đóng" in run("list", "--all").output


def test_errors_are_one_line_in_vietnamese(setup):
    run, _ = setup
    result = run("close", "1")
    assert result.exit_code == 1
    assert "chưa có kết quả xử lý" in result.output and "Traceback" not in result.output
    assert "Không có sự cố #99" in run("ack", "99").output
    assert "Cần nhập kết quả xử lý" in run("resolve", "1", "--outcome", " ").output


def test_silence_add_list_lift(setup):
    run, db = setup
    result = run("silence", "add", "--topic", "school_violence", "--for", "2h", "--reason", "Đã họp báo")
    assert result.exit_code == 0, result.output
    assert "Đã họp báo" in run("silence", "list").output
    assert "Cần đúng một trong --story, --topic, --place" in run(
        "silence", "add", "--for", "1h", "--reason", "x").output
    assert run("silence", "add", "--topic", "no_such_topic", "--for", "1h", "--reason", "x").exit_code == 1
    assert run("silence", "lift", "1").exit_code == 0
    assert "Không có lệnh tắt cảnh báo nào" in run("silence", "list").output
