"""Reads for the registration: drafts, offices for the picker, tracking."""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from lookup.models import Office

from .models import Declaration, DeclarationDraft, DeclarationUpload


def draft_get(*, token: str | None) -> DeclarationDraft | None:
    if not token:
        return None
    return DeclarationDraft.objects.filter(token=token).first()


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
        insurance_number=insurance_number, status__in=Declaration.OPEN_STATUSES
    ).exists()


def declaration_image_viewable(*, user, declaration: Declaration) -> bool:
    """Administrators, and clerks of the receiving office (or of its parent office
    when their profile covers child offices)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not user.is_staff:
        return False
    profile = getattr(user, "staff_profile", None)
    if profile is None:
        return False
    if profile.office_id == declaration.office_id:
        return True
    return bool(
        profile.includes_child_offices and declaration.office.parent_id == profile.office_id
    )


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
