"""Who may use the staff pages and APIs, and which offices they see.

One rule for every staff view, API view and selector: a *clerk* is an active
staff account with a ``StaffProfile`` (or an administrator, i.e. a
superuser). A clerk sees what was sent to the profile's office, plus the
offices directly under it when ``includes_child_offices`` is set; an
administrator sees everything. Anything outside that scope reads as "not
found" (404), so a URL typed by hand reveals nothing.
"""

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from rest_framework.permissions import BasePermission

_OFFICE_IDS_ATTR = "_staff_office_ids"


def is_clerk(user) -> bool:
    """An active staff user with an office, or an administrator."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and (user.is_superuser or hasattr(user, "staff_profile"))
    )


def staff_office_ids(user) -> frozenset[int] | None:
    """The ids of the offices a clerk serves; ``None`` means every office.

    Computed once per user object (one query when the profile covers child
    offices) so a list and its counts use the same, index-friendly
    ``office_id IN (...)`` filter.
    """
    if not is_clerk(user):
        return frozenset()
    if user.is_superuser:
        return None
    cached = getattr(user, _OFFICE_IDS_ATTR, None)
    if cached is not None:
        return cached
    from lookup.models import Office

    profile = user.staff_profile
    ids = {profile.office_id}
    if profile.includes_child_offices:
        ids.update(Office.objects.filter(parent_id=profile.office_id).values_list("pk", flat=True))
    result = frozenset(ids)
    setattr(user, _OFFICE_IDS_ATTR, result)
    return result


def office_scope(user, *, field: str = "office") -> Q:
    """A filter for rows whose ``field`` (an Office FK) the user may see."""
    ids = staff_office_ids(user)
    if ids is None:
        return Q()
    return Q(**{f"{field}_id__in": sorted(ids)})


def office_in_scope(user, office_id: int | None) -> bool:
    ids = staff_office_ids(user)
    return ids is None or (office_id is not None and office_id in ids)


class ClerkRequiredMixin(AccessMixin):
    """Staff pages: anonymous visitors go to sign-in, everyone else who is
    not a clerk gets 403."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not is_clerk(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class IsClerk(BasePermission):
    """Staff API: the same rule as ``ClerkRequiredMixin`` (401/403 otherwise)."""

    def has_permission(self, request, view) -> bool:
        return is_clerk(request.user)
