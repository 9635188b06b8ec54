"""The demo's alert scenario end to end: the demo server's feeds -> classification -> incident -> alerts on
three channels -> escalation -> acknowledgement through the signed link on the real web app -> audit log."""
from __future__ import annotations

import asyncio

from rich.console import Console

from monitor.config import parse_config
from monitor.daemon import close_runtime, open_runtime
from monitor.demo.alerts import alert_scenario
from monitor.demo.run import Demo
from monitor.demo.server import DemoServer
from monitor.escalation import incidents
from monitor.notify import outbox
from monitor.store import open_store


def test_alert_scenario_reaches_an_acknowledged_incident(tmp_path):
    db = open_store(tmp_path / "monitor.db")
    config = parse_config('[office]\nname = "demo"\nprovince_code = 25\n[polling]\nallow_private = true\n')
    console = Console(record=True, width=200)

    async def run(server):
        rt = open_runtime(db, config)
        try:
            await alert_scenario(Demo(server=server, config=config, db=db, rt=rt, console=console))
        finally:
            await close_runtime(rt)

    with DemoServer() as server:
        asyncio.run(run(server))
    output = console.export_text()
    scenario = open_store(tmp_path / "alerts.db")
    [incident] = incidents.find(scenario, states=incidents.STATES)
    assert incident.state == "acknowledged" and incident.acknowledged_by
    sent = outbox.rows(scenario, "status = 'sent'")
    assert {r["channel"] for r in sent} == {"zalo_bot", "zns", "email"}
    assert any(r["kind"] == "escalation" for r in sent)
    actions = [row["action"] for row in incidents.audit_log(scenario, incident.id)]
    assert actions[0] == "opened" and "escalated" in actions and actions[-1] == "acknowledged"
    assert "Đã ghi nhận." in output and "Chuyển cấp" in output
    # The outlets' feeds were the demo server's, answering 304 while an outlet had nothing new.
    scenario_feeds = [(path, status) for path, status in server.requests if path.startswith("/feeds/alert-")]
    assert {status for _, status in scenario_feeds} == {200, 304}
    assert scenario.execute("SELECT COUNT(*) FROM fetch_log WHERE outcome = 'not_modified'").fetchone()[0] > 0
