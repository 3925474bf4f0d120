"""AUTH-04: only a clerk of the account's office or an administrator unlocks;
the initial password is reissued by SMS only."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone

import pytest

from accounts.models import AccountEvent, User
from accounts.services import account_initial_password_issue, account_unlock

from .conftest import NUMBER, PHONE, make_clerk

pytestmark = pytest.mark.django_db


@pytest.fixture
def locked(citizen):
    citizen.failed_logins = 5
    citizen.locked_at = timezone.now()
    citizen.save()
    return citizen


def unlock_url(number=NUMBER):
    return f"/can-bo/tai-khoan/{number}/mo-khoa/"


def test_the_clerk_of_the_office_finds_and_unlocks_the_account(client, locked, clerk, notices):
    client.force_login(clerk)
    page = client.get("/can-bo/tai-khoan/", {"q": NUMBER}).content.decode()
    assert "Đang bị khoá" in page and "Mở khoá tài khoản" in page
    response = client.post(unlock_url(), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    locked.refresh_from_db()
    assert locked.locked_at is None and locked.failed_logins == 0
    event = AccountEvent.objects.get(action="unlocked")
    assert (event.actor, event.user, event.ip) == (clerk, locked, "10.1.2.3")
    assert notices.to(PHONE) == ["account_unlocked"]


def test_a_provincial_clerk_covering_child_offices_may_unlock(locked, offices):
    provincial = make_clerk(offices["079"], "canbo.tinh", includes_child_offices=True)
    account_unlock(user=locked, actor=provincial, ip=None)
    locked.refresh_from_db()
    assert locked.locked_at is None


def test_an_administrator_may_unlock(locked):
    admin = User.objects.create_superuser("quantri", "qt@example.vn", "mat-khau-quan-tri-dai")
    account_unlock(user=locked, actor=admin, ip=None)
    locked.refresh_from_db()
    assert locked.locked_at is None


def test_a_clerk_of_another_office_sees_not_found_and_cannot_unlock(client, locked, other_clerk):
    client.force_login(other_clerk)
    page = client.get("/can-bo/tai-khoan/", {"q": NUMBER}).content.decode()
    assert "Không tìm thấy tài khoản" in page
    assert client.post(unlock_url()).status_code == 404
    with pytest.raises(PermissionDenied):
        account_unlock(user=locked, actor=other_clerk, ip=None)
    locked.refresh_from_db()
    assert locked.locked_at is not None
    assert not AccountEvent.objects.filter(action="unlocked").exists()


def test_citizens_and_anonymous_visitors_cannot_unlock(client, locked):
    assert client.post(unlock_url()).status_code == 404
    other = User.objects.create_user("7900000002", password="mat-khau-dai-du-8")
    client.force_login(other)
    assert client.get("/can-bo/tai-khoan/").status_code == 404
    assert client.post(unlock_url()).status_code == 404
    locked.refresh_from_db()
    assert locked.locked_at is not None


def test_unlock_needs_the_csrf_token(locked, clerk):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)
    assert client.post(unlock_url()).status_code == 403
    locked.refresh_from_db()
    assert locked.locked_at is not None


def test_reissued_initial_password_goes_only_to_the_phone(client, locked, clerk, notices):
    client.force_login(clerk)
    response = client.post(f"/can-bo/tai-khoan/{NUMBER}/cap-lai-mat-khau/", follow=True)
    sms = [c for c in notices.calls if c["template"] == "initial_password"][0]
    password = sms["context"]["password"]
    assert sms["recipient"] == PHONE and "password" in sms["sensitive"]
    assert len(password) == 10 and password.isdigit()
    assert password not in response.content.decode()
    locked.refresh_from_db()
    assert locked.check_password(password)
    assert locked.must_change_password and locked.locked_at is None
    assert (locked.initial_password_expires_at - timezone.now()).days == 29
    event = AccountEvent.objects.get(action="initial_password_issued")
    assert event.actor == clerk and password not in str(event.detail)


def test_another_office_cannot_reissue(locked, other_clerk):
    with pytest.raises(PermissionDenied):
        account_initial_password_issue(user=locked, actor=other_clerk)


def test_the_audit_log_is_read_only_in_admin_even_for_superusers(client, locked, clerk):
    account_unlock(user=locked, actor=clerk, ip=None)
    admin = User.objects.create_superuser("quantri", "qt@example.vn", "mat-khau-quan-tri-dai")
    client.force_login(admin)
    event = AccountEvent.objects.get()
    assert client.get("/admin/accounts/accountevent/").status_code == 200
    assert client.get("/admin/accounts/accountevent/add/").status_code == 403
    assert client.post(f"/admin/accounts/accountevent/{event.pk}/delete/").status_code == 403
    assert (
        client.post(
            f"/admin/accounts/accountevent/{event.pk}/change/", {"action": "locked"}
        ).status_code
        == 403
    )
    assert AccountEvent.objects.get().action == "unlocked"
