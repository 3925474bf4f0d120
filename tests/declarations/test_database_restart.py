"""NTF-08: PostgreSQL stopped or restarted in the middle of a registration.

The shared server of the machine cannot be restarted under other runs, so
these tests start their own (``private_postgres``, tests/private_postgres.py),
migrate a template database once per module, and give each test a copy.
The portal runs in this process against that copy: Django's connections of
this thread are pointed at it for the test (``django_connected_to``), with
the settings a ``postgres://`` URL gets in production — persistent
connections (``CONN_MAX_AGE`` 60) and ``CONN_HEALTH_CHECKS``.

The test client skips ``close_old_connections`` around its requests; a WSGI
server (gunicorn) runs it at every request's start and end, and that is
where a connection broken by a restart is noticed and dropped. The
``wsgi_request_cycle`` fixture puts it back, so what is tested is the
production path: the same Django process, no restart, the next request
reconnects.

What the citizen sees while the database is away is a Vietnamese 503 page
(JSON under ``/api/``) with ``Retry-After``; nothing is half-written; once
the server is back the same wizard (same draft, same submission key) is
submitted exactly once.
"""

import uuid

from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import Client

import pytest

from declarations.models import Declaration, DeclarationDraft, DeclarationEvent
from insurance.models import Person
from lookup.models import Office, Province
from notifications.models import Message
from tests.private_postgres import django_connected_to

from .conftest import AN, stored_files
from .helpers import submit, walk_to_review

OUTAGE_TITLE = "Hệ thống tạm thời gián đoạn"


@pytest.fixture(scope="module")
def migrated_template(private_postgres, django_db_blocker) -> str:
    """The schema, migrated once; every test gets a copy (CREATE DATABASE … TEMPLATE)."""
    name = private_postgres.create_database("portal_template")
    with django_db_blocker.unblock(), django_connected_to(private_postgres, name):
        call_command("migrate", interactive=False, verbosity=0)
    return name


@pytest.fixture
def portal_db(private_postgres, migrated_template, django_db_blocker):
    """This test's database on the private server, used by the whole portal."""
    if not private_postgres.running:
        private_postgres.start()
    name = private_postgres.create_database(
        f"portal_{uuid.uuid4().hex[:8]}", template=migrated_template
    )
    with django_db_blocker.unblock(), django_connected_to(private_postgres, name):
        yield private_postgres
    if not private_postgres.running:
        # A failed test may leave it stopped; the next one needs it.
        private_postgres.start()


@pytest.fixture
def wsgi_request_cycle():
    """``close_old_connections`` at each request's start and end, as under gunicorn."""

    def cycle(**kwargs):
        close_old_connections()

    request_started.connect(cycle, weak=False, dispatch_uid="ntf08-request-started")
    request_finished.connect(cycle, weak=False, dispatch_uid="ntf08-request-finished")
    yield
    request_started.disconnect(dispatch_uid="ntf08-request-started")
    request_finished.disconnect(dispatch_uid="ntf08-request-finished")


@pytest.fixture
def citizen(portal_db, wsgi_request_cycle, captcha_code):
    """The registry person and the office of tests/declarations/conftest.py, on this database."""
    hcm = Province.objects.create(code="79", name="Thành phố Hồ Chí Minh")
    province_office = Office.objects.create(
        code="079", name="BHXH Tp. Hồ Chí Minh", level="province", province=hcm
    )
    office = Office.objects.create(
        code="07914", name="BHXH Quận 4", level="district", parent=province_office, province=hcm
    )
    return Person.objects.create(**AN, office=office)


def backend_pid() -> int:
    connection.ensure_connection()
    return connection.connection.info.backend_pid


def written(storage) -> dict:
    """What the database and the storage hold (on the connection the requests use)."""
    return {
        "declarations": Declaration.objects.count(),
        "events": DeclarationEvent.objects.count(),
        # The submission's messages (the wizard's resume link went out before).
        "messages": sorted(
            Message.objects.exclude(template="declaration_resume").values_list("channel", flat=True)
        ),
        "drafts": DeclarationDraft.objects.count(),
        "declaration_files": [
            p for p in stored_files(storage) if "declaration-drafts" not in p.parts
        ],
    }


def assert_outage_page(response):
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert f"<h1>{OUTAGE_TITLE}</h1>" in page
    assert "yêu cầu của bạn chưa được xử lý" in page
    assert "Thử lại" in page
    assert 'href="/dang-ky/xem-lai/"' in page  # back to the same review step
    assert "1900.9068" in page  # the hotline
    assert "Traceback" not in page and "OperationalError" not in page


def assert_nothing_half_written(storage, token: str):
    state = written(storage)
    assert state == {
        "declarations": 0,
        "events": 0,
        "messages": [],
        "drafts": 1,
        "declaration_files": [],
    }, state
    draft = DeclarationDraft.objects.get()
    assert draft.token == token
    assert draft.uploads.count() == 3  # the photos are still in the draft


def assert_submitted_once(client, storage, token: str):
    declaration = Declaration.objects.get()
    assert declaration.submission_key == token
    state = written(storage)
    assert len(state.pop("declaration_files")) == 3  # portrait, id front, id back
    assert state == {"declarations": 1, "events": 1, "messages": ["email", "sms"], "drafts": 0}
    for slot in declaration.image_slots:
        assert getattr(declaration, slot).storage.exists(getattr(declaration, slot).name)
    done = client.get("/dang-ky/da-gui/")
    assert done.status_code == 200
    assert declaration.reference_code in done.content.decode()
    # "Gửi" once more (the browser's back button, a retried request): still one.
    again = submit(client)
    assert again.status_code == 302 and again["Location"] == "/dang-ky/da-gui/"
    assert written(storage)["declarations"] == 1
    assert written(storage)["messages"] == ["email", "sms"]


def test_database_stopped_before_gui_shows_503_then_the_same_draft_is_submitted_once(
    citizen, portal_db, private_storage
):
    client = Client(raise_request_exception=False)
    walk_to_review(client)
    assert client.get("/dang-ky/xem-lai/").status_code == 200
    token = DeclarationDraft.objects.get().token
    pid_before = backend_pid()

    portal_db.stop()  # fast shutdown: every open connection is cut
    assert_outage_page(submit(client))
    api = client.get("/api/v1/lookup/offices/")
    assert api.status_code == 503
    assert api["Content-Type"] == "application/json"
    assert api["Retry-After"] == "30"
    assert api.json() == {
        "detail": "Hệ thống tạm thời gián đoạn, vui lòng thử lại sau ít phút.",
        "code": "service_unavailable",
    }
    still_down = client.get("/dang-ky/xem-lai/")
    assert still_down.status_code == 503

    portal_db.start()
    assert_nothing_half_written(private_storage, token)
    # The same process, the same session, the same draft and submission key.
    response = submit(client)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/dang-ky/da-gui/"
    assert backend_pid() != pid_before  # reconnected, no restart of Django
    assert_submitted_once(client, private_storage, token)


def test_database_restarted_inside_the_submit_transaction_leaves_nothing_then_submits_once(
    citizen, portal_db, private_storage, monkeypatch
):
    """The restart lands after the row, its images, its event and its messages are written."""
    from declarations import services

    client = Client(raise_request_exception=False)
    walk_to_review(client)
    token = DeclarationDraft.objects.get().token
    original_draft_delete = services.draft_delete
    seen = {}

    def restart_then_delete(*, draft):
        # The last step of declaration_store's transaction: everything else is
        # written (uncommitted) by now.
        if not seen:
            seen["declarations"] = Declaration.objects.count()
            seen["messages"] = Message.objects.exclude(template="declaration_resume").count()
            seen["files"] = len(written_files(private_storage))
            portal_db.restart()
        return original_draft_delete(draft=draft)

    def written_files(storage):
        return [p for p in stored_files(storage) if "declaration-drafts" not in p.parts]

    monkeypatch.setattr(services, "draft_delete", restart_then_delete)
    assert_outage_page(submit(client))
    assert seen == {"declarations": 1, "messages": 2, "files": 3}

    # The server is back already: nothing of the interrupted transaction stayed.
    assert_nothing_half_written(private_storage, token)
    response = submit(client)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/dang-ky/da-gui/"
    assert_submitted_once(client, private_storage, token)


def test_database_restarted_between_two_requests_goes_unnoticed(
    citizen, portal_db, private_storage
):
    """CONN_HEALTH_CHECKS: the persistent connection the restart broke is replaced at once.

    Without the health check the first request after the restart would fail
    on the dead connection (and only the next one reconnect).
    """
    client = Client(raise_request_exception=False)
    walk_to_review(client)
    assert client.get("/dang-ky/xem-lai/").status_code == 200
    token = DeclarationDraft.objects.get().token
    pid_before = backend_pid()

    portal_db.restart()  # while the citizen reads the review page
    response = submit(client)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/dang-ky/da-gui/"
    assert backend_pid() != pid_before
    assert_submitted_once(client, private_storage, token)
