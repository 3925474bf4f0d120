"""Who may see a citizen's records: the signed-in citizen, never staff."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from rest_framework import permissions

from .models import Person
from .selectors import person_for_user


def citizen_person(request) -> Person:
    """The signed-in citizen's registry person, looked up once per request.

    Staff accounts get 403 (their work happens in /can-bo/); a citizen
    account without a registry record gets 404.
    """
    if not hasattr(request, "_citizen_person"):
        if request.user.is_staff:
            raise PermissionDenied
        person = person_for_user(request.user)
        if person is None:
            raise Http404("no registry person for this account")
        request._citizen_person = person
    return request._citizen_person


class CitizenRequiredMixin:
    """A page of the signed-in citizen's own records; sets ``self.person``."""

    person: Person

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.person = citizen_person(request)
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
