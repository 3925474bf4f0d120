"""The notices of a tờ khai's life, read from the real outbox and message centre.

SMS and e-mail carry no name, birth date, mã số or CCCD (docs/security.md);
a citizen without an account yet is pointed to the status lookup with the
reference code; once the account exists, its notices are kept in it.
"""

import pytest

from accounts.models import User
from declarations.models import Declaration
from declarations.review import declaration_approve, declaration_mark_checked, declaration_reject
from notifications.models import InboxEntry, Message

from .conftest import AN
from .helpers import submit, walk_to_review
from .staff_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db
IP = "203.0.113.7"
PERSONAL = [
    AN["full_name"],
    AN["insurance_number"],
    AN["id_number"],
    "15/05/1990",
    "1990-05-15",
    "12 Đường số 3",
    "0912345678",
    "912 345 678",
]


def assert_carries_no_personal_data(message: Message) -> None:
    text = " ".join([message.subject, message.text, message.html])
    assert [value for value in PERSONAL if value in text] == [], text


def test_the_registration_sms_points_to_the_status_lookup_with_the_code(
    client, person, captcha_code, django_capture_on_commit_callbacks
):
    walk_to_review(client)
    with django_capture_on_commit_callbacks(execute=True):
        assert submit(client).status_code == 302
    declaration = Declaration.objects.get()
    code = declaration.reference_code
    sms = Message.objects.get(channel="sms", template="declaration_received")
    assert sms.text == (
        f"BHXH đã nhận tờ khai mã hồ sơ {code}. Xem tình trạng tại "
        f"http://127.0.0.1:8000/dang-ky/tra-cuu/?ma={code}"
    )
    assert_carries_no_personal_data(sms)
    # The tờ khai the citizen asked to be e-mailed is the document itself:
    # attached as PDF, the body names no one.
    email = Message.objects.get(channel="email", template="declaration_form_email")
    assert email.attachments.count() == 1
    assert_carries_no_personal_data(email)
    assert not InboxEntry.objects.exists()  # no account yet: nothing to keep it in
    # The link fills the code in; the phone number is still asked for.
    page = client.get(f"/dang-ky/tra-cuu/?ma={code}").content.decode()
    assert f'value="{code}"' in page
    assert "Đã nộp" not in page


def test_approval_keeps_one_notice_and_the_password_only_in_the_sms(
    client, declaration_q4, clerk_q4, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        declaration_mark_checked(declaration=declaration_q4, actor=clerk_q4, ip=IP)
        declaration_approve(declaration=declaration_q4, actor=clerk_q4, ip=IP)
    user = User.objects.get(username=declaration_q4.insurance_number)
    sms = Message.objects.get(channel="sms", template="account_approved")
    email = Message.objects.get(channel="email", template="account_approved")
    password = sms.text.split("Mật khẩu khởi tạo: ")[1][:10]
    assert user.check_password(password)
    for message in (sms, email):
        assert user.username not in message.text + message.subject
        assert "Nguyễn Văn An" not in message.text + message.subject
    entry = InboxEntry.objects.get()  # SMS and e-mail: one notice
    assert (entry.user, entry.kind) == (user, "account_approved")
    assert f"/ca-nhan/thong-bao/{entry.pk}/" in email.text
    assert "password" not in entry.context
    user.must_change_password = False  # as after the first sign-in
    user.save()
    client.force_login(user)
    html = client.get(f"/ca-nhan/thong-bao/{entry.pk}/").content.decode()
    assert "Mật khẩu khởi tạo đã được gửi đến số điện thoại của bạn." in html
    assert password not in html
    assert f"Tên đăng nhập: {user.username}" in html


def test_rejection_is_read_on_the_status_page_or_in_the_account(
    client, declaration_q4, clerk_q4, django_capture_on_commit_callbacks
):
    reason = "Ảnh mặt trước bị mờ."
    with django_capture_on_commit_callbacks(execute=True):
        declaration_reject(declaration=declaration_q4, actor=clerk_q4, ip=IP, reason=reason)
    sms = Message.objects.get(channel="sms", template="declaration_rejected")
    assert_carries_no_personal_data(sms)
    assert reason not in sms.text
    page = client.post(
        "/dang-ky/tra-cuu/",
        {"reference_code": declaration_q4.reference_code, "phone": "0912 345 678"},
    ).content.decode()
    assert reason in page
    assert not InboxEntry.objects.exists()


def test_a_notice_about_a_form_filed_for_an_existing_account_is_kept_in_it(
    client, declaration_q4, clerk_q4
):
    """Someone filed a tờ khai with a mã số that has an account: its owner hears of it."""
    owner = User.objects.create_user(declaration_q4.insurance_number, password="mat-khau-cu-123")
    declaration_reject(declaration=declaration_q4, actor=clerk_q4, ip=IP, reason="Trùng hồ sơ.")
    entry = InboxEntry.objects.get()
    assert (entry.user, entry.kind) == (owner, "declaration_rejected")
    sms = Message.objects.get(channel="sms", template="declaration_rejected")
    assert sms.text.endswith(f"/ca-nhan/thong-bao/{entry.pk}/")
    client.force_login(owner)
    html = client.get(f"/ca-nhan/thong-bao/{entry.pk}/").content.decode()
    assert "Lý do: Trùng hồ sơ." in html
    assert f'href="/ca-nhan/to-khai/{declaration_q4.reference_code}/"' in html
