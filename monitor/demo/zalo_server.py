"""A real HTTP server on 127.0.0.1 that speaks the Zalo APIs' request and response shapes.

- Bot API: ``POST /bot{TOKEN}/sendMessage`` ``{"chat_id", "text"}`` ->
  ``{"ok": true, "result": {...}}`` or ``{"ok": false, "error_code", "description"}``.
- ZNS: ``POST /message/template`` (header ``access_token``) ``{"phone", "template_id",
  "template_data", "tracking_id"}`` -> ``{"error": 0, "message": "Success", "data": {"msg_id"}}``
  or a nonzero ``error`` (-124: access token invalid or expired).
- OA OAuth: ``POST /v4/oa/access_token`` (form ``refresh_token``, ``app_id``,
  ``grant_type``; header ``secret_key``) -> a new access token and a new,
  single-use refresh token; the old refresh token stops working.

``POST /webhook`` receives the generic JSON webhook. One server plays all the hosts (point each base URL at it). ``fail(api,
*faults)`` queues misbehaviour for the next calls: an HTTP status (500, 503,
429, 401...), "expired" (the token is refused the way Zalo refuses it) or
"garbage" (a 200 that is not the API's JSON).
"""
from __future__ import annotations

import json
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class ZaloCall:
    at: float
    api: str                  # "bot" | "zns" | "oauth" | "webhook"
    body: dict
    headers: dict
    answered: int             # HTTP status we answered with
    ok: bool


@dataclass
class ZaloState:
    bot_token: str = "bot-token-demo"
    app_id: str = "app-demo"
    app_secret: str = "app-secret-demo"
    refresh_token: str = "refresh-0"
    access_tokens: set[str] = field(default_factory=set)
    access_lifetime: int = 90000
    refreshes: int = 0


class LocalZalo:
    def __init__(self, state: ZaloState | None = None):
        self.state = state or ZaloState()
        self.calls: list[ZaloCall] = []
        self.webhook_token = ""
        self._faults: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Condition()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- control -------------------------------------------------------------------------
    def fail(self, api: str, *faults: int | str) -> None:
        with self._lock:
            self._faults[api].extend(faults)

    def expire_access_tokens(self) -> None:
        with self._lock:
            self.state.access_tokens.clear()

    def delivered(self, api: str) -> list[ZaloCall]:
        with self._lock:
            return [c for c in self.calls if c.api == api and c.ok]

    def wait_for(self, api: str, count: int, timeout: float = 5.0) -> list[ZaloCall]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while len([c for c in self.calls if c.api == api and c.ok]) < count and time.monotonic() < deadline:
                self._lock.wait(deadline - time.monotonic())
        return self.delivered(api)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self, port: int = 0) -> "LocalZalo":
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="local-zalo", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "LocalZalo":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- the APIs ------------------------------------------------------------------------
    def _next_fault(self, api: str):
        with self._lock:
            return self._faults[api].popleft() if self._faults[api] else None

    def _record(self, call: ZaloCall) -> None:
        with self._lock:
            self.calls.append(call)
            self._lock.notify_all()

    def bot(self, token: str, body: dict) -> tuple[int, object]:
        fault = self._next_fault("bot")
        if fault == "garbage":
            return 200, "<html>maintenance</html>"
        if isinstance(fault, int):
            return fault, {"ok": False, "error_code": fault, "description": _REASONS.get(fault, "Error")}
        if fault == "expired" or token != self.state.bot_token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        if not body.get("chat_id") or not body.get("text"):
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: chat_id and text required"}
        if len(body["text"]) > 2000:
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: text is too long"}
        return 200, {"ok": True, "result": {"message_id": secrets.token_hex(8), "date": int(time.time() * 1000),
                                             "chat": {"id": body["chat_id"], "chat_type": "PRIVATE"}}}

    def zns(self, token: str, body: dict) -> tuple[int, object]:
        fault = self._next_fault("zns")
        if fault == "garbage":
            return 200, "<html>maintenance</html>"
        if isinstance(fault, int):
            return fault, {"error": -100, "message": _REASONS.get(fault, "Error")}
        if fault == "expired":
            with self._lock:
                self.state.access_tokens.discard(token)
        with self._lock:
            valid = token in self.state.access_tokens
        if not valid:
            return 200, {"error": -124, "message": "Access token is invalid"}
        if not str(body.get("phone", "")).startswith("84"):
            return 200, {"error": -108, "message": "Phone number is invalid"}
        if not body.get("template_id"):
            return 200, {"error": -109, "message": "Template id is invalid"}
        return 200, {"error": 0, "message": "Success",
                     "data": {"msg_id": secrets.token_hex(16), "sent_time": str(int(time.time() * 1000))}}

    def oauth(self, secret_key: str, form: dict) -> tuple[int, object]:
        fault = self._next_fault("oauth")
        if isinstance(fault, int):
            return fault, {"error": -1, "error_name": _REASONS.get(fault, "Error")}
        state = self.state
        with self._lock:
            if secret_key != state.app_secret or form.get("app_id") != state.app_id:
                return 200, {"error": -14002, "error_name": "Invalid app", "error_reason": "Invalid secret key"}
            if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != state.refresh_token:
                return 200, {"error": -14014, "error_name": "Invalid parameter",
                             "error_reason": "Invalid refresh token"}
            state.refreshes += 1
            access = f"access-{state.refreshes}-{secrets.token_hex(6)}"
            state.refresh_token = f"refresh-{state.refreshes}-{secrets.token_hex(6)}"
            state.access_tokens.add(access)
            return 200, {"access_token": access, "refresh_token": state.refresh_token,
                         "expires_in": str(state.access_lifetime)}

    def webhook(self, authorization: str) -> tuple[int, object]:
        """A generic receiver for the JSON webhook channel (not a Zalo API; shared for convenience)."""
        fault = self._next_fault("webhook")
        if isinstance(fault, int):
            return fault, {"ok": False}
        if self.webhook_token and authorization != f"Bearer {self.webhook_token}":
            return 401, {"ok": False}
        return 200, {"ok": True}

    def _handler_class(self):
        zalo = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                path = self.path.split("?")[0]
                headers = {k.lower(): v for k, v in self.headers.items()}
                if path.startswith("/bot") and path.endswith("/sendMessage"):
                    api, body = "bot", _json(raw)
                    status, answer = zalo.bot(path[4:-len("/sendMessage")], body)
                elif path == "/message/template":
                    api, body = "zns", _json(raw)
                    status, answer = zalo.zns(headers.get("access_token", ""), body)
                elif path == "/v4/oa/access_token":
                    api, body = "oauth", {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                    status, answer = zalo.oauth(headers.get("secret_key", ""), body)
                elif path == "/webhook":
                    api, body = "webhook", _json(raw)
                    status, answer = zalo.webhook(headers.get("authorization", ""))
                else:
                    api, body, status, answer = "unknown", {}, 404, {"error": 404, "message": "Not found"}
                ok = status == 200 and isinstance(answer, dict) and (answer.get("ok") is True or answer.get("error") == 0
                                                                     or "access_token" in answer)
                zalo._record(ZaloCall(time.time(), api, body, headers, status, ok))
                data = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html" if isinstance(answer, str) else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


_REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests",
            500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
