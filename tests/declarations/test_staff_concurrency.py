"""Two clerks press a button on the same declaration at the same moment
(PostgreSQL, real concurrent transactions): one wins, the other is told."""

import threading

from django.core.exceptions import ValidationError
from django.db import connection, connections

import pytest

from accounts.models import User
from declarations.models import Declaration, DeclarationEvent
from declarations.review import declaration_approve, declaration_reject
from notifications.models import Message
from tests.conftest import service_unavailable

from .staff_fixtures import *  # noqa: F403
from .staff_fixtures import make_clerk

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def on_postgres(transactional_db):
    if connection.vendor != "postgresql":
        service_unavailable("PostgreSQL", f"DATABASE_URL points to {connection.vendor}")


def race(calls):
    barrier = threading.Barrier(len(calls))
    results = []

    def run(call):
        try:
            barrier.wait()
            call()
            results.append("ok")
        except ValidationError as exc:
            results.append(" ".join(exc.messages))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.fixture
def received(declaration_q4):
    Declaration.objects.filter(pk=declaration_q4.pk).update(status="received")
    declaration_q4.refresh_from_db()
    return declaration_q4


def test_two_clerks_approving_at_once_make_one_account(on_postgres, received, offices):
    clerks = [make_clerk(offices.q4, f"canbo.quan4.{i}") for i in range(3)]
    results = race(
        [
            lambda c=c: declaration_approve(
                declaration=Declaration.objects.get(pk=received.pk), actor=c, ip="192.0.2.1"
            )
            for c in clerks
        ]
    )
    assert results.count("ok") == 1
    losers = [r for r in results if r != "ok"]
    assert len(losers) == 2 and all("trạng thái hiện tại: “Đã duyệt”" in r for r in losers)
    assert User.objects.filter(username=received.insurance_number).count() == 1
    assert Message.objects.filter(template="account_approved", channel="sms").count() == 1
    assert DeclarationEvent.objects.filter(action="approved").count() == 1


def test_approve_and_reject_at_once_leave_one_decision(on_postgres, received, offices):
    a, b = make_clerk(offices.q4, "canbo.a"), make_clerk(offices.q4, "canbo.b")
    results = race(
        [
            lambda: declaration_approve(declaration=received, actor=a, ip=None),
            lambda: declaration_reject(declaration=received, actor=b, ip=None, reason="Ảnh mờ"),
        ]
    )
    assert sorted(results)[-1] == "ok" and results.count("ok") == 1
    received.refresh_from_db()
    decided = DeclarationEvent.objects.exclude(action="checked")
    assert decided.count() == 1 and decided.get().to_status == received.status
    accounts = User.objects.filter(username=received.insurance_number).count()
    assert accounts == (1 if received.status == "approved" else 0)
