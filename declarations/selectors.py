"""Reads for the registration: drafts, offices for the picker, tracking."""

import datetime as dt
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.staff_access import is_clerk, office_in_scope, office_scope
from insurance.models import Person
from lookup.models import Office
from vssid_portal.text import fold, normalize_name
from vssid_portal.validators import normalize_phone

from .cases import AWAITING_OFFICE, OPEN_STATUSES
from .models import Declaration, DeclarationDraft, DeclarationEvent, DeclarationUpload


def draft_get(*, token: str | None) -> DeclarationDraft | None:
    if not token:
        return None
    return DeclarationDraft.objects.filter(token=token).first()


def draft_of_guardian(*, guardian) -> DeclarationDraft | None:
    """The guardian's newest child-wizard draft that is still kept."""
    return (
        DeclarationDraft.objects.filter(
            data__guardian=guardian.pk, resumable_until__gt=timezone.now()
        )
        .order_by("-updated_at")
        .first()
    )


def draft_uploads(*, draft: DeclarationDraft) -> dict[str, DeclarationUpload]:
    return {upload.slot: upload for upload in draft.uploads.all()}


def declaration_by_submission_key(*, key: str | None) -> Declaration | None:
    if not key:
        return None
    return Declaration.objects.filter(submission_key=key).first()


def declaration_by_code(*, code: str) -> Declaration | None:
    return (
        Declaration.objects.select_related("office", "office__parent")
        .filter(reference_code=code.strip().upper())
        .first()
    )


def declaration_track(*, code: str, phone: str) -> Declaration | None:
    """The declaration only if both the code and the phone match (ACL-02)."""
    declaration = declaration_by_code(code=code)
    if declaration is None or declaration.phone != phone:
        return None
    return declaration


def province_offices() -> QuerySet[Office]:
    return Office.objects.filter(level=Office.Level.PROVINCE).order_by("code")


def receiving_offices(*, province_office_code: str | None) -> QuerySet[Office]:
    """The province office itself and the district offices under it."""
    if not province_office_code:
        return Office.objects.none()
    return Office.objects.filter(
        Q(code=province_office_code, level=Office.Level.PROVINCE)
        | Q(parent__code=province_office_code, level=Office.Level.DISTRICT)
    ).order_by("code")


def account_exists(*, insurance_number: str) -> bool:
    return get_user_model().objects.filter(username=insurance_number).exists()


def open_declaration_exists(*, insurance_number: str) -> bool:
    return Declaration.objects.filter(
        insurance_number=insurance_number, status__in=OPEN_STATUSES
    ).exists()


def declaration_image_viewable(*, user, declaration: Declaration) -> bool:
    """Administrators, and clerks whose office scope holds the receiving office."""
    return is_clerk(user) and office_in_scope(user, declaration.office_id)


# STAFF -----------------------------------------------------------------------
STATUS_OPEN = "open"  # waiting for the office: submitted or received
STATUS_OVERDUE = "overdue"  # submitted and past its acknowledge deadline
STATUS_ALL = "all"
STAFF_QUEUE_STATUSES = [STATUS_OPEN, STATUS_OVERDUE, STATUS_ALL, *Declaration.Status.values]
ORDER_NEWEST = "new"
ORDER_DUE = "due"
_DIGITS_RE = re.compile(r"[\s.\-()+]")


@dataclass(frozen=True)
class QueueFilters:
    """What the clerk asked the queue for; every value already cleaned."""

    query: str = ""
    status: str = STATUS_OPEN
    kind: str = ""
    submission_mode: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    registry_match: bool = False
    order: str = ORDER_NEWEST


def _search_q(query: str) -> Q:
    """Reference code, mã số BHXH, phone, or (otherwise) the folded name.

    Each branch is an equality on an indexed column, except the name, which
    is a substring of the stored folded name (a trigram index on
    PostgreSQL), never a per-row fold in Python.
    """
    compact = _DIGITS_RE.sub("", query)
    if compact.upper().startswith("DK") and compact.isalnum():
        return Q(reference_code=compact.upper())
    if compact.isdigit():
        match = Q(insurance_number=compact) if len(compact) == 10 else Q(pk__in=[])
        try:
            match |= Q(phone=normalize_phone(query))
        except ValidationError:
            pass
        return match
    return Q(full_name_folded__contains=fold(query))


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def queue_status_q(status: str) -> Q | None:
    """A queue's status filter (any case model): open, overdue, all or one status."""
    if status == STATUS_OPEN:
        return Q(status__in=AWAITING_OFFICE)
    if status == STATUS_OVERDUE:
        return overdue_q()
    if status and status != STATUS_ALL:
        return Q(status=status)
    return None


def declarations_for_staff(*, staff, filters: QueueFilters) -> QuerySet[Declaration]:
    """The clerk's queue: their offices only, filtered, newest first."""
    declarations = Declaration.objects.filter(office_scope(staff))
    status_q = queue_status_q(filters.status)
    if status_q is not None:
        declarations = declarations.filter(status_q)
    if filters.kind:
        declarations = declarations.filter(kind=filters.kind)
    if filters.submission_mode:
        declarations = declarations.filter(submission_mode=filters.submission_mode)
    if filters.date_from:
        declarations = declarations.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        declarations = declarations.filter(
            created_at__lt=_day_start(filters.date_to + dt.timedelta(days=1))
        )
    if filters.query:
        declarations = declarations.filter(_search_q(filters.query))
    if filters.registry_match:
        declarations = declarations.filter(registry_match=True)
    if filters.order == ORDER_DUE:
        # The most overdue first; what waits for the citizen or is decided last.
        ordering = [F("acknowledge_due_at").asc(nulls_last=True), "-created_at", "-pk"]
        return declarations.select_related("office").order_by(*ordering)
    return declarations.select_related("office").order_by("-created_at", "-pk")


def overdue_q(now: dt.datetime | None = None) -> Q:
    """Submitted and not acknowledged by its deadline (Decree 45 clock)."""
    return Q(
        status=Declaration.Status.SUBMITTED,
        acknowledge_due_at__lt=now or timezone.now(),
    )


@dataclass(frozen=True)
class OfficeClock:
    office: Office
    waiting: int
    overdue: int


def overdue_by_office(*, staff) -> list[OfficeClock]:
    """Per office of the clerk's scope: how many wait for it, how many are overdue.

    Offices with nothing waiting are left out; the most overdue come first.
    """
    rows = (
        Declaration.objects.filter(office_scope(staff), status__in=AWAITING_OFFICE)
        .values("office", "office__code", "office__name")
        .annotate(waiting=Count("pk"), overdue=Count("pk", filter=overdue_q()))
        .order_by()
    )
    clocks = [
        OfficeClock(
            office=Office(pk=row["office"], code=row["office__code"], name=row["office__name"]),
            waiting=row["waiting"],
            overdue=row["overdue"],
        )
        for row in rows
    ]
    return sorted(clocks, key=lambda clock: (-clock.overdue, clock.office.code))


def declaration_status_counts(*, staff) -> dict[str, int]:
    """How many declarations of the clerk's offices are in each status."""
    rows = (
        Declaration.objects.filter(office_scope(staff))
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )

    counts = {value: 0 for value in Declaration.Status.values}
    counts.update(dict(rows))
    return counts


def declaration_get_for_staff(*, staff, code: str) -> Declaration | None:
    """A declaration the clerk may see, by its reference code; else None."""
    return (
        Declaration.objects.filter(office_scope(staff))
        .select_related("office", "office__parent")
        .filter(reference_code=code.strip().upper())
        .first()
    )


def declaration_history(*, declaration: Declaration) -> QuerySet[DeclarationEvent]:
    return declaration.events.select_related("actor").order_by("created_at", "pk")


@dataclass(frozen=True)
class ComparedField:
    label: str
    declared: str
    registry: str
    matches: bool


def declaration_registry_comparison(
    *, declaration: Declaration
) -> tuple[Person | None, list[ComparedField]]:
    """The registry person the mã số points to, field by field against the form."""
    person = (
        Person.objects.select_related("office")
        .filter(insurance_number=declaration.insurance_number)
        .first()
    )
    if person is None:
        return None, []

    def row(label, declared, registry, same=None) -> ComparedField:
        declared, registry = str(declared or ""), str(registry or "")
        return ComparedField(
            label=str(label),
            declared=declared,
            registry=registry,
            matches=same if same is not None else declared == registry,
        )

    date_format = "%d/%m/%Y"
    return person, [
        row(
            _("Họ và tên"),
            declaration.full_name,
            person.full_name,
            normalize_name(declaration.full_name) == normalize_name(person.full_name),
        ),
        row(_("Mã số BHXH"), declaration.insurance_number, person.insurance_number),
        row(
            _("Ngày sinh"),
            declaration.date_of_birth.strftime(date_format),
            person.date_of_birth.strftime(date_format),
        ),
        row(_("Số CMND/HC/CC"), declaration.id_number, person.id_number),
        row(
            _("Địa chỉ liên hệ"),
            declaration.contact_address,
            person.address,
            not person.address or fold(person.address) in fold(declaration.contact_address),
        ),
    ]


def citizen_declarations(*, user) -> QuerySet[Declaration]:
    """The tờ khai a citizen may open (their own, and those filed for a child), newest first."""
    from insurance.access import declarations_visible_filter

    return (
        Declaration.objects.filter(declarations_visible_filter(user))
        .select_related("office")
        .order_by("-created_at", "-pk")
    )


def citizen_declaration(*, user, code: str) -> Declaration | None:
    """One of ``citizen_declarations`` by reference code, else None (shown as 404)."""
    if not code or len(code) > 20:
        return None
    return (
        citizen_declarations(user=user)
        .select_related("office__parent", "guardian")
        .filter(reference_code=code.strip().upper())
        .first()
    )


def declaration_inbox_owner(declaration: Declaration):
    """Whose message centre keeps the notices about a tờ khai.

    The account of its mã số BHXH when there is one (the citizen sees it
    among their tờ khai too), else the guardian who filed it for a child;
    a citizen without an account yet has no message centre; their SMS
    point to the status lookup with the reference code instead.
    """
    account = (
        get_user_model()
        .objects.filter(username=declaration.insurance_number, is_active=True, is_staff=False)
        .first()
    )
    if account is not None:
        return account
    if declaration.guardian_id:
        return get_user_model().objects.filter(pk=declaration.guardian_id, is_active=True).first()
    return None
