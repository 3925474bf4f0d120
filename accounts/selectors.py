from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import CharField, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from insurance.models import Person
from lookup.models import Office

from .models import AccountEvent, RecordAccess, User
from .staff_access import is_clerk, office_in_scope


def account_office(*, user: User) -> Office | None:
    """The BHXH office that manages the account: its registry person's office."""
    person = Person.objects.filter(insurance_number=user.username).select_related("office").first()
    return person.office if person else None


def staff_can_manage_account(*, staff: User, user: User) -> bool:
    """An administrator, or a clerk of the account's office (or its parent
    office when the clerk's profile covers child offices); never another
    staff account unless the actor is an administrator."""
    if not staff.is_authenticated or not staff.is_active or not staff.is_staff:
        return False
    if staff.is_superuser:
        return True
    if user.is_staff:
        return False
    if not is_clerk(staff):
        return False
    office = account_office(user=user)
    return office is not None and office_in_scope(staff, office.pk)


def password_age_days(*, user: User) -> int:
    changed = user.password_changed_at or user.date_joined
    return (timezone.now() - changed).days


def password_expired(*, user: User) -> bool:
    return password_age_days(user=user) >= settings.PASSWORD_MAX_AGE_DAYS


def account_sms_phone(*, user: User) -> str:
    """Where the account's SMS go: its own phone, else its guardian's.

    A child registered by a guardian may have no phone of its own; the
    initial password, OTPs and notices then reach the guardian.
    """
    if user.phone:
        return user.phone
    if user.guardian_id:
        guardian = User.objects.filter(pk=user.guardian_id).only("phone").first()
        return guardian.phone if guardian else ""
    return ""


def guardian_children(*, guardian: User):
    """The active child accounts registered by this guardian, oldest first."""
    if not getattr(guardian, "is_authenticated", False) or guardian.is_staff:
        return User.objects.none()
    return User.objects.filter(guardian=guardian, is_active=True, is_staff=False).order_by(
        "date_joined", "pk"
    )


# TRANSPARENCY LOG ------------------------------------------------------------
@dataclass(frozen=True)
class LogEntry:
    """One line of "Nhật ký sử dụng" as the citizen reads it."""

    kind: str  # "event" (what happened to the account) or "access" (staff opened a record)
    action: str
    created_at: datetime
    title: str
    by: str = ""
    device: str = ""
    network: str = ""
    new_device: bool = False
    note: str = ""
    warning: bool = False


def account_log(*, user: User) -> QuerySet:
    """(pk, created_at, kind) of every log row of the account, newest first:
    its events and the staff openings of its records (by mã số), one list
    that a Paginator pages in the database."""
    events = (
        AccountEvent.objects.filter(user=user)
        .annotate(kind=Value("event", output_field=CharField()))
        .values_list("pk", "created_at", "kind")
    )
    accesses = (
        RecordAccess.objects.filter(insurance_number=user.username)
        .annotate(kind=Value("access", output_field=CharField()))
        .values_list("pk", "created_at", "kind")
    )
    return events.union(accesses, all=True).order_by("-created_at", "-pk")


def staff_label(*, role: str, office: str = "", name: str = "") -> str:
    """ "Cán bộ BHXH Quận 4", "Quản trị viên": office and role, and the
    clerk's name only when the display policy allows it."""
    if role == RecordAccess.Role.ADMIN:
        label = str(_("Quản trị viên")) + (f" ({office})" if office else "")
    else:
        label = _("Cán bộ {office}").format(office=office) if office else str(_("Cán bộ BHXH"))
    if name and settings.TRANSPARENCY_LOG_SHOWS_STAFF_NAMES:
        label += f" — {name}"
    return label


_METHODS = {
    "totp": _("bằng mã từ ứng dụng xác thực"),
    "recovery": _("bằng mã khôi phục"),
    "sms": _("bằng mã OTP qua SMS"),
    "passkey": _("bằng khoá đăng nhập (passkey)"),
}
_FIELDS = {"phone": _("số điện thoại"), "email": _("thư điện tử")}


def _event_entry(event: AccountEvent, labels: dict[str, str]) -> LogEntry:
    from .audit import network_label

    detail = event.detail or {}
    by = ""
    actor = event.actor
    if actor is not None and actor.pk != event.user_id and actor.is_staff:
        # A clerk or an administrator acted on the account (unlock, new
        # initial password, approval): their office and role, not their name.
        profile = getattr(actor, "staff_profile", None)
        by = staff_label(
            role=RecordAccess.Role.ADMIN if actor.is_superuser else RecordAccess.Role.CLERK,
            office=profile.office.name if profile is not None else "",
            name=actor.get_full_name() or actor.username,
        )
    notes = []
    if detail.get("method") in _METHODS and event.action != AccountEvent.Action.SIGN_IN:
        notes.append(str(_METHODS[detail["method"]]))
    elif detail.get("method") == "passkey":
        notes.append(str(_METHODS["passkey"]))
    fields = [str(_FIELDS[f]) for f in detail.get("fields", []) if f in _FIELDS]
    if fields:
        notes.append(", ".join(fields))
    if event.action == AccountEvent.Action.CONTACT_CHANGE_REQUESTED and detail.get("effective_at"):
        when = timezone.localtime(datetime.fromisoformat(detail["effective_at"]))
        notes.append(
            _("có hiệu lực lúc {when} nếu bạn không huỷ").format(
                when=when.strftime("%H:%M %d/%m/%Y")
            )
        )
    if detail.get("reason") == "contact_change_reported":
        notes.append(str(_("theo báo “Không phải tôi”")))
    elif event.action == AccountEvent.Action.LOCKED:
        notes.append(str(_("nhập sai mật khẩu nhiều lần")))
    if event.action == AccountEvent.Action.RECOVERY_CODE_USED and "left" in detail:
        notes.append(_("còn {n} mã chưa dùng").format(n=detail["left"]))
    new_device = bool(detail.get("new_device")) and event.action == AccountEvent.Action.SIGN_IN
    return LogEntry(
        kind="event",
        action=event.action,
        created_at=event.created_at,
        title=labels.get(event.action, event.action),
        by=by,
        device=detail.get("device", ""),
        network=network_label(event.ip),
        new_device=new_device,
        note="; ".join(notes),
        warning=event.action
        in (
            AccountEvent.Action.LOCKED,
            AccountEvent.Action.CONTACT_CHANGE_REPORTED,
            AccountEvent.Action.DEVICE_TAKEOVER,
        )
        or new_device,
    )


def _access_entry(access: RecordAccess, subjects: dict[str, str]) -> LogEntry:
    name = access.actor.get_full_name() or access.actor.username
    by = staff_label(
        role=access.role, office=access.office.name if access.office else "", name=name
    )
    subject = subjects.get(access.subject, access.subject)
    title = _("{by} đã xem {subject} của bạn").format(by=by, subject=subject)
    return LogEntry(
        kind="access",
        action=f"staff_opened_{access.subject}",
        created_at=access.created_at,
        title=title,
        by=by,
        note=access.reference,
    )


def account_log_entries(*, keys: list[tuple[int, datetime, str]]) -> list[LogEntry]:
    """The readable lines of one page of ``account_log``: two queries."""
    event_ids = [pk for pk, _when, kind in keys if kind == "event"]
    access_ids = [pk for pk, _when, kind in keys if kind == "access"]
    events = AccountEvent.objects.select_related("actor__staff_profile__office").in_bulk(event_ids)
    accesses = RecordAccess.objects.select_related("actor", "office").in_bulk(access_ids)
    labels = {value: str(label) for value, label in AccountEvent.Action.choices}
    subjects = {value: str(label) for value, label in RecordAccess.Subject.choices}
    entries = []
    for pk, _when, kind in keys:
        if kind == "event" and pk in events:
            entries.append(_event_entry(events[pk], labels))
        elif kind == "access" and pk in accesses:
            entries.append(_access_entry(accesses[pk], subjects))
    return entries
