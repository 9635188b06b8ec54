"""Contract tests every notifier passes: its retry answer per status code and no secret in error text or logs.

Each runs against a real local server: aiosmtpd for e-mail, a local HTTP
server speaking the Zalo APIs' shapes for Zalo Bot, ZNS and the webhook.
"""
from __future__ import annotations

import asyncio
import logging

import pytest

from monitor.demo.smtp_server import LocalSMTP, free_port
from monitor.errors import DeliveryError
from monitor.notify import render, zalo_oauth
from monitor.notify.base import Message, retryable_status
from monitor.notify.email import EmailNotifier
from monitor.notify.registry import build_registry
from monitor.notify.webhook import WebhookNotifier
from monitor.notify.zalo_bot import ZaloBotNotifier
from monitor.notify.zns import ZnsNotifier, zalo_phone
from tests.notify_fixtures import make_alert, make_delivery_config, zalo_env

STATUSES = [400, 401, 403, 404, 409, 410, 413, 422, 429, 500, 502, 503, 504]
SECRETS = ("bot-token-demo", "app-secret-demo", "hook-token-secret")


def message(channel: str, address: str, **kwargs) -> Message:
    return Message(alert=make_alert(**kwargs), channel=channel, address=address, contact_name="Lê Hoàng Nam",
                   key=f"1.thanhtra.{channel}.urgent.0", office="Văn phòng Sở GDĐT thử nghiệm",
                   links={"ack": "http://127.0.0.1:8080/l/ack-token", "resolve": "http://127.0.0.1:8080/l/res-token"})


def notifier(channel: str, config, env, db=None, clock=None):
    kwargs = {"db": db, "clock": clock} if clock else {"db": db}
    factories = {"zalo_bot": ZaloBotNotifier, "zns": ZnsNotifier, "webhook": WebhookNotifier,
                 "email": EmailNotifier}
    return factories[channel].from_settings(config.delivery, env, **kwargs)


ADDRESSES = {"zalo_bot": "zl-chat-nam", "zns": "84912345678", "webhook": "-"}
API = {"zalo_bot": "bot", "zns": "zns", "webhook": "webhook"}


async def send_expecting_error(n, msg) -> DeliveryError:
    with pytest.raises(DeliveryError) as caught:
        await n.send(msg)
    await n.aclose()
    return caught.value


@pytest.mark.parametrize("channel", ["zalo_bot", "zns", "webhook"])
@pytest.mark.parametrize("status", STATUSES)
def test_http_channel_retry_answer_per_status(channel, status, zalo, db, clock):
    config = make_delivery_config(zalo=zalo)
    env = zalo_env(zalo, MONITOR_WEBHOOK_TOKEN="hook-token-secret")
    zalo.webhook_token = "hook-token-secret"
    zalo.fail(API[channel], status)
    n = notifier(channel, config, env, db, clock)
    error = asyncio.run(send_expecting_error(n, message(channel, ADDRESSES[channel])))
    assert error.retryable is (status >= 500 or status == 429)
    assert error.retryable is retryable_status(status)
    for secret in SECRETS:
        assert secret not in str(error)


@pytest.mark.parametrize("channel", ["zalo_bot", "zns", "webhook"])
def test_http_channel_network_error_is_retryable_and_names_no_url(channel, db, clock):
    port = free_port()  # nothing listens there
    env = {"MONITOR_ZALO_BOT_TOKEN": "bot-token-demo", "MONITOR_ZALO_BOT_URL": f"http://127.0.0.1:{port}",
           "MONITOR_ZALO_APP_ID": "app", "MONITOR_ZALO_APP_SECRET": "app-secret-demo",
           "MONITOR_ZALO_REFRESH_TOKEN": "refresh-0", "MONITOR_ZNS_URL": f"http://127.0.0.1:{port}",
           "MONITOR_ZALO_OAUTH_URL": f"http://127.0.0.1:{port}", "MONITOR_WEBHOOK_URL": f"http://127.0.0.1:{port}/h",
           "MONITOR_WEBHOOK_TOKEN": "hook-token-secret"}
    config = make_delivery_config()
    n = notifier(channel, config, env, db, clock)
    error = asyncio.run(send_expecting_error(n, message(channel, ADDRESSES[channel])))
    assert error.retryable
    assert "127.0.0.1" not in str(error) and all(s not in str(error) for s in SECRETS)


def test_zalo_bot_token_never_reaches_logs_or_errors(zalo, db, clock, caplog):
    caplog.set_level(logging.DEBUG)
    config = make_delivery_config(zalo=zalo)
    zalo.fail("bot", 401, 500, "expired", "garbage")
    n = notifier("zalo_bot", config, zalo_env(zalo), db, clock)

    async def run():
        errors = []
        for _ in range(4):
            try:
                await n.send(message("zalo_bot", "zl-chat-nam"))
            except DeliveryError as exc:
                errors.append(exc)
        await n.send(message("zalo_bot", "zl-chat-nam"))
        await n.aclose()
        return errors

    errors = asyncio.run(run())
    assert [e.retryable for e in errors] == [False, True, False, True]
    assert len(zalo.delivered("bot")) == 1
    assert "bot-token-demo" not in caplog.text and all("bot-token-demo" not in str(e) for e in errors)
    assert "sendMessage" in caplog.text  # httpx did log the request, redacted


def test_zalo_bot_text_fits_2000_characters(zalo, db, clock):
    config = make_delivery_config(zalo=zalo)
    n = notifier("zalo_bot", config, zalo_env(zalo), db, clock)
    long = make_alert(headline="Rất dài " * 300)
    msg = Message(alert=long, channel="zalo_bot", address="zl", contact_name="A", key="k",
                  links={"ack": "http://127.0.0.1:8080/l/x"})
    assert len(render.short_text(msg, 2000)) <= 2000
    asyncio.run(n.send(msg))
    asyncio.run(n.aclose())
    [call] = zalo.delivered("bot")
    assert len(call.body["text"]) <= 2000 and call.body["chat_id"] == "zl"


@pytest.mark.parametrize("code, retryable", [(421, True), (450, True), (451, True), (452, True),
                                              (550, False), (552, False), (554, False)])
def test_email_retry_answer_per_smtp_reply(code, retryable, smtp, db):
    smtp.fail(code)
    n = notifier("email", make_delivery_config(smtp=smtp), {})
    error = asyncio.run(send_expecting_error(n, message("email", "nam.tt@sogd.example.vn")))
    assert error.retryable is retryable


def test_email_server_down_is_retryable(db):
    config = make_delivery_config()  # port 1: nothing listens
    n = notifier("email", config, {})
    error = asyncio.run(send_expecting_error(n, message("email", "nam.tt@sogd.example.vn")))
    assert error.retryable


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_email_over_tls_with_login_and_no_password_in_errors(security, tmp_path):
    with LocalSMTP(security=security, cert_dir=tmp_path, user="canhbao", password="mat-khau-bi-mat") as server:
        config = make_delivery_config(smtp=server)
        settings = config.delivery.email.model_copy(update={"port": server.port, "security": security,
                                                             "ca_file": str(server.cert_file)})
        delivery = config.delivery.model_copy(update={"email": settings})
        good = EmailNotifier.from_settings(delivery, {"MONITOR_SMTP_USER": "canhbao",
                                                      "MONITOR_SMTP_PASSWORD": "mat-khau-bi-mat"})
        asyncio.run(good.send(message("email", "nam.tt@sogd.example.vn")))
        assert len(server.wait_for(1)) == 1
        bad = EmailNotifier.from_settings(delivery, {"MONITOR_SMTP_USER": "canhbao",
                                                     "MONITOR_SMTP_PASSWORD": "sai-mat-khau-bi-mat"})
        error = asyncio.run(send_expecting_error(bad, message("email", "nam.tt@sogd.example.vn")))
        assert not error.retryable and "sai-mat-khau" not in str(error)
        untrusted = EmailNotifier.from_settings(delivery.model_copy(update={"email": settings.model_copy(
            update={"ca_file": ""})}), {})
        error = asyncio.run(send_expecting_error(untrusted, message("email", "nam.tt@sogd.example.vn")))
        assert not error.retryable and "certificate" in str(error)


def test_email_escapes_markup_and_carries_level_place_items_and_links(smtp):
    n = notifier("email", make_delivery_config(smtp=smtp), {})
    evil = "<script>alert('x')</script> <b>Trường</b> & \"phụ huynh\""
    msg = message("email", "nam.tt@sogd.example.vn", headline=evil)
    asyncio.run(n.send(msg))
    [mail] = smtp.wait_for(1)
    html, text = mail.part("html"), mail.part("plain")
    assert "<script>" not in html and "<b>Trường</b>" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;Trường&lt;/b&gt;" in html
    assert evil in text  # the plain part keeps the words as they are
    assert mail.subject.startswith("[KHẨN] Phú Thọ, Việt Trì:") and "(sự cố #1)" in mail.subject
    assert "\n" not in mail.subject
    assert "https://dantri.com.vn/giao-duc/nu-sinh-bi-danh-hoi-dong.htm" in html and "Dân Trí" in text
    assert "http://127.0.0.1:8080/l/ack-token" in html and "Xác nhận đã nhận" in text
    assert mail.message["Message-ID"] == "<1.thanhtra.email.urgent.0@edu-monitor.local>"


def test_channels_without_credentials_are_switched_off_with_one_line_each(db, caplog):
    caplog.set_level(logging.INFO, logger="monitor.notify.registry")
    config = make_delivery_config(channels='["zalo_bot", "zns", "webhook"]')
    registry = build_registry(config, db, env={})
    assert registry == {}
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3 and all("is off" in line for line in lines)
    assert "MONITOR_ZALO_BOT_TOKEN" in lines[0]


def test_phone_numbers_become_zalo_form():
    assert zalo_phone("0912 345 678") == "84912345678"
    assert zalo_phone("+84 912-345-678") == "84912345678"
    assert zalo_phone("84912345678") == "84912345678"
    assert zalo_phone("024 3825 1234 ext") is None
    assert zalo_phone("") is None


def test_zns_refresh_rotates_and_persists_the_token(zalo, db, clock):
    config = make_delivery_config(zalo=zalo)
    env = zalo_env(zalo)
    app = zalo.state.app_id

    async def send_one(n):
        await n.send(message("zns", "84912345678"))

    first = notifier("zns", config, env, db, clock)
    asyncio.run(send_one(first))                    # no access token yet: refresh, then send
    stored = zalo_oauth.load(db, app)
    assert zalo.state.refreshes == 1 and stored.refresh_token == zalo.state.refresh_token != "refresh-0"
    assert stored.access_token in zalo.state.access_tokens

    asyncio.run(send_one(first))                    # still fresh: no refresh
    assert zalo.state.refreshes == 1

    zalo.expire_access_tokens()                     # Zalo says -124: refresh once and resend
    asyncio.run(send_one(first))
    assert zalo.state.refreshes == 2 and zalo_oauth.load(db, app).refresh_token == zalo.state.refresh_token
    asyncio.run(first.aclose())

    clock.advance(25 * 3600)                        # the access token's lifetime has passed
    restarted = notifier("zns", config, env, db, clock)   # same env seed: the DB's rotated token is kept
    asyncio.run(send_one(restarted))
    asyncio.run(restarted.aclose())
    assert zalo.state.refreshes == 3 and len(zalo.delivered("zns")) == 4
    sent = zalo.delivered("zns")[-1].body
    assert sent["phone"] == "84912345678" and sent["template_id"] == "tpl-canh-bao-1"
    assert sent["template_data"]["muc_do"] == "KHẨN" and len(sent["tracking_id"]) == 32


def test_zns_spent_refresh_token_is_not_retryable_and_says_what_to_do(zalo, db, clock):
    config = make_delivery_config(zalo=zalo)
    env = zalo_env(zalo)
    zalo.state.refresh_token = "someone-else-spent-it"
    n = notifier("zns", config, env, db, clock)
    error = asyncio.run(send_expecting_error(n, message("zns", "84912345678")))
    assert not error.retryable and "MONITOR_ZALO_REFRESH_TOKEN" in str(error)
    assert "refresh-0" not in str(error) and "app-secret-demo" not in str(error)


def test_zns_new_seed_from_admin_replaces_the_stored_token(zalo, db, clock):
    config = make_delivery_config(zalo=zalo)
    n = notifier("zns", config, zalo_env(zalo), db, clock)
    asyncio.run(n.send(message("zns", "84912345678")))
    asyncio.run(n.aclose())
    zalo.state.refresh_token = "reissued-by-admin"
    n = notifier("zns", config, zalo_env(zalo, MONITOR_ZALO_REFRESH_TOKEN="reissued-by-admin"), db, clock)
    zalo.expire_access_tokens()
    asyncio.run(n.send(message("zns", "84912345678")))
    asyncio.run(n.aclose())
    assert zalo_oauth.load(db, zalo.state.app_id).refresh_token == zalo.state.refresh_token


def test_email_keeps_one_session_for_a_burst_and_reconnects_after_a_restart(smtp):
    sessions = []
    smtp.on_message = lambda received: sessions.append(received.peer)
    n = notifier("email", make_delivery_config(smtp=smtp), {})

    async def run():
        for number in range(3):
            await n.send(message("email", "nam.tt@sogd.example.vn", incident_id=number + 1))
        smtp.stop()
        smtp.start()                                      # the server went away and came back
        await n.send(message("email", "nam.tt@sogd.example.vn", incident_id=9))
        await n.aclose()

    asyncio.run(run())
    assert len(smtp.wait_for(4)) == 4
    assert len(set(sessions[:3])) == 1 and sessions[3] != sessions[0]
