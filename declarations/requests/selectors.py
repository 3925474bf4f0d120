"""Reads for requests: the citizen's list and one request, the clerk's queue."""

import re
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from accounts.staff_access import office_scope
from insurance.access import service_requests_visible_filter

from ..cases import AWAITING_OFFICE
from ..selectors import ORDER_DUE, ORDER_NEWEST, STATUS_OPEN, queue_status_q
from .models import ServiceRequest

CODE_MAX_LENGTH = 20
_SPACES_RE = re.compile(r"[\s.\-]")


def _code(code: str) -> str | None:
    code = (code or "").strip().upper()
    if not code or len(code) > CODE_MAX_LENGTH:
        return None
    return code


# CITIZEN -----------------------------------------------------------------------------
def citizen_requests(*, user) -> QuerySet[ServiceRequest]:
    """The requests a citizen may open: filed by them, or about them or their
    children (``insurance.access``), newest first."""
    return (
        ServiceRequest.objects.filter(service_requests_visible_filter(user))
        .select_related("person", "office")
        .order_by("-created_at", "-pk")
    )


def citizen_request(*, user, code: str) -> ServiceRequest | None:
    """One of ``citizen_requests`` by its code, else None (shown as 404)."""
    code = _code(code)
    if code is None:
        return None
    return citizen_requests(user=user).filter(reference_code=code).first()


# STAFF -------------------------------------------------------------------------------
@dataclass(frozen=True)
class RequestQueueFilters:
    query: str = ""
    status: str = STATUS_OPEN
    kind: str = ""
    order: str = ORDER_NEWEST


def _search_q(query: str) -> Q:
    """A request code, or a mã số BHXH (equalities on indexed columns)."""
    compact = _SPACES_RE.sub("", query).upper()
    if compact.startswith("YC") and compact.isalnum():
        return Q(reference_code=compact)
    if compact.isdigit() and len(compact) == 10:
        return Q(person__insurance_number=compact)
    return Q(pk__in=[])


def service_requests_for_staff(*, staff, filters: RequestQueueFilters) -> QuerySet[ServiceRequest]:
    """The clerk's queue: their offices only, filtered; newest or most due first."""
    requests = ServiceRequest.objects.filter(office_scope(staff))
    status_q = queue_status_q(filters.status)
    if status_q is not None:
        requests = requests.filter(status_q)
    if filters.kind:
        requests = requests.filter(kind=filters.kind)
    if filters.query:
        requests = requests.filter(_search_q(filters.query))
    requests = requests.select_related("office", "person")
    if filters.order == ORDER_DUE:
        return requests.order_by(F("acknowledge_due_at").asc(nulls_last=True), "-created_at", "-pk")
    return requests.order_by("-created_at", "-pk")


def service_request_for_staff(*, staff, code: str) -> ServiceRequest | None:
    """A request the clerk may see, by its code; else None."""
    code = _code(code)
    if code is None:
        return None
    return (
        ServiceRequest.objects.filter(office_scope(staff))
        .select_related("office", "person", "person__office", "filed_by")
        .filter(reference_code=code)
        .first()
    )


def service_request_counts(*, staff) -> dict[str, int]:
    """For the staff home: waiting for the office, and of those overdue (one query)."""
    from ..selectors import overdue_q

    counts = ServiceRequest.objects.filter(
        office_scope(staff), status__in=AWAITING_OFFICE
    ).aggregate(waiting=Count("pk"), overdue=Count("pk", filter=overdue_q()))
    return {"waiting": counts["waiting"] or 0, "overdue": counts["overdue"] or 0}
