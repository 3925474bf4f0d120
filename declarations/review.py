"""The clerk's decisions on a declaration: the state machine and the account.

    submitted ──"Đã kiểm tra giấy tờ"──> received ──"Phê duyệt"──> approved
        └──────────────"Từ chối" (from either open state)──────> rejected

Each move locks the row (``SELECT ... FOR UPDATE``), then checks the state it
finds, so two clerks pressing a button at the same moment get one winner and
one clear message; the audit event, the account and the outbox messages are
written in the same transaction as the move.
"""

import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.audit import account_event_record
from accounts.models import AccountEvent
from accounts.notices import notice_queue
from accounts.services import account_initial_password_issue
from accounts.staff_access import is_clerk, office_in_scope

from .models import Declaration, DeclarationEvent

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


def declaration_event_record(
    *,
    declaration: Declaration,
    action: str,
    from_status: str,
    actor=None,
    ip: str | None = None,
    reason: str = "",
) -> DeclarationEvent:
    """One audit row for a state change; call it in the changing transaction."""
    return DeclarationEvent.objects.create(
        declaration=declaration,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        from_status=from_status,
        to_status=declaration.status,
        reason=reason,
        ip=ip or None,
    )


def _state_message(declaration: Declaration) -> str:
    return _(
        "Tờ khai {code} đã được xử lý, trạng thái hiện tại: “{status}”. "
        "Có thể một cán bộ khác vừa thao tác; trang đã được tải lại với trạng thái mới."
    ).format(code=declaration.reference_code, status=declaration.get_status_display())


def _lock(*, declaration: Declaration, actor) -> Declaration:
    """The row, locked for this transaction, if the actor may act on it."""
    if not is_clerk(actor):
        raise PermissionDenied
    locked = Declaration.objects.select_for_update().filter(pk=declaration.pk).first()
    if locked is None or not office_in_scope(actor, locked.office_id):
        raise PermissionDenied
    return locked


def _move(
    *, declaration: Declaration, to: str, action: str, actor, ip, reason: str = ""
) -> Declaration:
    from_status = declaration.status
    declaration.status = to
    if to == Status.REJECTED:
        declaration.reject_reason = reason
    declaration.save(update_fields=["status", "reject_reason", "updated_at"])
    declaration_event_record(
        declaration=declaration,
        action=action,
        from_status=from_status,
        actor=actor,
        ip=ip,
        reason=reason,
    )
    logger.info(
        "declarations.%s",
        action,
        extra={"declaration_id": declaration.pk, "actor_id": getattr(actor, "pk", None)},
    )
    return declaration


@transaction.atomic
def declaration_mark_checked(*, declaration: Declaration, actor, ip: str | None) -> Declaration:
    """ "Đã kiểm tra giấy tờ": the clerk saw the signed form and the ID."""
    locked = _lock(declaration=declaration, actor=actor)
    if locked.status != Status.SUBMITTED:
        raise ValidationError(_state_message(locked), code="state_changed")
    return _move(
        declaration=locked,
        to=Status.RECEIVED,
        action=DeclarationEvent.Action.CHECKED,
        actor=actor,
        ip=ip,
    )


@transaction.atomic
def declaration_approve(*, declaration: Declaration, actor, ip: str | None) -> Declaration:
    """ "Phê duyệt": open the account and text the initial password.

    Only a checked declaration (status ``received``) can be approved: the
    account is given to whoever holds the phone, so the ID must have been
    seen first.
    """
    locked = _lock(declaration=declaration, actor=actor)
    if locked.status == Status.SUBMITTED:
        raise ValidationError(
            _(
                "Chưa kiểm tra giấy tờ: hãy đối chiếu tờ khai đã ký và giấy tờ tùy thân, "
                "bấm “Đã kiểm tra giấy tờ”, rồi mới phê duyệt."
            ),
            code="not_checked",
        )
    if locked.status != Status.RECEIVED:
        raise ValidationError(_state_message(locked), code="state_changed")
    declaration_account_create(declaration=locked, actor=actor, ip=ip)
    return _move(
        declaration=locked,
        to=Status.APPROVED,
        action=DeclarationEvent.Action.APPROVED,
        actor=actor,
        ip=ip,
    )


@transaction.atomic
def declaration_reject(
    *, declaration: Declaration, actor, ip: str | None, reason: str
) -> Declaration:
    """ "Từ chối" with a reason the citizen receives by SMS and e-mail."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(
            {"reason": _("Vui lòng chọn hoặc nhập lý do từ chối.")}, code="reason_required"
        )
    locked = _lock(declaration=declaration, actor=actor)
    if locked.status not in Declaration.OPEN_STATUSES:
        raise ValidationError(_state_message(locked), code="state_changed")
    _move(
        declaration=locked,
        to=Status.REJECTED,
        action=DeclarationEvent.Action.REJECTED,
        actor=actor,
        ip=ip,
        reason=reason,
    )
    context = {"reference_code": locked.reference_code, "reason": reason}
    for channel, recipient in (("sms", locked.phone), ("email", locked.email)):
        notice_queue(
            channel=channel,
            recipient=recipient,
            template="declaration_rejected",
            context=context,
            about=locked,
            idempotency_key=f"declaration:{locked.pk}:rejected:{channel}",
        )
    return locked


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
