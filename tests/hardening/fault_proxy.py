"""A fault-injecting HTTP proxy for Amazon Polly, in front of moto's server on 127.0.0.1.

Each request the proxy receives is one *attempt* of the client. The proxy takes the next
action from its scripted plan (then ``default`` once the plan is used up) and either
forwards the request to the upstream (moto) or answers like a failing Polly would:

===================  ======================================================================
action               what the client sees
===================  ======================================================================
``forward``          moto's answer, relayed byte for byte
``throttle``         HTTP 400, ``x-amzn-ErrorType: ThrottlingException``, ``{"message": ...}``
``service_failure``  HTTP 500, ``x-amzn-ErrorType: ServiceFailureException``
``bare_503``         HTTP 503 with an empty body (a load balancer in the way)
``reset``            the TCP connection is reset (RST) without any answer
``delay``            no answer for ``delay_s`` seconds (past the client's read timeout)
``invalid_ssml``     HTTP 400 ``InvalidSsmlException`` when ``TextType`` is ``ssml``,
                     otherwise forwarded (Polly accepts the same text as plain text)
``reject``           HTTP 400 ``TextLengthExceededException`` (a non-retryable 4xx)
===================  ======================================================================

Polly is a REST-JSON service: botocore reads the error code from the
``x-amzn-ErrorType`` header (the part before ``:``) and the message from the JSON body.
Every attempt is recorded (action, ``TextType``, arrival time) for the tests to count.
"""

from __future__ import annotations

import http.client
import json
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

ACTIONS = frozenset(
    {
        "forward",
        "throttle",
        "service_failure",
        "bare_503",
        "reset",
        "delay",
        "invalid_ssml",
        "reject",
    }
)

_ERRORS: dict[str, tuple[int, str, str]] = {
    "throttle": (400, "ThrottlingException", "Rate exceeded"),
    "service_failure": (500, "ServiceFailureException", "An internal failure occurred"),
    "invalid_ssml": (400, "InvalidSsmlException", "Invalid SSML request"),
    "reject": (400, "TextLengthExceededException", "Maximum text length has been exceeded"),
}


@dataclass(frozen=True)
class Attempt:
    """One request seen by the proxy."""

    action: str
    text_type: str | None
    at: float  # time.monotonic() on arrival
    path: str


class _CountingServer(ThreadingHTTPServer):
    """A threading server that knows how many connections it is still handling."""

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self.in_flight = 0
        self.idle = threading.Condition()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.idle:
            self.in_flight += 1
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)  # closes the socket
        finally:
            with self.idle:
                self.in_flight -= 1
                self.idle.notify_all()


class FaultProxy:
    """A threaded HTTP server on 127.0.0.1 (port chosen by the OS) scripted with faults."""

    def __init__(self, upstream: str, *, delay_s: float = 2.0) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.delay_s = delay_s
        self.default = "forward"
        self._plan: deque[str] = deque()
        self.attempts: list[Attempt] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = _CountingServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    # --- scripting ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The proxy's base URL, for ``AWS_ENDPOINT_URL_POLLY``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, actions: Iterable[str], *, then: str = "forward") -> None:
        """Answer the next requests with ``actions`` in order, then with ``then``."""
        actions = list(actions)
        unknown = set(actions) - ACTIONS | ({then} - ACTIONS)
        if unknown:
            raise ValueError(f"unknown proxy action(s): {sorted(unknown)}")
        with self._lock:
            self._plan = deque(actions)
            self.default = then
            self.attempts = []

    def counts(self) -> dict[str, int]:
        """How many attempts got each action."""
        out: dict[str, int] = {}
        for attempt in self.attempts:
            out[attempt.action] = out.get(attempt.action, 0) + 1
        return out

    def wait_idle(self, timeout_s: float = 10.0) -> None:
        """Block until every connection the proxy accepted is handled and closed."""
        with self._server.idle:
            if not self._server.idle.wait_for(lambda: self._server.in_flight == 0, timeout_s):
                raise TimeoutError(f"{self._server.in_flight} proxy connections still open")

    def close(self) -> None:
        """Stop serving; a pending ``delay`` ends at once."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # --- serving --------------------------------------------------------------------------

    def _next_action(self, text_type: str | None, path: str) -> str:
        with self._lock:
            action = self._plan.popleft() if self._plan else self.default
            if action == "invalid_ssml" and text_type != "ssml":
                action = "forward"
            self.attempts.append(Attempt(action, text_type, time.monotonic(), path))
            return action

    def _forward(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        conn = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            conn.close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                """Silence the default stderr access log."""

            def _reply(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
                self.send_response(status)
                skip = {"content-length", "transfer-encoding", "connection", "server", "date"}
                for name, value in headers:
                    if name.lower() not in skip:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                text_type: str | None = None
                try:
                    text_type = json.loads(body or b"{}").get("TextType")
                except (ValueError, AttributeError):
                    text_type = None
                action = proxy._next_action(text_type, self.path)
                if action == "reset":
                    # SO_LINGER with a zero timeout: close() sends RST, no FIN, no answer.
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.close_connection = True
                    self.connection.close()
                    return
                if action == "delay":
                    proxy._stopping.wait(proxy.delay_s)
                    action = "forward"
                if action in _ERRORS:
                    status, code, message = _ERRORS[action]
                    payload = json.dumps({"message": message}).encode()
                    self._reply(
                        status,
                        [
                            (
                                "x-amzn-ErrorType",
                                f"{code}:http://internal.amazon.com/coral/com.amazonaws.tts/",
                            ),
                            ("x-amzn-RequestId", "00000000-fault-proxy"),
                            ("Content-Type", "application/json"),
                        ],
                        payload,
                    )
                    return
                if action == "bare_503":
                    self._reply(503, [], b"")
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                headers["Host"] = f"{proxy.upstream_host}:{proxy.upstream_port}"
                try:
                    status, up_headers, up_body = proxy._forward(
                        self.command, self.path, headers, body
                    )
                except OSError:
                    self._reply(502, [], b"")
                    return
                try:
                    self._reply(status, up_headers, up_body)
                except OSError:  # the client gave up (read timeout) while we were waiting
                    self.close_connection = True

            def do_POST(self) -> None:
                self._handle()

            def do_GET(self) -> None:
                self._handle()

        return Handler


@contextmanager
def fault_proxy(upstream: str, *, delay_s: float = 2.0) -> Iterator[FaultProxy]:
    """A :class:`FaultProxy` for the duration of a ``with`` block."""
    proxy = FaultProxy(upstream, delay_s=delay_s)
    try:
        yield proxy
    finally:
        proxy.close()
