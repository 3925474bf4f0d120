"""Loopback fakes of the outside world: a Twilio Messages API and an SMTP server."""

import base64
import contextlib
import json
import socket
import threading
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
FROM_NUMBER = "+15005550006"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class TwilioRequest:
    method: str
    path: str
    authorization: str
    form: dict[str, str]

    @property
    def basic_auth(self) -> tuple[str, str]:
        scheme, _, encoded = self.authorization.partition(" ")
        assert scheme == "Basic"
        user, _, password = base64.b64decode(encoded).decode().partition(":")
        return user, password


@dataclass
class FakeTwilio:
    """Answers POST /2010-04-01/Accounts/<sid>/Messages.json like Twilio.

    ``responses`` holds the statuses of the next answers (then 201);
    ``responses_to`` the statuses of the next answers to one "To" number,
    whatever the order of arrival (concurrent sends); ``requests`` every
    request received, in order.
    """

    url: str = ""
    requests: list[TwilioRequest] = field(default_factory=list)
    responses: deque = field(default_factory=deque)
    responses_to: dict[str, deque] = field(default_factory=dict)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bodies(self) -> Counter:
        with self.lock:
            return Counter(r.form.get("Body", "") for r in self.requests)


def _handler_for(fake: FakeTwilio):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # One response is two writes (headers, body): without TCP_NODELAY
        # Nagle and delayed ACKs add 40 ms to every keep-alive request.
        disable_nagle_algorithm = True

        def log_message(self, *args):  # keep test output clean
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            raw = self.rfile.read(length)
            if len(raw) < length:
                # The client died mid-request (the kill tests): like a real
                # server, do not act on a truncated request.
                self.close_connection = True
                return
            raw = raw.decode()
            form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
            if fake.delay:
                time.sleep(fake.delay)
            with fake.lock:
                fake.requests.append(
                    TwilioRequest("POST", self.path, self.headers.get("Authorization", ""), form)
                )
                to_answers = fake.responses_to.get(form.get("To", ""))
                if to_answers:
                    status = to_answers.popleft()
                else:
                    status = fake.responses.popleft() if fake.responses else 201
            if status == 201:
                payload = {
                    "sid": "SM" + uuid.uuid4().hex,
                    "account_sid": ACCOUNT_SID,
                    "to": form.get("To"),
                    "from": form.get("From"),
                    "body": form.get("Body"),
                    "status": "queued",
                }
            elif status >= 500:
                payload = {"code": 20500, "message": "Internal Server Error", "status": status}
            else:
                payload = {
                    "code": 21211,
                    "message": "The 'To' number is not a valid phone number.",
                    "more_info": "https://www.twilio.com/docs/errors/21211",
                    "status": status,
                }
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def fake_twilio():
    fake = FakeTwilio()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def twilio_settings(settings, fake_twilio):
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM_NUMBER = FROM_NUMBER
    settings.TWILIO_API_BASE_URL = fake_twilio.url
    return settings


def twilio_env(fake: FakeTwilio) -> dict[str, str]:
    """The environment a Celery worker needs to reach the fake gateway."""
    return {
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": FROM_NUMBER,
        "TWILIO_API_BASE_URL": fake.url,
        "NOTIFICATIONS_REDACT_SENT": "true",
        "LOG_LEVEL": "WARNING",
    }


@dataclass
class FakeSmtp:
    host: str
    port: int
    envelopes: list = field(default_factory=list)


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self, fake):
            self.fake = fake

        async def handle_DATA(self, server, session, envelope):
            self.fake.envelopes.append(envelope)
            return "250 Message accepted for delivery"

    fake = FakeSmtp("127.0.0.1", free_port())
    controller = Controller(Handler(fake), hostname=fake.host, port=fake.port)
    controller.start()
    yield fake
    controller.stop()


@pytest.fixture(autouse=True)
def _eager_tasks_retry():
    """Let eager tasks retry as a worker would, instead of raising at the first error."""
    from vssid_portal.celery import app as celery_app

    previous = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = previous


@contextlib.contextmanager
def celery_broker(url: str):
    """Publish to ``url`` for real (no eager mode), with fresh connection pools."""
    from kombu import pools

    from vssid_portal.celery import app as celery_app

    previous = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)

    def reset_pools():
        pools.reset()
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    reset_pools()
    celery_app.conf.broker_url = url
    celery_app.conf.task_always_eager = False
    try:
        yield celery_app
    finally:
        reset_pools()
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = previous
