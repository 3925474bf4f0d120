"""/ca-nhan/yeu-cau/: the signed-in citizen's requests.

List ("Gửi yêu cầu"), the four forms with a confirmation screen, the
detail with clocks, history and decision, and "Bổ sung" when the office
sends a request back. Who may open what is ``insurance.access``: a
request filed by the account, or about the account's person or one of
their children. A photo chosen on a form is kept in a private draft while
the citizen fixes other errors (``declarations.case_views``).
"""

import secrets

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from accounts.audit import record_access_log
from insurance.access import children_for_viewer, records_owner
from vssid_portal.ratelimit import client_ip, rate_limit

from ..case_views import CaseCorrectionView, SessionPhotoDraft, errors_to_form
from ..cases import CaseAction, CaseStatus
from ..lifecycle import case_history, correction_request_lines
from ..views import private_file_response
from .forms import FORMS, ConfirmForm
from .kinds import (
    INTROS,
    POLICIES,
    SLUG_OF,
    SLUGS,
    current_card,
    decision_summary,
    field_display,
    payload_rows,
    policy_for,
)
from .models import ServiceRequest
from .selectors import citizen_request, citizen_requests
from .services import already_open_error, managing_office, open_request, service_request_file

PER_PAGE = 20
SESSION_PENDING = "requests.pending"
SESSION_NEW_PHOTO = "requests.new_photo"
SESSION_FILED = "requests.filed"
SESSION_CORRECTION_PHOTO = "requests.correction_photo"
FORM_LIMIT = (60, 3600)  # form posts (with photos) per account and hour
FILE_LIMIT = (10, 3600)  # requests filed per account and hour


class CitizenMixin:
    """Signed-in citizens only: anonymous → sign-in, staff → 403."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.is_staff:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _kinds_menu() -> list[dict]:
    return [
        {
            "kind": kind,
            "label": label,
            "intro": INTROS[kind],
            "url": reverse("requests:new", args=[SLUG_OF[kind]]),
        }
        for kind, label in ServiceRequest.Kind.choices
    ]


@method_decorator(never_cache, name="dispatch")
class RequestListView(CitizenMixin, View):
    def get(self, request):
        page = Paginator(citizen_requests(user=request.user), PER_PAGE).get_page(
            request.GET.get("trang")
        )
        return render(
            request, "declarations/requests/list.html", {"page": page, "kinds": _kinds_menu()}
        )


# FILING ---------------------------------------------------------------------------
def _child_id(value) -> int | None:
    value = str(value or "").strip()
    return int(value) if value.isdigit() and len(value) < 12 else None


class KindMixin(CitizenMixin):
    """The kind of the URL and the person it is for (own, or ``?con=`` a child)."""

    def dispatch(self, request, slug: str):
        if request.user.is_authenticated and not request.user.is_staff:
            self.setup_kind(slug, _child_id(request.GET.get("con")))
        return super().dispatch(request, slug)

    def setup_kind(self, slug: str, child_id: int | None) -> None:
        kind = SLUGS.get(slug)
        if kind is None:
            raise Http404
        self.kind, self.slug = kind, slug
        self.policy = POLICIES[kind]
        self.form_class = FORMS[kind]
        self.owner = records_owner(self.request, child_id=child_id)
        self.person = self.owner.person
        self.card = current_card(self.person)

    def photo_draft(self) -> SessionPhotoDraft:
        return SessionPhotoDraft(
            self.request,
            key=SESSION_NEW_PHOTO,
            scope={"kind": self.kind, "person": self.person.pk},
        )

    def query(self, **extra) -> str:
        params = {"con": self.owner.child_id} if self.owner.child_id else {}
        params.update(extra)
        return "?" + urlencode(params) if params else ""

    def base_context(self) -> dict:
        return {
            "kind": self.kind,
            "kind_label": ServiceRequest.Kind(self.kind).label,
            "intro": INTROS[self.kind],
            "slug": self.slug,
            "person": self.person,
            "child": self.owner.child,
            "card": self.card,
            "office": managing_office(person=self.person),
            "query": self.query(),
        }


def _pending(request, *, kind: str, person_pk: int) -> dict | None:
    pending = request.session.get(SESSION_PENDING) or {}
    if pending.get("kind") == kind and pending.get("person") == person_pk:
        return pending
    return None


@method_decorator(never_cache, name="dispatch")
class RequestNewView(KindMixin, View):
    """One kind's form; "Tiếp tục" leads to the confirmation screen."""

    template_name = "declarations/requests/new.html"

    def make_form(self, *args, **kwargs):
        return self.form_class(
            *args,
            person=self.person,
            card=self.card,
            photo_kept="attachment" in self.photo_draft().uploads(),
            **kwargs,
        )

    def render_page(self, form, status: int = 200):
        uploads = self.photo_draft().uploads()
        children = children_for_viewer(self.request.user)
        return render(
            self.request,
            self.template_name,
            {
                **self.base_context(),
                "form": form,
                "unavailable": self.policy.unavailable(person=self.person, card=self.card),
                "existing": open_request(person=self.person, kind=self.kind),
                "photo_kept": "attachment" in uploads,
                "photo_url": reverse("requests:new-photo", args=[self.slug]) + self.query(),
                "children": children,
                "self_url": reverse("requests:new", args=[self.slug]),
            },
            status=status,
        )

    def get(self, request, slug: str):
        pending = _pending(request, kind=self.kind, person_pk=self.person.pk)
        if request.GET.get("sua") and pending is not None:
            initial = self.form_class.initial_from_payload(pending["payload"])
        else:
            initial = self.form_class.initial_from_query(request.GET)
        return self.render_page(self.make_form(initial=initial))

    def post(self, request, slug: str):
        rate_limit(
            scope="requests:form",
            key=str(request.user.pk),
            limit=FORM_LIMIT[0],
            window=FORM_LIMIT[1],
        )
        form = self.make_form(request.POST, request.FILES)
        form.is_valid()
        drafts = self.photo_draft()
        kept = {k: v for k, v in form.photos().items() if v and k not in form.errors}
        drafts.store(kept)
        for name in kept:
            form.fields[name].required = False  # kept: not asked again
        reason = self.policy.unavailable(person=self.person, card=self.card)
        if reason:
            form.add_error(None, reason)
        existing = open_request(person=self.person, kind=self.kind)
        if existing is not None:
            form.add_error(None, already_open_error(existing))
        if form.errors:
            return self.render_page(form, status=400)
        request.session[SESSION_PENDING] = {
            "kind": self.kind,
            "person": self.person.pk,
            "child": self.owner.child_id,
            "payload": form.payload(),
            "key": "web:" + secrets.token_hex(24),
        }
        return redirect(reverse("requests:confirm", args=[self.slug]) + self.query())


@method_decorator(never_cache, name="dispatch")
class RequestConfirmView(KindMixin, View):
    """What will be sent, the commitment, "Gửi"."""

    template_name = "declarations/requests/confirm.html"

    def render_page(self, pending: dict, form, status: int = 200):
        return render(
            self.request,
            self.template_name,
            {
                **self.base_context(),
                "form": form,
                "rows": payload_rows(kind=self.kind, payload=pending["payload"]),
                "photo_kept": "attachment" in self.photo_draft().uploads(),
                "photo_url": reverse("requests:new-photo", args=[self.slug]) + self.query(),
                "back_url": reverse("requests:new", args=[self.slug]) + self.query(sua=1),
            },
            status=status,
        )

    def get(self, request, slug: str):
        pending = _pending(request, kind=self.kind, person_pk=self.person.pk)
        if pending is None:
            return redirect(reverse("requests:new", args=[self.slug]) + self.query())
        return self.render_page(pending, ConfirmForm())

    def post(self, request, slug: str):
        pending = _pending(request, kind=self.kind, person_pk=self.person.pk)
        if pending is None:
            # A second click on "Gửi": the request the first one filed.
            filed = request.session.get(SESSION_FILED) or {}
            if filed.get("kind") == self.kind and filed.get("person") == self.person.pk:
                return redirect("requests:detail", code=filed["code"])
            return redirect(reverse("requests:new", args=[self.slug]) + self.query())
        form = ConfirmForm(request.POST)
        if not form.is_valid():
            return self.render_page(pending, form, status=400)
        rate_limit(
            scope="requests:file",
            key=str(request.user.pk),
            limit=FILE_LIMIT[0],
            window=FILE_LIMIT[1],
        )
        drafts = self.photo_draft()
        try:
            photos = drafts.files(["attachment"]) if "attachment" in drafts.uploads() else {}
            if self.form_class.photo_required and not photos:
                raise ValidationError(_("Vui lòng chọn ảnh giấy tờ."), code="photo_missing")
            service_request = service_request_file(
                kind=self.kind,
                person=self.person,
                filed_by=request.user,
                payload=pending["payload"],
                attachment=photos.get("attachment"),
                submission_key=pending["key"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
            return self.render_page(pending, form, status=400)
        drafts.clear()
        request.session.pop(SESSION_PENDING, None)
        request.session[SESSION_FILED] = {
            "kind": self.kind,
            "person": self.person.pk,
            "code": service_request.reference_code,
        }
        messages.success(
            request,
            _(
                "Đã gửi yêu cầu {code} tới {office}. Bạn sẽ nhận tin nhắn khi cơ quan BHXH xử lý."
            ).format(code=service_request.reference_code, office=service_request.office.name),
        )
        return redirect("requests:detail", code=service_request.reference_code)


@never_cache
def request_new_photo(request, slug: str):
    """The photo chosen on a form being filled, for this browser only."""
    if not request.user.is_authenticated or request.user.is_staff:
        raise Http404
    kind = SLUGS.get(slug)
    if kind is None:
        raise Http404
    owner = records_owner(request, child_id=_child_id(request.GET.get("con")))
    handle = SessionPhotoDraft(
        request, key=SESSION_NEW_PHOTO, scope={"kind": kind, "person": owner.person.pk}
    ).open("attachment")
    if handle is None:
        raise Http404
    return private_file_response(handle, filename="anh-giay-to.jpg", content_type="image/jpeg")


# ONE REQUEST -----------------------------------------------------------------------
def attachment_response(service_request: ServiceRequest | None, *, request):
    """A request's private photo (the caller decided who may see it), else 404.

    A clerk or administrator opening it is written to the citizen's log.
    """
    if service_request is None or not service_request.attachment:
        raise Http404
    record_access_log(
        request=request,
        subject="service_request_image",
        insurance_number=service_request.person.insurance_number,
        reference=service_request.reference_code,
    )
    return private_file_response(
        service_request.attachment.open("rb"),
        filename=f"{service_request.reference_code}.jpg",
        content_type="image/jpeg",
    )


def _citizen_request_or_404(request, code: str) -> ServiceRequest:
    service_request = citizen_request(user=request.user, code=code)
    if service_request is None:
        raise Http404
    return service_request


def citizen_history(service_request: ServiceRequest, *, viewer) -> list:
    """The request's events as a citizen sees them: the office, not the clerk's name."""
    events = case_history(policy=policy_for(service_request), case=service_request)
    for event in events:
        if event.actor is None or event.actor.is_staff:
            event.who = _("Cơ quan BHXH") if event.actor is not None else ""
        elif event.actor.pk == viewer.pk:
            event.who = _("Bạn")
        else:
            event.who = event.actor.full_name or event.actor.username
    return events


@method_decorator(never_cache, name="dispatch")
class RequestDetailView(CitizenMixin, View):
    def get(self, request, code: str):
        service_request = _citizen_request_or_404(request, code)
        policy = policy_for(service_request)
        return render(
            request,
            "declarations/requests/detail.html",
            {
                "req": service_request,
                "rows": payload_rows(kind=service_request.kind, payload=service_request.payload),
                "correction_lines": correction_request_lines(policy=policy, case=service_request),
                "history": citizen_history(service_request, viewer=request.user),
                "decision": decision_summary(service_request),
                "action_labels": dict(CaseAction.choices),
            },
        )


@never_cache
def request_attachment(request, code: str):
    """The request's supporting photo, for the citizens who may open the request."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return attachment_response(citizen_request(user=request.user, code=code), request=request)


@method_decorator(never_cache, name="dispatch")
class RequestCorrectView(CitizenMixin, CaseCorrectionView):
    """ "Bổ sung": the fields the clerk marked, on the shared correction page."""

    template_name = "declarations/requests/correct.html"
    photo_session_key = SESSION_CORRECTION_PHOTO

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_staff:
            service_request = _citizen_request_or_404(request, kwargs["code"])
            if service_request.status != CaseStatus.RETURNED:
                messages.info(request, _("Yêu cầu này không còn chờ bổ sung."))
                return redirect("requests:detail", code=service_request.reference_code)
            self.setup_case(
                case=service_request,
                correction_round=service_request.correction_round,
                policy=policy_for(service_request),
            )
        return super().dispatch(request, *args, **kwargs)

    def build_form(self, *args, photo_kept: set[str]):
        return FORMS[self.case.kind](
            *args,
            person=self.case.person,
            card=current_card(self.case.person),
            existing=self.case.payload,
            marked=list(self.marked),
            photo_kept="attachment" in photo_kept,
            initial=FORMS[self.case.kind].initial_from_payload(
                {k: v for k, v in self.case.payload.items() if k in self.marked}
            ),
        )

    def photo_url(self, name: str, *, new: bool) -> str:
        if new:
            return reverse("requests:correction-photo", args=[self.case.reference_code])
        return reverse("requests:attachment", args=[self.case.reference_code])

    def display_value(self, name: str, value):
        return field_display(kind=self.case.kind, name=name, value=value)

    def page_context(self) -> dict:
        return {"req": self.case}

    def actor(self):
        return self.request.user

    def finished(self):
        messages.success(
            self.request,
            _("Đã gửi bổ sung yêu cầu {code}. Cơ quan BHXH sẽ xem lại.").format(
                code=self.case.reference_code
            ),
        )
        return redirect("requests:detail", code=self.case.reference_code)


@never_cache
def request_correction_photo(request, code: str):
    """The new photo chosen on the "Bổ sung" page, for this browser only."""
    if not request.user.is_authenticated:
        raise Http404
    service_request = citizen_request(user=request.user, code=code)
    if service_request is None or service_request.status != CaseStatus.RETURNED:
        raise Http404
    handle = SessionPhotoDraft(
        request,
        key=SESSION_CORRECTION_PHOTO,
        scope={
            "code": service_request.reference_code,
            "round": service_request.correction_round,
        },
    ).open("attachment")
    if handle is None:
        raise Http404
    return private_file_response(handle, filename="anh-moi.jpg", content_type="image/jpeg")
