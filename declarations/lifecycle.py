"""The lifecycle every case follows, written once (see ``declarations.cases``).

A case type (the tờ khai, and any later request type) describes itself with
a ``CasePolicy``: which fields and photos a clerk may send back, what an
approval does, which notices go out. The services here do the rest the same
way for all of them:

- each move locks the row (``SELECT ... FOR UPDATE``), then checks the state
  it finds, so two clerks pressing a button at the same moment get one
  winner and one clear message;
- the audit event, the policy's side effects and the outbox messages are
  written in the same transaction as the move;
- the clocks are kept: a (re)submission starts the acknowledge deadline in
  working hours, the office's first answer to it acknowledges it, a decision
  closes it.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.staff_access import is_clerk, office_in_scope
from lookup.working_time import working_deadline

from .cases import AWAITING_OFFICE, OPEN_STATUSES, Case, CaseAction, CaseStatus, CorrectionReason

logger = logging.getLogger(__name__)

NOTE_MAX_LENGTH = 500

# The office's answers that acknowledge a submission (Decree 45: received,
# or returned for correction, within the deadline).
_ACKNOWLEDGING = {
    CaseAction.CHECKED,
    CaseAction.RETURNED,
    CaseAction.APPROVED,
    CaseAction.REJECTED,
}


@dataclass(frozen=True)
class Correctable:
    """A field or photo a clerk may send back for correction."""

    name: str
    label: str
    photo: bool = False


@dataclass(frozen=True)
class CorrectionItem:
    field: str
    reason: str
    note: str = ""

    def as_json(self) -> dict:
        return {"field": self.field, "reason": self.reason, "note": self.note}


class CasePolicy:
    """What one case type adds to the shared lifecycle; subclass per model."""

    model: type[Case]
    event_fk: str  # the event model's foreign key to the case
    label = gettext_lazy("hồ sơ")

    # -- hooks ---------------------------------------------------------------
    def correctables(self, case: Case) -> list[Correctable]:
        """The fields and photos of ``case`` a clerk may mark."""
        return []

    def approve_check(self, case: Case) -> None:
        """Raise ``ValidationError`` if ``case`` cannot be approved as it is.

        By default only a received (checked) case can be approved.
        """
        if case.status == CaseStatus.SUBMITTED:
            raise ValidationError(
                _(
                    "Chưa kiểm tra giấy tờ: hãy đối chiếu hồ sơ và giấy tờ tùy thân, "
                    "bấm “Đã kiểm tra giấy tờ”, rồi mới phê duyệt."
                ),
                code="not_checked",
            )

    def on_approve(self, case: Case, *, actor, ip: str | None) -> dict | None:
        """The effect of an approval (runs in the approving transaction).

        May return a dict kept in the approval event's ``detail`` (what the
        approval changed, e.g. the registry values before and after).
        """

    def on_submit(self, case: Case) -> None:
        """Recompute what depends on the submitted content (before saving)."""

    def value(self, case: Case, name: str) -> object:
        """The value of the correctable ``name`` as the case holds it now."""
        return getattr(case, name)

    def apply_correction(
        self, case: Case, *, values: Mapping[str, object], photos: Mapping[str, object]
    ) -> list[str]:
        """Write the corrected values and photos on ``case`` (not saved yet).

        Returns the names of files written, removed again if the
        transaction fails. Photos are stored in the case's file fields of
        the same name (``case_photos_store``).
        """
        for name, value in values.items():
            setattr(case, name, value)
        return case_photos_store(case=case, photos=photos)

    def notify(self, case: Case, action: str) -> None:
        """Queue the notices of ``action`` (in the moving transaction)."""

    # -- helpers -------------------------------------------------------------
    def correctable_map(self, case: Case) -> dict[str, Correctable]:
        return {item.name: item for item in self.correctables(case)}

    def events(self, case: Case) -> models.QuerySet:
        return case.events.all()

    def event_record(
        self,
        case: Case,
        *,
        action: str,
        from_status: str,
        actor=None,
        ip: str | None = None,
        reason: str = "",
        detail: dict | None = None,
    ):
        event_model = case._meta.get_field("events").related_model
        return event_model.objects.create(
            **{self.event_fk: case},
            actor=actor if actor is not None and actor.is_authenticated else None,
            action=action,
            from_status=from_status,
            to_status=case.status,
            reason=reason,
            detail=detail or {},
            ip=ip or None,
        )


def case_photos_store(*, case: Case, photos: Mapping[str, object]) -> list[str]:
    """Store new photos in the case's file fields of the same name (not saved).

    Returns the stored names (to remove if the transaction fails); the
    replaced files are removed once the transaction commits.
    """
    from .services import _files_delete

    written: list[str] = []
    for slot, image in photos.items():
        if not image:
            continue
        image.seek(0)
        field = getattr(case, slot)
        old_name = field.name
        field.save(image.name.rsplit("/", 1)[-1], image, save=False)
        written.append(field.name)
        if old_name:
            transaction.on_commit(lambda name=old_name: _files_delete([name]))
    return written


# CLOCKS -----------------------------------------------------------------------
def acknowledge_deadline(submitted_at) -> object:
    return working_deadline(submitted_at, settings.DECLARATION_ACKNOWLEDGE_WORKING_HOURS)


def case_clock_start(*, case: Case, now=None) -> None:
    """Start the acknowledge clock of a (re)submission (fields only, not saved)."""
    now = now or timezone.now()
    case.submitted_at = now
    case.acknowledge_due_at = acknowledge_deadline(now)
    case.acknowledged_at = None


# MOVES ------------------------------------------------------------------------
def state_message(case: Case) -> str:
    return _(
        "Hồ sơ {code} đã được xử lý, trạng thái hiện tại: “{status}”. "
        "Có thể một cán bộ khác vừa thao tác; trang đã được tải lại với trạng thái mới."
    ).format(code=case.reference_code, status=case.get_status_display())


def case_lock_for_clerk(*, policy: CasePolicy, case: Case, actor) -> Case:
    """The row, locked for this transaction, if the actor may act on it."""
    if not is_clerk(actor):
        raise PermissionDenied
    locked = policy.model.objects.select_for_update().filter(pk=case.pk).first()
    if locked is None or not office_in_scope(actor, locked.office_id):
        raise PermissionDenied
    return locked


def case_move(
    *,
    policy: CasePolicy,
    case: Case,
    to: str,
    action: str,
    actor=None,
    ip: str | None = None,
    reason: str = "",
    detail: dict | None = None,
    extra_fields: tuple[str, ...] = (),
) -> Case:
    """Change the status of a locked case, keep its clocks, write the event."""
    now = timezone.now()
    from_status = case.status
    case.status = to
    fields = {"status", "updated_at", *extra_fields}
    if action in _ACKNOWLEDGING and from_status == CaseStatus.SUBMITTED:
        if case.acknowledged_at is None:
            case.acknowledged_at = now
            fields.add("acknowledged_at")
    if to in (CaseStatus.APPROVED, CaseStatus.REJECTED):
        case.decided_at = now
        fields.add("decided_at")
    if to == CaseStatus.REJECTED:
        case.reject_reason = reason
        fields.add("reject_reason")
    case.save(update_fields=sorted(fields))
    policy.event_record(
        case,
        action=action,
        from_status=from_status,
        actor=actor,
        ip=ip,
        reason=reason,
        detail=detail,
    )
    logger.info(
        "cases.%s",
        action,
        extra={
            "case_model": case._meta.label,
            "case_id": case.pk,
            "actor_id": getattr(actor, "pk", None),
        },
    )
    return case


def case_submitted(*, policy: CasePolicy, case: Case, ip: str | None = None, actor=None) -> None:
    """Record the first submission of a case just saved (clock and event).

    ``actor``: the signed-in account that filed it, if any.
    """
    policy.event_record(
        case, action=CaseAction.SUBMITTED, from_status="", ip=ip, actor=actor, detail={}
    )


@transaction.atomic
def case_acknowledge(*, policy: CasePolicy, case: Case, actor, ip: str | None) -> Case:
    """ "Đã kiểm tra giấy tờ": the clerk saw the documents; the case is received."""
    locked = case_lock_for_clerk(policy=policy, case=case, actor=actor)
    if locked.status != CaseStatus.SUBMITTED:
        raise ValidationError(state_message(locked), code="state_changed")
    return case_move(
        policy=policy,
        case=locked,
        to=CaseStatus.RECEIVED,
        action=CaseAction.CHECKED,
        actor=actor,
        ip=ip,
    )


def correction_items_clean(
    *, policy: CasePolicy, case: Case, items: list[dict]
) -> list[CorrectionItem]:
    """Validate what a clerk marked: known fields, a listed reason, text for "other"."""
    allowed = policy.correctable_map(case)
    errors: dict[str, list[str]] = {}
    cleaned: list[CorrectionItem] = []
    seen: set[str] = set()
    for item in items:
        field = str(item.get("field", ""))
        reason = str(item.get("reason", ""))
        note = " ".join(str(item.get("note", "") or "").split())[:NOTE_MAX_LENGTH]
        if field not in allowed or field in seen:
            errors.setdefault("items", []).append(
                _("Trường “{field}” không thể yêu cầu bổ sung.").format(field=field)
            )
            continue
        if reason not in CorrectionReason.values:
            errors.setdefault(field, []).append(_("Vui lòng chọn lý do cần bổ sung."))
            continue
        if reason == CorrectionReason.OTHER and not note:
            errors.setdefault(field, []).append(_("Vui lòng ghi rõ lý do khi chọn “Lý do khác”."))
            continue
        seen.add(field)
        cleaned.append(CorrectionItem(field=field, reason=reason, note=note))
    if not cleaned and not errors:
        errors["items"] = [_("Vui lòng đánh dấu ít nhất một thông tin hoặc ảnh cần bổ sung.")]
    if errors:
        raise ValidationError(errors, code="invalid_items")
    order = list(allowed)
    return sorted(cleaned, key=lambda item: order.index(item.field))


@transaction.atomic
def case_return_for_correction(
    *,
    policy: CasePolicy,
    case: Case,
    actor,
    ip: str | None,
    items: list[dict],
    note: str = "",
) -> Case:
    """ "Yêu cầu bổ sung": send the case back with the fields to correct.

    The case keeps its code, content and history; the citizen gets an SMS
    and an e-mail with a link to correct only the marked fields.
    """
    note = " ".join((note or "").split())[:NOTE_MAX_LENGTH]
    locked = case_lock_for_clerk(policy=policy, case=case, actor=actor)
    if locked.status not in AWAITING_OFFICE:
        raise ValidationError(state_message(locked), code="state_changed")
    cleaned = correction_items_clean(policy=policy, case=locked, items=items)
    locked.correction_items = [item.as_json() for item in cleaned]
    locked.correction_note = note
    locked.correction_round += 1
    locked.returned_at = timezone.now()
    case_move(
        policy=policy,
        case=locked,
        to=CaseStatus.RETURNED,
        action=CaseAction.RETURNED,
        actor=actor,
        ip=ip,
        reason=note,
        detail={"items": locked.correction_items, "round": locked.correction_round},
        extra_fields=("correction_items", "correction_note", "correction_round", "returned_at"),
    )
    policy.notify(locked, CaseAction.RETURNED)
    return locked


def case_resubmit(
    *,
    policy: CasePolicy,
    case: Case,
    correction_round: int,
    values: Mapping[str, object],
    photos: Mapping[str, object],
    ip: str | None = None,
    actor=None,
) -> Case:
    """ "Gửi bổ sung": the citizen's corrections of the marked fields only.

    ``values`` and ``photos`` must cover exactly the marked fields (already
    cleaned by the form); anything else stays as first sent. The case goes
    back to the office's queue with a new acknowledge clock.
    """
    written: list[str] = []
    try:
        with transaction.atomic():
            locked = policy.model.objects.select_for_update().filter(pk=case.pk).first()
            if (
                locked is None
                or locked.status != CaseStatus.RETURNED
                or locked.correction_round != correction_round
            ):
                raise ValidationError(
                    _("Hồ sơ này không còn chờ bổ sung (có thể bạn đã gửi bổ sung rồi)."),
                    code="state_changed",
                )
            marked = policy.correctable_map(locked)
            wanted = set(locked.correction_fields())
            photo_fields = {name for name in wanted if marked[name].photo}
            given = {name for name, value in photos.items() if value}
            if set(values) - wanted or given - photo_fields:
                raise ValidationError(
                    _("Chỉ sửa được các thông tin cán bộ đã đánh dấu."), code="not_marked"
                )
            missing = {name: [_("Vui lòng chọn ảnh mới.")] for name in sorted(photo_fields - given)}
            missing.update(
                {
                    name: [_("Vui lòng nhập thông tin này.")]
                    for name in sorted(wanted - photo_fields - set(values))
                }
            )
            if missing:
                raise ValidationError(missing, code="incomplete")
            changed = sorted(
                name for name, value in values.items() if policy.value(locked, name) != value
            ) + sorted(given)
            written = policy.apply_correction(locked, values=values, photos=photos)
            policy.on_submit(locked)
            case_clock_start(case=locked)
            locked.save()
            case_move(
                policy=policy,
                case=locked,
                to=CaseStatus.SUBMITTED,
                action=CaseAction.RESUBMITTED,
                actor=actor,
                ip=ip,
                detail={"changed": changed, "round": locked.correction_round},
            )
            policy.notify(locked, CaseAction.RESUBMITTED)
    except BaseException:
        from .services import _files_delete

        _files_delete(written)
        raise
    return locked


@transaction.atomic
def case_approve(*, policy: CasePolicy, case: Case, actor, ip: str | None) -> Case:
    """ "Phê duyệt": the policy's effect, then the move (one transaction)."""
    locked = case_lock_for_clerk(policy=policy, case=case, actor=actor)
    if locked.status not in AWAITING_OFFICE:
        raise ValidationError(state_message(locked), code="state_changed")
    policy.approve_check(locked)
    one_click = locked.status == CaseStatus.SUBMITTED
    detail = dict(policy.on_approve(locked, actor=actor, ip=ip) or {})
    if one_click:
        detail["one_click"] = True
    case_move(
        policy=policy,
        case=locked,
        to=CaseStatus.APPROVED,
        action=CaseAction.APPROVED,
        actor=actor,
        ip=ip,
        detail=detail or None,
    )
    policy.notify(locked, CaseAction.APPROVED)
    return locked


@transaction.atomic
def case_reject(*, policy: CasePolicy, case: Case, actor, ip: str | None, reason: str) -> Case:
    """ "Từ chối" with a reason the citizen sees (web, API, notices)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(
            {"reason": _("Vui lòng chọn hoặc nhập lý do từ chối.")}, code="reason_required"
        )
    locked = case_lock_for_clerk(policy=policy, case=case, actor=actor)
    if locked.status not in OPEN_STATUSES:
        raise ValidationError(state_message(locked), code="state_changed")
    case_move(
        policy=policy,
        case=locked,
        to=CaseStatus.REJECTED,
        action=CaseAction.REJECTED,
        actor=actor,
        ip=ip,
        reason=reason,
    )
    policy.notify(locked, CaseAction.REJECTED)
    return locked


# READS ------------------------------------------------------------------------
@dataclass(frozen=True)
class CorrectionRequestLine:
    """One marked field as shown to the citizen and the clerk."""

    field: str
    label: str
    photo: bool
    reason: str
    reason_label: str
    note: str


def correction_request_lines(*, policy: CasePolicy, case: Case) -> list[CorrectionRequestLine]:
    """The marked fields of the case's last correction request, labelled."""
    reasons = dict(CorrectionReason.choices)
    known = policy.correctable_map(case)
    lines = []
    for item in case.correction_items:
        correctable = known.get(item["field"])
        if correctable is None:
            continue
        lines.append(
            CorrectionRequestLine(
                field=correctable.name,
                label=str(correctable.label),
                photo=correctable.photo,
                reason=item["reason"],
                reason_label=str(reasons.get(item["reason"], item["reason"])),
                note=item.get("note", ""),
            )
        )
    return lines


def case_history(*, policy: CasePolicy, case: Case) -> list:
    """The case's events, oldest first, each with ``fields_label``: which
    fields a correction request marked, or a resubmission changed."""
    labels = {item.name: str(item.label) for item in policy.correctables(case)}
    events = list(policy.events(case).select_related("actor").order_by("created_at", "pk"))
    for event in events:
        event.fields_label = ""
        if event.action == CaseAction.RETURNED:
            names = [item.get("field") for item in event.detail.get("items", [])]
            prefix = _("Cần bổ sung")
        elif event.action == CaseAction.RESUBMITTED:
            names = event.detail.get("changed", [])
            prefix = _("Đã sửa")
        else:
            continue
        if names:
            event.fields_label = "{}: {}".format(
                prefix, ", ".join(labels.get(name, name) for name in names)
            )
    return events
