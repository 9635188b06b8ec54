"""The HTTP app behind alert links (Starlette + Jinja2); the dashboard will grow from it.

``GET /l/{token}`` shows what the link is for and a button; only ``POST``
acts. Mail gateways and chat apps open links to preview or scan them, and a
GET that acknowledged would let a scanner acknowledge for a person.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Callable, Mapping
from urllib.parse import parse_qs

import sqlite_utils
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from monitor.errors import ConfigError, MonitorError
from monitor.store import utcnow
from monitor.web.links import MIN_SECRET_LENGTH, SECRET_ENV, BadLink, Grant, verify

log = logging.getLogger("monitor.web")
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
ACTION_LABELS = {"ack": "Xác nhận đã nhận cảnh báo", "resolve": "Báo đã xử lý xong sự cố"}


def link_secret(env: Mapping[str, str] | None = None) -> str:
    secret = (os.environ if env is None else env).get(SECRET_ENV, "")
    if len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(f"{SECRET_ENV} must be set to a random string of at least {MIN_SECRET_LENGTH} characters")
    return secret


def incident_summary(db: sqlite_utils.Database, incident_id: int) -> dict:
    """What the page shows about the incident: the latest alert sent about it."""
    row = db.execute("SELECT payload FROM outbox WHERE incident_id = ? ORDER BY id DESC LIMIT 1",
                     [incident_id]).fetchone()
    return json.loads(row[0]) if row else {}


def create_app(db: sqlite_utils.Database, config, secret: str, clock: Callable[[], datetime] = utcnow) -> Starlette:
    contacts = getattr(config, "contacts", {}) or {}

    def who(grant: Grant) -> str:
        contact = contacts.get(grant.recipient)
        return contact.name if contact else grant.recipient

    def page(request: Request, name: str, status: int = 200, **context) -> Response:
        context.setdefault("office", config.office.name)
        return TEMPLATES.TemplateResponse(request, name, context, status_code=status)

    def check(request: Request) -> Grant | Response:
        try:
            return verify(secret, request.path_params["token"], clock())
        except BadLink as bad:
            log.warning("refused link from %s: %s", request.client.host if request.client else "?", bad.reason)
            expired = "hết hạn" in bad.reason
            return page(request, "error.html", 410 if expired else 403, reason=bad.reason)

    async def show(request: Request) -> Response:
        grant = check(request)
        if isinstance(grant, Response):
            return grant
        return page(request, "action.html", grant=grant, who=who(grant), label=ACTION_LABELS[grant.action],
                    incident=incident_summary(db, grant.incident_id), tz=config.office.tz)

    async def act(request: Request) -> Response:
        grant = check(request)
        if isinstance(grant, Response):
            return grant
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        from monitor.escalation import incidents

        try:
            if grant.action == "ack":
                incidents.acknowledge(db, grant.incident_id, who(grant), clock(), via="web")
            else:
                outcome = form.get("outcome", "").strip()
                if not outcome:
                    return page(request, "action.html", 400, grant=grant, who=who(grant),
                                label=ACTION_LABELS[grant.action], incident=incident_summary(db, grant.incident_id),
                                tz=config.office.tz, problem="Vui lòng ghi kết quả xử lý.")
                incidents.resolve(db, grant.incident_id, who(grant), outcome, form.get("public_url", "").strip(),
                                  clock(), via="web")
        except MonitorError as exc:
            return page(request, "error.html", 409, reason=str(exc))
        return page(request, "done.html", grant=grant, who=who(grant), label=ACTION_LABELS[grant.action])

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(routes=[
        Route("/l/{token}", show, methods=["GET"]),
        Route("/l/{token}", act, methods=["POST"]),
        Route("/healthz", health),
    ])


async def serve(app: Starlette, host: str, port: int, stop=None) -> None:
    """Run ``app`` with uvicorn; with ``stop`` (the daemon's event) the daemon keeps its own signal handling."""
    import contextlib

    import uvicorn

    class Server(uvicorn.Server):
        def capture_signals(self):
            return contextlib.nullcontext() if stop is not None else super().capture_signals()

    server = Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    if stop is None:
        await server.serve()
        return
    task = asyncio.create_task(server.serve())
    await stop.wait()
    server.should_exit = True
    await task


async def worker(rt, stop) -> None:
    """The daemon runs the web app beside its other workers when ``web.in_daemon`` is true."""
    if not rt.config.web.in_daemon:
        return
    try:
        secret = link_secret()
    except ConfigError as exc:
        log.warning("web app off: %s", exc)
        return
    from monitor.notify.deliver import own_connection

    db = own_connection(rt.db)
    try:
        await serve(create_app(db, rt.config, secret, rt.clock), rt.config.web.host, rt.config.web.port, stop)
    finally:
        if db is not rt.db:
            db.conn.close()
