"""Whose records a request may see: the one place that decides it.

A citizen sees their own records; a guardian also sees the records of the
children whose accounts they registered (``User.guardian``), with no second
sign-in. Staff have no records here (their work is in /can-bo/). Anything
else is a 404, so a stranger cannot even learn that a child exists.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from rest_framework import permissions

from accounts.selectors import guardian_children

from .models import Person
from .selectors import person_for_user


@dataclass(frozen=True)
class RecordsOwner:
    """The person whose records are shown, and the child account if not the viewer's own."""

    person: Person
    child: object | None = None  # accounts.User of the child, when a guardian views

    @property
    def child_id(self) -> int | None:
        return self.child.pk if self.child is not None else None


def records_owner(request, *, child_id: int | None = None) -> RecordsOwner:
    """The viewer's own records, or (``child_id``) those of one of their children.

    Staff get 403; a child id that is not the viewer's own child, and an
    account without a registry person, get 404. Looked up once per request.
    """
    cache = request.__dict__.setdefault("_records_owners", {})
    if child_id in cache:
        return cache[child_id]
    if request.user.is_staff:
        raise PermissionDenied
    if child_id is None:
        person = person_for_user(request.user)
        child = None
    else:
        child = guardian_children(guardian=request.user).filter(pk=child_id).first()
        person = person_for_user(child) if child is not None else None
    if person is None:
        raise Http404("no registry person for these records")
    cache[child_id] = RecordsOwner(person=person, child=child)
    return cache[child_id]


def citizen_person(request) -> Person:
    """The signed-in citizen's own registry person (see ``records_owner``)."""
    return records_owner(request).person


def children_for_viewer(user) -> list:
    """The child accounts whose records ``user`` may switch to."""
    return list(guardian_children(guardian=user))


def declarations_visible_filter(user) -> Q:
    """Which tờ khai a citizen may open: their own and those they filed for a child.

    Returned as a filter on ``declarations.Declaration``; staff and
    anonymous users match nothing here (clerks use the staff pages).
    """
    if not getattr(user, "is_authenticated", False) or user.is_staff or not user.is_active:
        return Q(pk__in=[])
    return Q(insurance_number=user.username) | Q(guardian=user)


def service_requests_visible_filter(user) -> Q:
    """Which requests (``declarations.ServiceRequest``) a citizen may open.

    Those they filed, and those about themselves or one of their children
    (whoever filed them); staff and anonymous users match nothing here.
    """
    if not getattr(user, "is_authenticated", False) or user.is_staff or not user.is_active:
        return Q(pk__in=[])
    numbers = [user.username, *(child.username for child in guardian_children(guardian=user))]
    return Q(filed_by=user) | Q(person__insurance_number__in=numbers)


class CitizenRequiredMixin:
    """A records page of the signed-in citizen or of one of their children.

    Sets ``self.owner`` and ``self.person``; a ``child_id`` URL argument asks
    for a child's records.
    """

    person: Person
    owner: RecordsOwner

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.owner = records_owner(request, child_id=kwargs.get("child_id"))
        self.person = self.owner.person
        return super().dispatch(request, *args, **kwargs)


def citizen_required(view):
    """Decorator form of ``CitizenRequiredMixin``; the view gets ``person=``."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, person=citizen_person(request), **kwargs)

    return wrapper


class IsCitizen(permissions.BasePermission):
    """API access for citizen accounts only (staff get 403)."""

    message = "Chức năng này chỉ dành cho tài khoản công dân."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and not request.user.is_staff)
