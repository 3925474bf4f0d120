from django.conf import settings
from django.utils import timezone

from insurance.models import Person
from lookup.models import Office

from .models import User
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
