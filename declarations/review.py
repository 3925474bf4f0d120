"""The clerk's decisions on a tờ khai: its case policy and the account.

The lifecycle itself (locking, states, clocks, audit events, corrections)
is ``declarations.lifecycle``, shared by every request type; this module
says what is particular to a tờ khai: which fields and photos a clerk may
send back, when it may be approved in one click (online activation), that
an approval opens the account, and the notices.
"""

import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import account_event_record
from accounts.models import AccountEvent
from accounts.notices import notice_queue
from accounts.services import account_initial_password_issue
from insurance.models import Person
from vssid_portal.text import fold
from vssid_portal.validators import normalize_id_number

from . import lifecycle
from .cases import CaseAction, CaseStatus
from .lifecycle import CasePolicy, Correctable
from .models import Declaration

logger = logging.getLogger(__name__)
User = get_user_model()
Status = Declaration.Status

# Shown as choices in the reject form; the clerk may also type a reason.
COMMON_REJECT_REASONS = [
    "Ảnh chân dung không rõ mặt hoặc không phải ảnh chân dung.",
    "Ảnh giấy tờ tùy thân bị mờ, mất góc hoặc không đọc được.",
    "Thông tin trên tờ khai không khớp với giấy tờ tùy thân.",
    "Người nộp chưa mang tờ khai đã ký và giấy tờ tùy thân đến đối chiếu.",
    "Số điện thoại không liên lạc được hoặc không phải của người đăng ký.",
]

_TEXT_FIELDS = (
    "full_name",
    "date_of_birth",
    "id_number",
    "contact_address",
    "contact_person",
    "email",
    "phone",
)
# The identity compared with the registry for online activation.
MATCH_FIELDS = ("full_name", "date_of_birth", "id_number", "insurance_number")


def declaration_registry_match(*, declaration: Declaration) -> tuple[bool, list[str]]:
    """Does the tờ khai's identity match the registry exactly ("khớp dữ liệu")?

    Name (folded: no diacritics, case or extra spaces), date of birth, CCCD
    number and mã số BHXH must all equal the registry's, and every photo of
    its kind must be there (they passed the upload checks: format, size,
    re-encoding). A child's tờ khai has no ID card: never a match. Returns
    the match and the names of the fields that differ.
    """
    if declaration.kind != Declaration.Kind.OWN_ACCOUNT:
        return False, []
    person = Person.objects.filter(insurance_number=declaration.insurance_number).first()
    if person is None:
        return False, list(MATCH_FIELDS)
    mismatches = []
    if fold(declaration.full_name) != fold(person.full_name):
        mismatches.append("full_name")
    if declaration.date_of_birth != person.date_of_birth:
        mismatches.append("date_of_birth")
    if not person.id_number or normalize_id_number(declaration.id_number) != normalize_id_number(
        person.id_number
    ):
        mismatches.append("id_number")
    photos = all(getattr(declaration, slot) for slot in declaration.image_slots)
    return (not mismatches and photos), mismatches


class DeclarationPolicy(CasePolicy):
    model = Declaration
    event_fk = "declaration"
    label = gettext_lazy("tờ khai")

    def correctables(self, case: Declaration) -> list[Correctable]:
        fields = [] if case.is_child_account else list(_TEXT_FIELDS)
        labels = {field.name: field.verbose_name for field in Declaration._meta.fields}
        return [Correctable(name, labels[name]) for name in fields] + [
            Correctable(slot, labels[slot], photo=True) for slot in case.image_slots
        ]

    def approve_check(self, case: Declaration) -> None:
        # The account is given to whoever holds the phone, so the ID must have
        # been seen first, unless the office lets a clerk approve an exact
        # registry match in one click (online activation, never automatic).
        if (
            case.status == Status.SUBMITTED
            and case.registry_match
            and case.office.one_click_approval
        ):
            return
        super().approve_check(case)

    def on_approve(self, case: Declaration, *, actor, ip: str | None) -> None:
        declaration_account_create(declaration=case, actor=actor, ip=ip)

    def on_submit(self, case: Declaration) -> None:
        case.registry_match, case.registry_mismatches = declaration_registry_match(declaration=case)

    def notify(self, case: Declaration, action: str) -> None:
        from .corrections import correction_url

        if action == CaseAction.RETURNED:
            context = {
                "reference_code": case.reference_code,
                "correction_url": correction_url(declaration=case),
            }
            for channel, recipient in (("sms", case.phone), ("email", case.email)):
                notice_queue(
                    channel=channel,
                    recipient=recipient,
                    template="declaration_returned",
                    context=context,
                    about=case,
                    idempotency_key=(
                        f"declaration:{case.pk}:returned:{case.correction_round}:{channel}"
                    ),
                    sensitive=("correction_url",),
                )
        elif action == CaseAction.RESUBMITTED:
            notice_queue(
                channel="sms",
                recipient=case.phone,
                template="declaration_resubmitted",
                context={"reference_code": case.reference_code},
                about=case,
                idempotency_key=f"declaration:{case.pk}:resubmitted:{case.correction_round}:sms",
            )
        elif action == CaseAction.REJECTED:
            context = {"reference_code": case.reference_code, "reason": case.reject_reason}
            for channel, recipient in (("sms", case.phone), ("email", case.email)):
                notice_queue(
                    channel=channel,
                    recipient=recipient,
                    template="declaration_rejected",
                    context=context,
                    about=case,
                    idempotency_key=f"declaration:{case.pk}:rejected:{channel}",
                )


POLICY = DeclarationPolicy()


def declaration_mark_checked(*, declaration: Declaration, actor, ip: str | None) -> Declaration:
    """ "Đã kiểm tra giấy tờ": the clerk saw the signed form and the ID."""
    return lifecycle.case_acknowledge(policy=POLICY, case=declaration, actor=actor, ip=ip)


def declaration_approve(*, declaration: Declaration, actor, ip: str | None) -> Declaration:
    """ "Phê duyệt": open the account and text the initial password.

    A checked tờ khai (status ``received``), or, at an office that allows
    it, a submitted one whose identity matches the registry exactly.
    """
    return lifecycle.case_approve(policy=POLICY, case=declaration, actor=actor, ip=ip)


def declaration_reject(
    *, declaration: Declaration, actor, ip: str | None, reason: str
) -> Declaration:
    """ "Từ chối" with a reason the citizen receives by SMS and e-mail."""
    return lifecycle.case_reject(policy=POLICY, case=declaration, actor=actor, ip=ip, reason=reason)


def declaration_return_for_correction(
    *, declaration: Declaration, actor, ip: str | None, items: list[dict], note: str = ""
) -> Declaration:
    """ "Yêu cầu bổ sung": the marked fields go back to the citizen."""
    return lifecycle.case_return_for_correction(
        policy=POLICY, case=declaration, actor=actor, ip=ip, items=items, note=note
    )


def one_click_approvable(declaration: Declaration) -> bool:
    """Shown as "Duyệt nhanh" in the queue and on the page."""
    return (
        declaration.status == CaseStatus.SUBMITTED
        and declaration.registry_match
        and declaration.office.one_click_approval
    )


def declaration_account_create(*, declaration: Declaration, actor, ip: str | None) -> User:
    """Open the account an approved declaration asks for; the ONE place that does.

    Runs inside the approval transaction. Username = mã số BHXH; phone and
    e-mail come from the form; the 10-digit initial password is generated
    and sent by SMS only (``must_change_password`` set); the e-mail notice
    carries no password. A mã số that already has an account is refused:
    one person, one account.

    Extension point for other kinds (e.g. ``child_account``: the SMS goes to
    the guardian's phone) — branch on ``declaration.kind`` here.
    """
    username = declaration.insurance_number
    refused = ValidationError(
        _(
            "Mã số BHXH {number} đã có tài khoản giao dịch điện tử; không tạo tài khoản thứ hai. "
            "Hãy từ chối tờ khai này, hoặc dùng “Hỗ trợ tài khoản” để cấp lại mật khẩu."
        ).format(number=username),
        code="account_exists",
    )
    if User.objects.filter(username=username).exists():
        raise refused
    child = declaration.kind == Declaration.Kind.CHILD_ACCOUNT
    user = User(
        username=username,
        full_name=declaration.full_name,
        # A child's account has no contact of its own: the form's phone and
        # e-mail are the guardian's, and its SMS (initial password, OTPs)
        # reach the guardian through accounts.selectors.account_sms_phone.
        phone="" if child else declaration.phone,
        email="" if child else declaration.email,
        guardian_id=declaration.guardian_id if child else None,
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # created by someone else since the check above
        raise refused from None
    account_event_record(
        user=user,
        actor=actor,
        ip=ip,
        action=AccountEvent.Action.CREATED,
        detail={"declaration": declaration.reference_code},
    )
    account_initial_password_issue(user=user, ip=ip, sms_template="account_approved")
    notice_queue(
        channel="email",
        recipient=declaration.email if child else user.email,
        template="account_approved",
        context={"username": user.username, "full_name": user.full_name},
        about=user,
        idempotency_key=f"declaration:{declaration.pk}:approved:email",
    )
    return user
