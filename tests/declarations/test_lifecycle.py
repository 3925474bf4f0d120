"""The shared case lifecycle on a tờ khai: send back for correction, resubmit,
registry match and one-click approval, reject with a reason."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile

import pytest

from accounts.models import User
from declarations.lifecycle import case_resubmit
from declarations.models import Declaration
from declarations.review import (
    POLICY,
    declaration_approve,
    declaration_mark_checked,
    declaration_reject,
    declaration_return_for_correction,
    one_click_approvable,
)
from notifications.models import Message

from .conftest import jpeg_bytes
from .staff_fixtures import *  # noqa: F403
from .test_services import submit

pytestmark = pytest.mark.django_db
IP = "203.0.113.9"

PHONE_AND_BACK = [
    {"field": "phone", "reason": "unreachable", "note": "Gọi 3 lần không được"},
    {"field": "id_back", "reason": "unreadable", "note": ""},
]


def send_back(declaration, clerk, items=PHONE_AND_BACK, note="Vui lòng chụp lại ảnh mặt sau."):
    return declaration_return_for_correction(
        declaration=declaration, actor=clerk, ip=IP, items=items, note=note
    )


def new_photo(name="moi.jpg") -> ContentFile:
    return ContentFile(jpeg_bytes(color=(10, 200, 10)), name=name)


def test_return_marks_the_fields_acknowledges_and_sends_a_link(person, offices, clerk_q4):
    declaration = submit(offices)
    assert declaration.acknowledged_at is None
    send_back(declaration, clerk_q4)
    declaration.refresh_from_db()
    assert declaration.status == Declaration.Status.RETURNED
    assert declaration.correction_fields() == ["phone", "id_back"]
    assert declaration.correction_items[0]["note"] == "Gọi 3 lần không được"
    assert declaration.correction_round == 1 and declaration.acknowledged_at is not None
    event = declaration.events.order_by("pk").last()
    assert (event.action, event.from_status, event.to_status) == (
        "returned",
        "submitted",
        "returned",
    )
    assert event.actor == clerk_q4 and event.reason == "Vui lòng chụp lại ảnh mặt sau."
    assert [item["field"] for item in event.detail["items"]] == ["phone", "id_back"]
    sms = Message.objects.get(template="declaration_returned", channel="sms")
    email = Message.objects.get(template="declaration_returned", channel="email")
    assert sms.recipient == "+84912345678" and email.recipient == "an@example.vn"
    assert re.search(r"/dang-ky/bo-sung/lien-ket/[^ ]+/", sms.text)
    assert declaration.reference_code in sms.text
    for personal in ("Nguyễn Văn An", "7901234567", "15/05/1990", "079090001234"):
        assert personal not in sms.text and personal not in email.text


@pytest.mark.parametrize(
    "items,field,message",
    [
        ([], "items", "ít nhất một"),
        ([{"field": "phone", "reason": ""}], "phone", "chọn lý do"),
        ([{"field": "phone", "reason": "other", "note": "  "}], "phone", "ghi rõ lý do"),
        ([{"field": "status", "reason": "incomplete"}], "items", "không thể yêu cầu bổ sung"),
        ([{"field": "insurance_number", "reason": "incomplete"}], "items", "không thể"),
    ],
)
def test_return_needs_known_fields_and_reasons_and_writes_nothing_otherwise(
    person, offices, clerk_q4, items, field, message
):
    declaration = submit(offices)
    with pytest.raises(ValidationError) as caught:
        send_back(declaration, clerk_q4, items=items)
    assert message in " ".join(caught.value.message_dict[field])
    declaration.refresh_from_db()
    assert declaration.status == "submitted" and declaration.correction_items == []
    assert declaration.events.count() == 1
    assert not Message.objects.filter(template="declaration_returned").exists()


def test_return_by_another_office_or_after_a_decision_is_refused(
    person, offices, clerk_q4, clerk_q1
):
    declaration = submit(offices)
    with pytest.raises(PermissionDenied):
        send_back(declaration, clerk_q1)
    declaration_reject(declaration=declaration, actor=clerk_q4, ip=IP, reason="Trùng hồ sơ")
    with pytest.raises(ValidationError, match="đã được xử lý"):
        send_back(declaration, clerk_q4)


def test_resubmission_changes_only_the_marked_fields_and_keeps_code_and_history(
    person, offices, clerk_q4
):
    declaration = submit(offices)
    code, front, back = (
        declaration.reference_code,
        declaration.id_front.name,
        declaration.id_back.name,
    )
    send_back(declaration, clerk_q4)
    declaration.refresh_from_db()
    case_resubmit(
        policy=POLICY,
        case=declaration,
        correction_round=1,
        values={"phone": "+84987654321"},
        photos={"id_back": new_photo()},
        ip=IP,
    )
    declaration.refresh_from_db()
    assert declaration.reference_code == code and declaration.status == "submitted"
    assert declaration.phone == "+84987654321"
    assert declaration.id_front.name == front  # kept: not marked
    assert declaration.id_back.name != back and declaration.id_back.read()[:2] == b"\xff\xd8"
    assert declaration.full_name == "Nguyễn Văn An" and declaration.email == "an@example.vn"
    # A new acknowledge clock for the resubmission.
    assert declaration.acknowledged_at is None
    assert declaration.acknowledge_due_at > declaration.submitted_at
    actions = list(declaration.events.order_by("pk").values_list("action", flat=True))
    assert actions == ["submitted", "returned", "resubmitted"]
    assert declaration.events.order_by("pk").last().detail["changed"] == ["phone", "id_back"]
    sms = Message.objects.get(template="declaration_resubmitted")
    assert sms.recipient == "+84987654321" and code in sms.text


def test_resubmission_must_answer_every_marked_field_and_nothing_else(person, offices, clerk_q4):
    declaration = submit(offices)
    send_back(declaration, clerk_q4)
    declaration.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        case_resubmit(
            policy=POLICY,
            case=declaration,
            correction_round=1,
            values={"phone": "+84987654321"},
            photos={},
        )
    assert "id_back" in caught.value.message_dict
    with pytest.raises(ValidationError, match="đã đánh dấu"):
        case_resubmit(
            policy=POLICY,
            case=declaration,
            correction_round=1,
            values={"phone": "+84987654321", "full_name": "Người Khác"},
            photos={"id_back": new_photo()},
        )
    declaration.refresh_from_db()
    assert declaration.status == "returned" and declaration.full_name == "Nguyễn Văn An"


def test_an_answered_round_cannot_be_answered_again(person, offices, clerk_q4):
    declaration = submit(offices)
    send_back(declaration, clerk_q4, items=[{"field": "contact_person", "reason": "incomplete"}])
    declaration.refresh_from_db()
    answer = {"values": {"contact_person": "Nguyễn Thị Hoa"}, "photos": {}}
    case_resubmit(policy=POLICY, case=declaration, correction_round=1, **answer)
    with pytest.raises(ValidationError, match="không còn chờ bổ sung"):
        case_resubmit(policy=POLICY, case=declaration, correction_round=1, **answer)
    assert declaration.events.filter(action="resubmitted").count() == 1


# ONLINE ACTIVATION ------------------------------------------------------------
def test_an_exact_registry_match_is_flagged_and_a_mismatch_names_its_fields(person, offices):
    matching = submit(offices, key="a")
    assert matching.registry_match is True and matching.registry_mismatches == []
    person.id_number = "079090009999"
    person.save()
    Declaration.objects.filter(pk=matching.pk).update(status="rejected", reject_reason="x")
    other = submit(offices, key="b")
    assert other.registry_match is False and other.registry_mismatches == ["id_number"]


def test_one_click_approval_needs_a_match_and_an_office_that_allows_it(person, offices, clerk_q4):
    declaration = submit(offices)
    assert not one_click_approvable(declaration)
    with pytest.raises(ValidationError, match="Chưa kiểm tra giấy tờ"):
        declaration_approve(declaration=declaration, actor=clerk_q4, ip=IP)
    offices.q4.one_click_approval = True
    offices.q4.save()
    declaration.refresh_from_db()
    assert one_click_approvable(declaration)
    declaration_approve(declaration=declaration, actor=clerk_q4, ip=IP)
    declaration.refresh_from_db()
    assert declaration.status == "approved" and declaration.decided_at is not None
    assert declaration.acknowledged_at is not None
    assert User.objects.filter(username="7901234567").exists()
    assert declaration.events.get(action="approved").detail == {"one_click": True}


def test_one_click_is_never_offered_for_a_mismatch(person, offices, clerk_q4):
    offices.q4.one_click_approval = True
    offices.q4.save()
    person.full_name = "Nguyễn Văn Anh"
    person.save()
    declaration = submit(offices, full_name="Nguyễn Văn Anh")
    Declaration.objects.filter(pk=declaration.pk).update(id_number="079090000000")
    declaration.refresh_from_db()
    POLICY.on_submit(declaration)
    declaration.save()
    assert declaration.registry_match is False
    assert not one_click_approvable(declaration)
    with pytest.raises(ValidationError, match="Chưa kiểm tra giấy tờ"):
        declaration_approve(declaration=declaration, actor=clerk_q4, ip=IP)
    assert not User.objects.filter(username="7901234567").exists()


def test_a_rejection_names_its_reason_to_the_citizen(person, offices, clerk_q4):
    declaration = submit(offices)
    declaration_mark_checked(declaration=declaration, actor=clerk_q4, ip=IP)
    declaration_reject(
        declaration=declaration, actor=clerk_q4, ip=IP, reason="Ảnh chân dung không rõ mặt."
    )
    declaration.refresh_from_db()
    assert declaration.reject_reason == "Ảnh chân dung không rõ mặt."
    assert declaration.decided_at is not None
    # The notices only point to the status page, which names the reason.
    email = Message.objects.get(template="declaration_rejected", channel="email")
    assert "Ảnh chân dung không rõ mặt." not in email.text
    assert "/dang-ky/tra-cuu/" in email.text
