"""The delivery commands: deliver sends what is due, outbox shows it, serve refuses to run without a link secret."""
from __future__ import annotations

from click.testing import CliRunner

from monitor.cli import cli
from monitor.notify import outbox
from monitor.store import open_store, utcnow
from tests.notify_fixtures import delivery_toml, make_alert


def test_deliver_then_outbox(smtp, tmp_path, monkeypatch):
    monkeypatch.delenv("MONITOR_LINK_SECRET", raising=False)
    config, path = tmp_path / "feeds.toml", tmp_path / "monitor.db"
    config.write_text(delivery_toml(smtp=smtp), encoding="utf-8")
    db = open_store(path)
    outbox.enqueue(db, make_alert(recipient="thanhtra"), utcnow())
    outbox.enqueue(db, make_alert(recipient="nobody", incident_id=2), utcnow())
    db.conn.close()
    runner = CliRunner()
    base = ["--db", str(path), "--config", str(config)]
    result = runner.invoke(cli, [*base, "deliver"])
    assert result.exit_code == 0 and "Đã gửi 2 tin." in result.output     # thanhtra, and the admin's notice
    assert len(smtp.wait_for(2)) == 2
    shown = runner.invoke(cli, [*base, "outbox"])
    assert shown.exit_code == 0 and "không gửi được" in shown.output and "nobody" in shown.output
    everything = runner.invoke(cli, [*base, "outbox", "--all"])
    assert "đã gửi: 2" in everything.output and "không gửi được: 1" in everything.output


def test_serve_needs_a_link_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("MONITOR_LINK_SECRET", raising=False)
    config = tmp_path / "feeds.toml"
    config.write_text(delivery_toml(), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "m.db"), "--config", str(config), "serve"])
    assert result.exit_code == 1 and "MONITOR_LINK_SECRET" in result.output and "Traceback" not in result.output
