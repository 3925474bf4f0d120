"""The clerk's decisions: check, approve (the account), reject, and their audit."""

from django.core.exceptions import PermissionDenied, ValidationError

import pytest

from accounts.models import AccountEvent, User
from declarations.models import Declaration, DeclarationEvent
from declarations.review import (
    declaration_approve,
    declaration_mark_checked,
    declaration_reject,
)
from notifications.models import Message

from .staff_fixtures import *  # noqa: F403
from .staff_fixtures import make_clerk
from .test_services import submit

pytestmark = pytest.mark.django_db
IP = "203.0.113.7"


def checked(declaration, clerk):
    return declaration_mark_checked(declaration=declaration, actor=clerk, ip=IP)


def test_submission_is_the_first_audit_event(person, offices):
    declaration = submit(offices)
    event = declaration.events.get()
    assert (event.action, event.from_status, event.to_status) == ("submitted", "", "submitted")
    assert event.actor is None


def test_marking_checked_moves_to_received_and_records_who_when_and_ip(declaration_q4, clerk_q4):
    checked(declaration_q4, clerk_q4)
    declaration_q4.refresh_from_db()
    assert declaration_q4.status == Declaration.Status.RECEIVED
    event = DeclarationEvent.objects.get(declaration=declaration_q4)
    assert event.actor == clerk_q4 and event.ip == IP and event.created_at
    assert (event.action, event.from_status, event.to_status) == (
        "checked",
        "submitted",
        "received",
    )


def test_approval_needs_the_papers_checked_first(declaration_q4, clerk_q4):
    with pytest.raises(ValidationError, match="Chưa kiểm tra giấy tờ") as exc:
        declaration_approve(declaration=declaration_q4, actor=clerk_q4, ip=IP)
    assert exc.value.code == "not_checked"
    assert not User.objects.filter(username=declaration_q4.insurance_number).exists()


def test_approval_opens_the_account_and_texts_the_initial_password(declaration_q4, clerk_q4):
    checked(declaration_q4, clerk_q4)
    declaration_approve(declaration=declaration_q4, actor=clerk_q4, ip=IP)

    declaration_q4.refresh_from_db()
    assert declaration_q4.status == Declaration.Status.APPROVED
    user = User.objects.get(username=declaration_q4.insurance_number)
    assert user.must_change_password and user.initial_password_expires_at
    assert (user.phone, user.email, user.full_name) == (
        "+84912345678",
        "an@example.vn",
        "Nguyễn Văn An",
    )
    assert not user.is_staff

    sms = Message.objects.get(channel="sms", template="account_approved")
    password = sms.text.split("Mật khẩu khởi tạo: ")[1][:10]
    assert password.isdigit() and len(password) == 10
    assert sms.recipient == "+84912345678" and password not in sms.redacted_text
    assert user.check_password(password)

    email = Message.objects.get(channel="email", template="account_approved")
    assert email.recipient == "an@example.vn"
    # The e-mail points to the message centre; no mã số, no password.
    assert user.username not in email.text + email.subject
    assert password not in email.text + email.html
    assert "/ca-nhan/thong-bao/" in email.text

    event = declaration_q4.events.get(action="approved")
    assert (event.from_status, event.to_status, event.actor, event.ip) == (
        "received",
        "approved",
        clerk_q4,
        IP,
    )
    created = AccountEvent.objects.get(user=user, action="created")
    assert created.actor == clerk_q4 and created.detail == {
        "declaration": declaration_q4.reference_code
    }


def test_approval_refuses_a_second_account_for_the_same_number(declaration_q4, clerk_q4):
    User.objects.create_user(declaration_q4.insurance_number, password="mat-khau-cu-123")
    checked(declaration_q4, clerk_q4)
    with pytest.raises(ValidationError, match="đã có tài khoản") as exc:
        declaration_approve(declaration=declaration_q4, actor=clerk_q4, ip=IP)
    assert exc.value.code == "account_exists"
    assert User.objects.filter(username=declaration_q4.insurance_number).count() == 1
    declaration_q4.refresh_from_db()
    assert declaration_q4.status == Declaration.Status.RECEIVED
    assert not Message.objects.filter(template="account_approved").exists()


def test_reject_needs_a_reason(declaration_q4, clerk_q4):
    with pytest.raises(ValidationError) as exc:
        declaration_reject(declaration=declaration_q4, actor=clerk_q4, ip=IP, reason="   ")
    assert exc.value.message_dict == {"reason": ["Vui lòng chọn hoặc nhập lý do từ chối."]}
    declaration_q4.refresh_from_db()
    assert declaration_q4.status == Declaration.Status.SUBMITTED


def test_reject_records_the_reason_and_tells_the_citizen(declaration_q4, clerk_q4):
    reason = "Ảnh mặt trước bị mờ."
    declaration_reject(declaration=declaration_q4, actor=clerk_q4, ip=IP, reason=reason)
    declaration_q4.refresh_from_db()
    assert (declaration_q4.status, declaration_q4.reject_reason) == ("rejected", reason)
    event = declaration_q4.events.get()
    assert (event.action, event.reason, event.from_status) == ("rejected", reason, "submitted")
    sms = Message.objects.get(channel="sms", template="declaration_rejected")
    email = Message.objects.get(channel="email", template="declaration_rejected")
    # The reason is read on the status page (code + phone), not in the SMS.
    lookup = f"/dang-ky/tra-cuu/?ma={declaration_q4.reference_code}"
    assert lookup in sms.text and lookup in email.text
    assert reason not in sms.text + email.text
    assert not User.objects.filter(username=declaration_q4.insurance_number).exists()


def test_second_clerk_acting_after_the_first_gets_a_clear_message(
    declaration_q4, clerk_q4, offices
):
    colleague = make_clerk(offices.q4, "canbo.quan4.b")
    checked(declaration_q4, clerk_q4)
    stale = Declaration.objects.get(pk=declaration_q4.pk)  # the colleague's page
    declaration_approve(declaration=declaration_q4, actor=clerk_q4, ip=IP)
    with pytest.raises(ValidationError, match="đã được xử lý, trạng thái hiện tại: “Đã duyệt”"):
        declaration_reject(declaration=stale, actor=colleague, ip=IP, reason="Trùng")
    with pytest.raises(ValidationError, match="Đã duyệt"):
        declaration_approve(declaration=stale, actor=colleague, ip=IP)
    assert User.objects.filter(username=declaration_q4.insurance_number).count() == 1
    assert declaration_q4.events.count() == 2


def test_clerk_of_another_office_cannot_act(declaration_q4, clerk_q1, citizen_user):
    for actor in (clerk_q1, citizen_user):
        with pytest.raises(PermissionDenied):
            declaration_mark_checked(declaration=declaration_q4, actor=actor, ip=IP)
        with pytest.raises(PermissionDenied):
            declaration_reject(declaration=declaration_q4, actor=actor, ip=IP, reason="x")
    assert not DeclarationEvent.objects.exists()


def test_province_clerk_with_child_offices_and_administrator_can_act(
    declaration_q4, declaration_q1, province_clerk, admin_user
):
    checked(declaration_q4, province_clerk)
    checked(declaration_q1, admin_user)
    assert set(Declaration.objects.values_list("status", flat=True)) == {"received"}
