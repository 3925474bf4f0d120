"""Writes for requests: file one, move it (through the lifecycle), apply what is due."""

import logging

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insurance.models import Person
from lookup.models import Office

from .. import lifecycle
from ..cases import AWAITING_OFFICE, OPEN_STATUSES, CaseAction, CaseStatus
from ..services import _files_delete
from .kinds import POLICIES, current_card, policy_for
from .models import ServiceRequest

logger = logging.getLogger(__name__)
Kind = ServiceRequest.Kind


def managing_office(*, person: Person) -> Office | None:
    """The office whose clerks handle the person's requests.

    The registry's managing office; without one, the office of the
    person's province.
    """
    if person.office_id:
        return person.office
    if person.province_id:
        return Office.objects.filter(
            level=Office.Level.PROVINCE, province_id=person.province_id
        ).first()
    return None


def open_request(*, person: Person, kind: str) -> ServiceRequest | None:
    return ServiceRequest.objects.filter(person=person, kind=kind, status__in=OPEN_STATUSES).first()


def already_open_error(existing: ServiceRequest) -> ValidationError:
    return ValidationError(
        _(
            "Đã có yêu cầu “{kind}” đang xử lý cho người này (mã {code}). Vui lòng chờ kết "
            "quả, hoặc bổ sung yêu cầu đó nếu cơ quan BHXH đề nghị."
        ).format(kind=existing.get_kind_display(), code=existing.reference_code),
        code="already_open",
    )


def service_request_file(
    *,
    kind: str,
    person: Person,
    filed_by,
    payload: dict,
    attachment: File | None,
    submission_key: str,
    ip: str | None = None,
) -> ServiceRequest:
    """File a request (already validated by its kind's form) with the person's office.

    The same ``submission_key`` returns the request filed the first time
    (a double click, a retried API call). One open request per person and
    kind: a second one is refused with the code of the first.
    """
    existing = ServiceRequest.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return existing
    policy = POLICIES[kind]
    reason = policy.unavailable(person=person, card=current_card(person))
    if reason:
        raise ValidationError(reason, code="unavailable")
    office = managing_office(person=person)
    if office is None:
        raise ValidationError(
            _(
                "Chưa xác định được cơ quan BHXH quản lý hồ sơ của người này. Vui lòng liên hệ "
                "cơ quan BHXH gần nhất."
            ),
            code="no_office",
        )
    duplicate = open_request(person=person, kind=kind)
    if duplicate is not None:
        raise already_open_error(duplicate)
    service_request = ServiceRequest(
        kind=kind,
        person=person,
        filed_by=filed_by,
        office=office,
        payload=payload,
        submission_key=submission_key,
    )
    written: list[str] = []
    try:
        with transaction.atomic():
            if attachment is not None:
                attachment.seek(0)
                service_request.attachment.save(
                    attachment.name.rsplit("/", 1)[-1], attachment, save=False
                )
                written.append(service_request.attachment.name)
            lifecycle.case_clock_start(case=service_request)
            try:
                with transaction.atomic():
                    service_request.save()
            except IntegrityError:
                # Filed by a parallel click, or another open request of the kind.
                again = ServiceRequest.objects.filter(submission_key=submission_key).first()
                if again is not None:
                    _files_delete(written)
                    return again
                duplicate = open_request(person=person, kind=kind)
                if duplicate is not None:
                    raise already_open_error(duplicate) from None
                raise
            lifecycle.case_submitted(policy=policy, case=service_request, ip=ip, actor=filed_by)
            policy.notify(service_request, CaseAction.SUBMITTED)
    except BaseException:
        _files_delete(written)
        raise
    logger.info(
        "requests.filed",
        extra={"request_id": service_request.pk, "kind": kind, "office_id": office.pk},
    )
    return service_request


# CLERK MOVES ----------------------------------------------------------------------
def service_request_check(*, service_request: ServiceRequest, actor, ip: str | None):
    return lifecycle.case_acknowledge(
        policy=policy_for(service_request), case=service_request, actor=actor, ip=ip
    )


def service_request_return(
    *, service_request: ServiceRequest, actor, ip: str | None, items: list[dict], note: str = ""
):
    return lifecycle.case_return_for_correction(
        policy=policy_for(service_request),
        case=service_request,
        actor=actor,
        ip=ip,
        items=items,
        note=note,
    )


def service_request_reject(
    *, service_request: ServiceRequest, actor, ip: str | None, reason: str
) -> ServiceRequest:
    return lifecycle.case_reject(
        policy=policy_for(service_request), case=service_request, actor=actor, ip=ip, reason=reason
    )


@transaction.atomic
def service_request_approve(
    *, service_request: ServiceRequest, actor, ip: str | None, answer: str = ""
) -> ServiceRequest:
    """ "Phê duyệt" with the office's answer to the citizen (one transaction).

    The answer is written first so the kind's approval check sees it; if the
    approval is refused, the transaction takes the answer back with it.
    """
    answer = " ".join((answer or "").split())[:2000]
    if answer:
        ServiceRequest.objects.filter(pk=service_request.pk, status__in=AWAITING_OFFICE).update(
            answer=answer
        )
    return lifecycle.case_approve(
        policy=policy_for(service_request), case=service_request, actor=actor, ip=ip
    )


def service_request_resubmit(
    *,
    service_request: ServiceRequest,
    correction_round: int,
    values: dict,
    photos: dict,
    actor,
    ip: str | None,
) -> ServiceRequest:
    return lifecycle.case_resubmit(
        policy=policy_for(service_request),
        case=service_request,
        correction_round=correction_round,
        values=values,
        photos=photos,
        ip=ip,
        actor=actor,
    )


# SCHEDULED EFFECTS -----------------------------------------------------------------
def service_requests_apply_due(*, today=None) -> int:
    """Write on the cards the facility changes whose quarter has started.

    Idempotent: each request is locked and applied once (``applied_at``);
    a run that finds it applied, or another worker holding it, skips it.
    Returns how many were applied.
    """
    today = today or timezone.localdate()
    due = list(
        ServiceRequest.objects.filter(
            kind=Kind.FACILITY_CHANGE,
            status=CaseStatus.APPROVED,
            applied_at__isnull=True,
            effective_on__lte=today,
        )
        .order_by("decided_at", "pk")
        .values_list("pk", flat=True)
    )
    applied = 0
    for pk in due:
        with transaction.atomic():
            service_request = (
                ServiceRequest.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, applied_at__isnull=True)
                .first()
            )
            if service_request is None:
                continue
            card = current_card(service_request.person, lock=True)
            if card is not None:
                card.kcb_code = service_request.outcome.get("facility_code", card.kcb_code)
                card.kcb_name = service_request.outcome.get("facility_name", card.kcb_name)
                # Through the ORM: the cached card pages are drawn again.
                card.save(update_fields=["kcb_code", "kcb_name"])
            service_request.applied_at = timezone.now()
            service_request.outcome = {
                **service_request.outcome,
                "applied_on": today.isoformat(),
                "applied": card is not None,
            }
            service_request.save(update_fields=["applied_at", "outcome", "updated_at"])
            applied += 1
    return applied
