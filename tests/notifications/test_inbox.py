"""The message centre: one entry per notice, its unread count, who may read it."""

from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import translation

import pytest

from accounts.models import User
from accounts.notices import notice_to_owner
from notifications.inbox import inbox_mark_all_read
from notifications.models import InboxEntry, Message
from notifications.selectors import inbox_unread_cache_key, inbox_unread_count
from notifications.services import message_queue
from tests.accounts.conftest import make_citizen

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner() -> User:
    return make_citizen()


@pytest.fixture
def stranger() -> User:
    return make_citizen(username="7909999999", phone="+84907654321", email="binh@example.vn")


def contact_changed(user, on_commit, **flags):
    """The contact-change notice, to the phone and the e-mail, in one transaction."""
    with on_commit(execute=True), transaction.atomic():
        notice_to_owner(
            user=user, template="contact_changed", context=flags or {"phone_changed": 1}
        )
    return InboxEntry.objects.filter(user=user).latest("pk")


def test_a_notice_sent_by_sms_and_email_is_one_entry_both_point_to(
    owner, django_capture_on_commit_callbacks
):
    entry = contact_changed(owner, django_capture_on_commit_callbacks)
    sms = Message.objects.get(channel="sms")
    email = Message.objects.get(channel="email")
    assert InboxEntry.objects.count() == 1
    assert entry.user == owner and entry.kind == "contact_changed"
    url = f"http://127.0.0.1:8000/ca-nhan/thong-bao/{entry.pk}/"
    assert url in email.text
    assert owner.username not in sms.text + email.text + email.subject
    assert entry.link == "/ca-nhan/tai-khoan/"


def test_the_same_notice_in_two_transactions_is_two_entries(
    owner, django_capture_on_commit_callbacks
):
    first = contact_changed(owner, django_capture_on_commit_callbacks)
    second = contact_changed(owner, django_capture_on_commit_callbacks, email_changed=True)
    assert first.pk != second.pk
    assert second.context["email_changed"] is True and "phone_changed" not in second.context


def test_a_rolled_back_action_leaves_no_entry_and_a_savepoint_rollback_only_its_own(owner):
    with pytest.raises(RuntimeError), transaction.atomic():
        notice_to_owner(user=owner, template="password_changed", email=False)
        raise RuntimeError("the action failed")
    assert not InboxEntry.objects.exists()
    with transaction.atomic():
        try:
            with transaction.atomic():
                notice_to_owner(user=owner, template="account_unlocked", email=False)
                raise RuntimeError("inner step failed")
        except RuntimeError:
            pass
        # The entry of the rolled-back savepoint is not reused: a new one is made.
        notice_to_owner(user=owner, template="account_unlocked", email=False)
    entry = InboxEntry.objects.get()
    assert entry.kind == "account_unlocked"
    assert str(entry.pk) in Message.objects.get().text


def test_otps_and_notices_about_no_account_are_not_kept(owner):
    message_queue(
        channel="sms",
        recipient=owner.phone,
        template="otp",
        context={"code": "604213", "purpose_label": "đổi mật khẩu", "minutes": 5},
        about=owner,
        sensitive=["code"],
    )
    message_queue(
        channel="sms",
        recipient="+84912345678",
        template="declaration_rejected",
        context={"reference_code": "DK2611230000AAAA", "reason": "Ảnh mờ"},
    )
    assert not InboxEntry.objects.exists()
    sms = Message.objects.get(template="declaration_rejected")
    assert "/dang-ky/tra-cuu/?ma=DK2611230000AAAA" in sms.text


def test_sensitive_values_never_reach_the_entry(owner):
    message_queue(
        channel="sms",
        recipient=owner.phone,
        template="initial_password",
        context={"username": owner.username, "password": "8273649105", "days": 30},
        about=owner,
        sensitive=["password"],
    )
    entry = InboxEntry.objects.get()
    assert "password" not in entry.context
    client = Client()
    client.force_login(owner)
    html = client.get(f"/ca-nhan/thong-bao/{entry.pk}/").content.decode()
    assert "8273649105" not in html
    assert "Mật khẩu khởi tạo đã được gửi đến số điện thoại của bạn." in html


# PAGES -----------------------------------------------------------------------
def test_the_list_shows_newest_first_marks_unread_and_has_an_empty_state(
    client, owner, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    html = client.get("/ca-nhan/thong-bao/").content.decode()
    assert "Chưa có thông báo nào." in html
    assert "Đánh dấu tất cả là đã đọc" not in html
    with django_capture_on_commit_callbacks(execute=True):
        notice_to_owner(user=owner, template="account_locked", email=False)
        notice_to_owner(user=owner, template="account_unlocked", email=False)
    html = client.get("/ca-nhan/thong-bao/").content.decode()
    assert html.index("Tài khoản đã được mở khoá") < html.index("Tài khoản đã bị khoá")
    assert html.count('class="inbox-item unread"') == 2
    assert "2 thông báo chưa đọc" in html
    assert "Đánh dấu tất cả là đã đọc" in html


def test_the_list_is_paginated(client, owner, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_INBOX_PAGE_SIZE = 2
    for _i in range(3):  # three transactions, three notices
        with django_capture_on_commit_callbacks(execute=True):
            notice_to_owner(user=owner, template="account_unlocked", email=False)
    client.force_login(owner)
    first = client.get("/ca-nhan/thong-bao/").content.decode()
    assert first.count('class="inbox-item') == 2 and "Trang 1/2" in first
    second = client.get("/ca-nhan/thong-bao/?trang=2").content.decode()
    assert second.count('class="inbox-item') == 1


@pytest.mark.django_db(transaction=True)
def test_opening_an_entry_marks_it_read_and_updates_the_header(
    client, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notice_to_owner(user=owner, template="account_locked", email=False)
        notice_to_owner(user=owner, template="password_changed", email=False)
    client.force_login(owner)
    home = client.get("/").content.decode()
    assert '<span class="badge" aria-hidden="true">2</span>' in home
    assert ", 2 chưa đọc" in home
    entry = InboxEntry.objects.get(kind="account_locked")
    with django_capture_on_commit_callbacks(execute=True):
        html = client.get(f"/ca-nhan/thong-bao/{entry.pk}/").content.decode()
    assert "Tài khoản đã bị khoá" in html and "nhập sai mật khẩu 5 lần" in html
    assert '<span class="badge" aria-hidden="true">1</span>' in html
    entry.refresh_from_db()
    assert entry.read_at is not None
    listing = client.get("/ca-nhan/thong-bao/").content.decode()
    assert listing.count('class="inbox-item unread"') == 1


@pytest.mark.django_db(transaction=True)
def test_mark_all_read_empties_the_count(client, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice_to_owner(user=owner, template="account_locked", email=False)
        notice_to_owner(user=owner, template="password_changed", email=False)
    client.force_login(owner)
    assert inbox_unread_count(user_id=owner.pk) == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/ca-nhan/thong-bao/da-doc-tat-ca/", follow=True)
    html = response.content.decode()
    assert "Đã đánh dấu 2 thông báo là đã đọc." in html
    assert "Bạn đã đọc hết thông báo." in html
    assert 'class="badge"' not in html
    assert not InboxEntry.objects.filter(read_at__isnull=True).exists()


def test_mark_all_read_needs_a_post_with_csrf(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.get("/ca-nhan/thong-bao/da-doc-tat-ca/").status_code == 405
    assert client.post("/ca-nhan/thong-bao/da-doc-tat-ca/").status_code == 403


def test_only_the_owner_sees_an_entry(client, owner, stranger):
    notice_to_owner(user=owner, template="account_locked", email=False)
    entry = InboxEntry.objects.get()
    assert "/dang-nhap/" in client.get(f"/ca-nhan/thong-bao/{entry.pk}/")["Location"]
    assert "/dang-nhap/" in client.get("/ca-nhan/thong-bao/")["Location"]
    client.force_login(stranger)
    assert client.get(f"/ca-nhan/thong-bao/{entry.pk}/").status_code == 404
    assert "Tài khoản đã bị khoá" not in client.get("/ca-nhan/thong-bao/").content.decode()
    client.post("/ca-nhan/thong-bao/da-doc-tat-ca/")
    entry.refresh_from_db()
    assert entry.read_at is None  # the stranger's "mark all" does not touch it
    clerk = User.objects.create_user("canbo.q4", password="canbo-mat-khau-dai", is_staff=True)
    client.force_login(clerk)
    assert client.get(f"/ca-nhan/thong-bao/{entry.pk}/").status_code == 404


def test_the_page_is_shown_in_english(client, owner):
    notice_to_owner(user=owner, template="account_locked", email=False)
    entry = InboxEntry.objects.get()
    client.force_login(owner)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(f"/ca-nhan/thong-bao/{entry.pk}/").content.decode()
    assert "Account locked" in html
    assert f"Account {owner.username} has been locked after 5 wrong passwords in a row." in html
    listing = client.get("/ca-nhan/thong-bao/").content.decode()
    assert "Mark all as read" not in listing  # already read
    assert "Notifications" in listing


def test_header_shows_no_inbox_to_anonymous_visitors_or_staff(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        html = client.get("/").content.decode()
    assert "/ca-nhan/thong-bao/" not in html
    clerk = User.objects.create_user("canbo.q4", password="canbo-mat-khau-dai", is_staff=True)
    client.force_login(clerk)
    assert 'class="inbox-link"' not in client.get("/").content.decode()


# THE CACHED COUNT --------------------------------------------------------------
def test_the_count_is_read_from_one_cache_key_and_counted_on_a_miss(
    owner, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notice_to_owner(user=owner, template="account_locked", email=False)
    key = inbox_unread_cache_key(owner.pk)
    assert cache.get(key) is None
    with django_assert_num_queries(1):
        assert inbox_unread_count(user_id=owner.pk) == 1
    assert cache.get(key) == 1
    with django_assert_num_queries(0):
        assert inbox_unread_count(user_id=owner.pk) == 1


def test_the_cached_count_is_dropped_after_commit_of_a_new_read_or_marked_entry(
    owner, django_capture_on_commit_callbacks
):
    key = inbox_unread_cache_key(owner.pk)
    assert inbox_unread_count(user_id=owner.pk) == 0
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notice_to_owner(user=owner, template="account_locked", email=False)
    assert cache.get(key) == 0  # not before the commit: a reader would see no entry
    for callback in callbacks:
        callback()
    assert cache.get(key) is None
    assert inbox_unread_count(user_id=owner.pk) == 1
    with django_capture_on_commit_callbacks(execute=True):
        notice_to_owner(user=owner, template="password_changed", email=False)
    assert inbox_unread_count(user_id=owner.pk) == 2
    client = Client()
    client.force_login(owner)
    entry = InboxEntry.objects.get(kind="account_locked")
    with django_capture_on_commit_callbacks(execute=True):
        client.get(f"/ca-nhan/thong-bao/{entry.pk}/")
    assert cache.get(key) is None or cache.get(key) == 1
    assert inbox_unread_count(user_id=owner.pk) == 1
    with django_capture_on_commit_callbacks(execute=True):
        inbox_mark_all_read(viewer=owner)
    assert inbox_unread_count(user_id=owner.pk) == 0


def test_a_cache_outage_still_shows_the_count(owner, monkeypatch):
    notice_to_owner(user=owner, template="account_locked", email=False)

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    assert inbox_unread_count(user_id=owner.pk) == 1


# GUARDIANS ---------------------------------------------------------------------
@pytest.fixture
def family(owner, django_capture_on_commit_callbacks):
    child = User.objects.create_user(
        "7920170902", password="mat-khau-cua-con-1", full_name="Nguyễn Minh Khoa", guardian=owner
    )
    with django_capture_on_commit_callbacks(execute=True):
        notice_to_owner(user=child, template="password_rotation_reminder", context={"days_left": 3})
    return owner, child


def test_a_guardian_reads_the_notices_of_their_childs_account(client, family, stranger):
    guardian, child = family
    entry = InboxEntry.objects.get(user=child)
    sms = Message.objects.get(channel="sms")
    assert sms.recipient == guardian.phone  # the child's SMS reach the guardian's phone
    assert inbox_unread_count(user_id=guardian.pk) == 1
    client.force_login(guardian)
    listing = client.get("/ca-nhan/thong-bao/").content.decode()
    assert "Tài khoản của con: Nguyễn Minh Khoa" in listing
    html = client.get(f"/ca-nhan/thong-bao/{entry.pk}/").content.decode()
    assert "Mật khẩu sắp hết hạn" in html
    # The password page is the child's own: no link for the guardian.
    assert "/ca-nhan/tai-khoan/doi-mat-khau/" not in html
    child_client = Client()
    child_client.force_login(child)
    child_html = child_client.get(f"/ca-nhan/thong-bao/{entry.pk}/").content.decode()
    assert 'href="/ca-nhan/tai-khoan/doi-mat-khau/"' in child_html
    client.force_login(stranger)
    assert client.get(f"/ca-nhan/thong-bao/{entry.pk}/").status_code == 404


def test_a_guardian_is_sent_to_the_childs_records_page(client, family):
    guardian, child = family
    message_queue(
        channel="sms",
        recipient=guardian.phone,
        template="card_expiry_reminder",
        context={"card_number": "HS4797920170902", "valid_to": "31/12/2026"},
        about=child,
    )
    entry = InboxEntry.objects.get(kind="card_expiry_reminder")
    client.force_login(guardian)
    html = client.get(f"/ca-nhan/thong-bao/{entry.pk}/").content.decode()
    assert f'href="/ca-nhan/con/{child.pk}/the-bhyt/"' in html
    assert "HS4797920170902" in html and "31/12/2026" in html


def test_reading_a_childs_notice_drops_both_counts(
    client, family, django_capture_on_commit_callbacks
):
    guardian, child = family
    assert inbox_unread_count(user_id=guardian.pk) == 1
    assert inbox_unread_count(user_id=child.pk) == 1
    client.force_login(guardian)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/ca-nhan/thong-bao/da-doc-tat-ca/")
    assert inbox_unread_count(user_id=guardian.pk) == 0
    assert inbox_unread_count(user_id=child.pk) == 0


# API -------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_api_lists_messages_with_the_unread_count(owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice_to_owner(user=owner, template="account_locked", email=False)
        notice_to_owner(user=owner, template="password_changed", email=False)
    client = Client()
    client.force_login(owner)
    body = client.get("/api/v1/me/messages/").json()
    assert body["count"] == 2 and body["unread_count"] == 2
    newest = body["results"][0]
    assert set(newest) >= {"id", "kind", "title", "body", "link", "created_at", "read"}
    assert newest["kind"] == "password_changed" and newest["read"] is False
    assert newest["title"] == "Mật khẩu đã được thay đổi"
    assert newest["link"] == "http://testserver/ca-nhan/tai-khoan/"
    assert body["results"][1]["link"] is None
    with django_capture_on_commit_callbacks(execute=True):
        detail = client.get(f"/api/v1/me/messages/{newest['id']}/").json()
    assert detail["read"] is True and detail["read_at"]
    assert client.get("/api/v1/me/messages/").json()["unread_count"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        read_all = client.post("/api/v1/me/messages/read-all/").json()
    assert read_all["marked"] == 1 and read_all["unread_count"] == 0


def test_api_speaks_the_requested_language(owner):
    notice_to_owner(user=owner, template="account_locked", email=False)
    client = Client()
    client.force_login(owner)
    body = client.get("/api/v1/me/messages/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["results"][0]["title"] == "Account locked"
    translation.activate("vi")


def test_api_hides_other_accounts_messages_and_refuses_anonymous(owner, stranger):
    notice_to_owner(user=owner, template="account_locked", email=False)
    entry = InboxEntry.objects.get()
    assert Client().get("/api/v1/me/messages/").status_code in {401, 403}
    client = Client()
    client.force_login(stranger)
    assert client.get(f"/api/v1/me/messages/{entry.pk}/").status_code == 404
    assert client.get("/api/v1/me/messages/").json()["count"] == 0
    entry.refresh_from_db()
    assert entry.read_at is None


def test_admin_shows_entries_read_only(admin_client, owner):
    notice_to_owner(user=owner, template="account_locked", email=False)
    entry = InboxEntry.objects.get()
    html = admin_client.get(f"/admin/notifications/inboxentry/{entry.pk}/change/").content.decode()
    assert "Tài khoản đã bị khoá" in html
    assert admin_client.get("/admin/notifications/inboxentry/add/").status_code == 403
    response = admin_client.post(f"/admin/notifications/inboxentry/{entry.pk}/delete/")
    assert response.status_code == 403
    assert InboxEntry.objects.filter(pk=entry.pk).exists()
