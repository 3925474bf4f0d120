"""Shared fixtures and the test tiers.

Plain tests run on whatever database is configured. Tests that need
PostgreSQL, Redis, a real Celery worker or Chromium ask for a fixture below;
when the service is missing they are skipped on a developer's machine and
*fail* under CI (``CI`` set), and any skip at all fails a CI run, so nothing
is skipped silently there.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from vssid_portal.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
ARTIFACTS_DIR = Path(os.environ.get("ARTIFACTS_DIR", ROOT / "artifacts"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in the test thread; the ORM calls
# made by the same tests are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def service_unavailable(what: str, reason: str):
    message = f"{what} unavailable: {reason}"
    if IN_CI:
        pytest.fail(f"{message} — CI requires it", pytrace=False)
    pytest.skip(message)


_skipped: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if IN_CI and _skipped and session.exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    if IN_CI and _skipped:
        terminalreporter.write_line(
            f"CI: {len(_skipped)} test(s) skipped — skips are failures in CI", red=True
        )
    shots = ARTIFACTS_DIR / "screenshots"
    if shots.exists() and any(shots.iterdir()):
        terminalreporter.write_line(f"screenshots: {shots}")


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    """Fast hashing and in-process Celery unless a test asks for the real thing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(scope="session", autouse=True)
def _document_signing_key(tmp_path_factory):
    """A self-signed key of this test run: every PDF is really signed, in CI too."""
    from django.test.utils import override_settings

    from insurance.signing import signing_key_create

    key, cert = signing_key_create(folder=tmp_path_factory.mktemp("signing") / "portal")
    with override_settings(DOCUMENT_SIGNING_KEY=str(key), DOCUMENT_SIGNING_CERT=str(cert)):
        yield


# SERVICES --------------------------------------------------------------------
@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        service_unavailable("Redis", "REDIS_URL is not set")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        service_unavailable("Redis", repr(exc))
    return url


@pytest.fixture
def postgres_db(db):
    """The test database, which must be PostgreSQL."""
    from django.db import connection

    if connection.vendor != "postgresql":
        service_unavailable("PostgreSQL", f"DATABASE_URL points to {connection.vendor}")
    return connection


def _database_url_for_worker() -> str:
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor != "postgresql":
        service_unavailable("PostgreSQL", "a Celery worker needs a shared database")
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class CeleryWorker:
    """A real ``celery worker`` process on its own queue."""

    def __init__(self, redis_url: str, database_url: str, extra_env: dict | None = None):
        self.queue = f"test-{uuid.uuid4().hex[:8]}"
        self.redis_url = redis_url
        self.env = {
            **os.environ,
            "REDIS_URL": redis_url,
            "DATABASE_URL": database_url,
            "CELERY_QUEUE": self.queue,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DJANGO_SETTINGS_MODULE": "vssid_portal.settings",
            **(extra_env or {}),
        }
        self.log = ARTIFACTS_DIR / "logs" / f"celery-{self.queue}.log"
        self.process: subprocess.Popen | None = None

    def start(self, concurrency: int = 2) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "vssid_portal",
                "worker",
                "-Q",
                self.queue,
                "-c",
                str(concurrency),
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "INFO",
                "-n",
                f"{self.queue}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"celery worker exited: {self.log.read_text()[-2000:]}")
            if "ready." in self.log.read_text(errors="replace"):
                return
            time.sleep(0.2)
        raise RuntimeError(f"celery worker did not start: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL the whole process group, as a crash or OOM would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def celery_worker(redis_url, transactional_db, settings):
    """Start a real worker against Redis and the test database; publish to it."""
    worker = CeleryWorker(redis_url, _database_url_for_worker())
    previous = (
        celery_app.conf.broker_url,
        celery_app.conf.task_default_queue,
    )
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = redis_url
    celery_app.conf.task_default_queue = worker.queue
    settings.CELERY_TASK_DEFAULT_QUEUE = worker.queue
    worker.start()
    yield worker
    worker.stop()
    celery_app.conf.broker_url, celery_app.conf.task_default_queue = previous
    celery_app.pool.force_close_all()


@pytest.fixture(scope="module")
def private_postgres():
    """A PostgreSQL server of this test module, free to stop and restart.

    See ``tests/private_postgres.py``; stopped and removed at the end even
    when the tests fail.
    """
    from tests.private_postgres import PrivatePostgres

    reason = PrivatePostgres.missing()
    if reason:
        service_unavailable("A private PostgreSQL server", reason)
    server = PrivatePostgres()
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.cleanup()


# BROWSER ---------------------------------------------------------------------
@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        service_unavailable("Chromium", "install Debian's chromium (make browser)")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under artifacts/screenshots/ and return its path."""
    folder = ARTIFACTS_DIR / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


# FORMS -----------------------------------------------------------------------
@pytest.fixture
def captcha_code(monkeypatch) -> str:
    """Every captcha issued during the test reads "ABCD"; answer it with this value.

    A form's captcha is posted as ``captcha_0`` (key, from the rendered form)
    and ``captcha_1`` (answer); ``captcha_post_data`` builds both.
    """
    monkeypatch.setattr("vssid_portal.captcha.generate_code", lambda: "ABCD")
    return "ABCD"


def captcha_post_data(field_name: str = "captcha", answer: str = "ABCD") -> dict:
    """A fresh solved challenge for a POST (with the ``captcha_code`` fixture active)."""
    from vssid_portal.captcha import captcha_new

    return {f"{field_name}_0": captcha_new(), f"{field_name}_1": answer}


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters and captchas must not leak between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
