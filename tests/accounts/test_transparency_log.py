"""/ca-nhan/nhat-ky/ and /api/v1/me/log/: what happened to the account and
who opened the citizen's records; append-only, kept 5 years (issue 20)."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

import pytest
import time_machine

from accounts.audit import device_label, network_label
from accounts.models import AccountEvent, RecordAccess, User
from accounts.tasks import account_log_purge
from insurance.models import Person

from .conftest import NUMBER, PASSWORD, sign_in

pytestmark = pytest.mark.django_db
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        (ANDROID_CHROME, "Chrome · Android"),
        (IPHONE_SAFARI, "Safari · iOS"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edg/131.0", "Edge · Windows"),
        ("Mozilla/5.0 (Windows NT 10.0) coc_coc_browser/118.0 Chrome/118", "Cốc Cốc · Windows"),
        ("", "Thiết bị không xác định"),
    ],
)
def test_the_device_is_a_short_name_from_the_user_agent(agent, label):
    assert device_label(agent) == label


@pytest.mark.parametrize(
    ("ip", "network"),
    [
        ("203.113.17.42", "203.113.17.0/24"),
        ("2001:ee0:4161:2a3::1", "2001:ee0:4161::/48"),
        ("192.168.1.20", "mạng nội bộ"),
        ("127.0.0.1", "mạng nội bộ"),
        ("::ffff:10.0.0.5", "mạng nội bộ"),
        ("", ""),
        ("not-an-ip", ""),
    ],
)
def test_the_place_is_only_the_network_of_the_address(ip, network):
    assert network_label(ip) == network


def test_sign_ins_show_device_network_and_new_devices(citizen):
    phone = Client(HTTP_USER_AGENT=ANDROID_CHROME, REMOTE_ADDR="203.113.17.42")
    sign_in(phone)
    phone.post("/dang-xuat/")
    sign_in(phone)  # the same device again
    events = AccountEvent.objects.filter(user=citizen, action="sign_in").order_by("pk")
    assert [e.detail["new_device"] for e in events] == [True, False]
    assert events[0].detail["device"] == "Chrome · Android"
    html = phone.get("/ca-nhan/nhat-ky/").content.decode()
    assert "Nhật ký sử dụng" in html
    assert html.count("Chrome · Android") == 2
    assert "203.113.17.0/24" in html and "203.113.17.42" not in html
    assert html.count("Thiết bị mới") == 1


def test_each_account_event_has_a_line_in_the_log(client, citizen, codes):
    sign_in(client)
    client.post(
        "/ca-nhan/tai-khoan/doi-mat-khau/",
        {
            "old_password": PASSWORD,
            "new_password1": "Mat-khau-moi-2027-dai",
            "new_password2": "Mat-khau-moi-2027-dai",
        },
    )
    client.post("/xac-nhan-otp/", {"code": codes[-1]})
    html = client.get("/ca-nhan/nhat-ky/").content.decode()
    assert "Đăng nhập" in html
    assert "Đổi mật khẩu" in html and "bằng mã OTP qua SMS" in html


@pytest.fixture
def declaration(citizen, offices):
    from tests.declarations.factories import DeclarationFactory

    return DeclarationFactory(insurance_number=NUMBER, office=offices["07914"])


def test_a_clerk_opening_the_declaration_shows_office_and_role_not_the_name(
    citizen, clerk, declaration, settings
):
    clerk.full_name = "Trần Thị Bình"
    clerk.save()
    staff = Client()
    staff.force_login(clerk)
    assert staff.get(f"/can-bo/to-khai/{declaration.reference_code}/").status_code == 200
    staff.get(f"/api/v1/staff/declarations/{declaration.reference_code}/")
    opened = RecordAccess.objects.filter(insurance_number=NUMBER)
    assert opened.count() == 2
    assert {row.channel for row in opened} == {"web", "api"}
    assert {row.actor for row in opened} == {clerk}  # kept for the audit

    owner = Client()
    owner.force_login(citizen)
    html = owner.get("/ca-nhan/nhat-ky/").content.decode()
    assert "Cán bộ BHXH Quận 4 đã xem tờ khai của bạn" in html
    assert declaration.reference_code in html
    assert "Trần Thị Bình" not in html and "canbo.quan4" not in html
    # The display policy may show names.
    settings.TRANSPARENCY_LOG_SHOWS_STAFF_NAMES = True
    assert "Trần Thị Bình" in owner.get("/ca-nhan/nhat-ky/").content.decode()


def test_another_office_clerk_is_refused_and_nothing_is_logged(other_clerk, declaration):
    staff = Client()
    staff.force_login(other_clerk)
    assert staff.get(f"/can-bo/to-khai/{declaration.reference_code}/").status_code == 404
    assert not RecordAccess.objects.exists()


def test_an_administrator_opening_a_record_in_admin_is_logged(citizen):
    admin = User.objects.create_superuser("quantri", "qt@example.vn", "quan-tri-mat-khau-dai")
    client = Client()
    client.force_login(admin)
    person = Person.objects.get(insurance_number=NUMBER)
    assert client.get(f"/admin/insurance/person/{person.pk}/change/").status_code == 200
    assert client.get(f"/admin/accounts/user/{citizen.pk}/change/").status_code == 200
    rows = RecordAccess.objects.filter(insurance_number=NUMBER, role="admin")
    assert sorted(rows.values_list("subject", flat=True)) == ["account", "record"]
    owner = Client()
    owner.force_login(citizen)
    html = owner.get("/ca-nhan/nhat-ky/").content.decode()
    assert "Quản trị viên đã xem hồ sơ tham gia BHXH, BHYT của bạn" in html


def test_no_one_edits_or_deletes_log_entries_even_a_superuser(citizen, clerk):
    event = AccountEvent.objects.create(user=citizen, action="sign_in")
    access = RecordAccess.objects.create(
        insurance_number=NUMBER, actor=clerk, role="clerk", subject="account", channel="web"
    )
    admin = User.objects.create_superuser("quantri", "qt@example.vn", "quan-tri-mat-khau-dai")
    client = Client()
    client.force_login(admin)
    for path in (
        f"/admin/accounts/accountevent/{event.pk}/",
        f"/admin/accounts/recordaccess/{access.pk}/",
    ):
        assert client.get(path + "change/").status_code == 200  # may read
        assert client.post(path + "change/", {"action": "locked"}).status_code == 403
        assert client.post(path + "delete/", {"post": "yes"}).status_code == 403
    response = client.post(
        "/admin/accounts/accountevent/",
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert AccountEvent.objects.filter(pk=event.pk).exists(), response.status_code
    # Nor through the ORM, one row at a time.
    event.action = "locked"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        access.delete()


def test_the_api_lists_the_log_and_has_no_way_to_write(client, citizen, clerk, declaration):
    staff = Client()
    staff.force_login(clerk)
    staff.get(f"/can-bo/to-khai/{declaration.reference_code}/")
    token = client.post(
        "/api/v1/auth/token/",
        {"username": NUMBER, "password": PASSWORD, "device_id": "phone-aaaaaaaa"},
        content_type="application/json",
    ).json()["access"]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_X_DEVICE_ID": "phone-aaaaaaaa"}
    body = client.get("/api/v1/me/log/", **headers).json()
    assert body["count"] == 2
    kinds = {entry["kind"]: entry for entry in body["results"]}
    assert kinds["access"]["by"] == "Cán bộ BHXH Quận 4"
    assert kinds["event"]["action"] == "sign_in" and kinds["event"]["new_device"] is True
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)("/api/v1/me/log/", **headers).status_code == 405
    assert client.get("/api/v1/me/log/").status_code == 401


def test_the_log_is_paginated_newest_first(client, citizen):
    for _i in range(25):
        AccountEvent.objects.create(user=citizen, action="sign_in", detail={"device": "X"})
    client.force_login(citizen)
    first = client.get("/ca-nhan/nhat-ky/").content.decode()
    assert "Trang 1 / 2" in first
    assert first.count('class="card log-entry') == 20
    second = client.get("/ca-nhan/nhat-ky/?trang=2").content.decode()
    assert second.count('class="card log-entry') == 5


def test_entries_older_than_five_years_are_purged_by_the_beat_task(citizen, clerk):
    with time_machine.travel(timezone.now() - dt.timedelta(days=5 * 365 + 10)):
        AccountEvent.objects.create(user=citizen, action="sign_in")
        RecordAccess.objects.create(
            insurance_number=NUMBER, actor=clerk, role="clerk", subject="account", channel="web"
        )
    with time_machine.travel(timezone.now() - dt.timedelta(days=4 * 365)):
        recent = AccountEvent.objects.create(user=citizen, action="password_changed")
    assert account_log_purge() == 2
    assert list(AccountEvent.objects.all()) == [recent]
    assert not RecordAccess.objects.exists()
