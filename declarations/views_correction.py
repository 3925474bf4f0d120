"""/dang-ky/bo-sung/: the citizen corrects what the clerk sent back.

Reached from the link in the SMS or e-mail, from the tracking page (code +
phone) or from the guardian's account; each grants this browser's session
the current round (``declarations.corrections``). The page shows every
field of the tờ khai, the marked ones highlighted with the clerk's reason
and editable, the rest as sent. New photos are kept in a private draft
while the citizen fixes other errors, so nothing has to be chosen twice.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from vssid_portal.ratelimit import client_ip

from .cases import CaseStatus
from .corrections import (
    correction_grant,
    correction_grant_end,
    correction_granted,
    correction_token_read,
)
from .forms import DeclarationCorrectionForm
from .lifecycle import case_resubmit, correction_request_lines
from .models import Declaration
from .review import POLICY
from .selectors import declaration_by_code, draft_get, draft_uploads
from .services import draft_create, draft_delete, draft_images, draft_upload_store
from .views import private_file_response

SESSION_PHOTOS = "declarations.correction_photos"
SESSION_CORRECTED = "declarations.corrected"


def _closed(request, declaration: Declaration | None, status: int = 410):
    """The link or grant no longer leads to an open correction."""
    return render(
        request, "declarations/correction_closed.html", {"declaration": declaration}, status=status
    )


@never_cache
def correction_link(request, token: str):
    """The link of the SMS and e-mail: grant this browser, then the page."""
    found = correction_token_read(token)
    declaration = declaration_by_code(code=found[0]) if found else None
    if declaration is None:
        return _closed(request, None, status=404)
    if declaration.status != CaseStatus.RETURNED or declaration.correction_round != found[1]:
        return _closed(request, declaration)
    correction_grant(request, declaration=declaration)
    return redirect("declarations:correction")


def _rows(declaration: Declaration, form, marked: dict, uploads: dict) -> list[dict]:
    """Every correctable field: the marked ones with their input, the others as sent."""
    rows = []
    for item in POLICY.correctables(declaration):
        value = getattr(declaration, item.name)
        line = marked.get(item.name)
        rows.append(
            {
                "item": item,
                "line": line,
                "field": form[item.name] if line is not None else None,
                "value": value,
                "has_new_photo": item.name in uploads,
                "new_photo_url": (
                    reverse("declarations:correction-photo", args=[item.name]) + "?moi=1"
                    if item.name in uploads
                    else ""
                ),
                "photo_url": (
                    reverse("declarations:correction-photo", args=[item.name]) if item.photo else ""
                ),
            }
        )
    return rows


@method_decorator(never_cache, name="dispatch")
class CorrectionView(View):
    template_name = "declarations/correction.html"

    def dispatch(self, request, *args, **kwargs):
        granted = correction_granted(request)
        if granted is None:
            messages.info(
                request,
                _(
                    "Để bổ sung hồ sơ, hãy mở đường dẫn trong tin nhắn SMS hoặc thư điện tử, "
                    "hoặc tra cứu bằng mã hồ sơ và số điện thoại."
                ),
            )
            return redirect("declarations:track")
        self.declaration, self.round = granted
        if (
            self.declaration.status != CaseStatus.RETURNED
            or self.declaration.correction_round != self.round
        ):
            correction_grant_end(request)
            return _closed(request, self.declaration)
        self.lines = correction_request_lines(policy=POLICY, case=self.declaration)
        self.marked = {line.field: line for line in self.lines}
        return super().dispatch(request, *args, **kwargs)

    # The draft holding new photos, bound to this declaration and round.
    def photo_draft(self, create: bool = False):
        stored = self.request.session.get(SESSION_PHOTOS) or {}
        draft = None
        if (
            stored.get("code") == self.declaration.reference_code
            and stored.get("round") == self.round
        ):
            draft = draft_get(token=stored.get("token"))
        if draft is None and create:
            draft = draft_create()
            self.request.session[SESSION_PHOTOS] = {
                "code": self.declaration.reference_code,
                "round": self.round,
                "token": draft.token,
            }
        return draft

    def make_form(self, *args):
        form = DeclarationCorrectionForm(
            *args, declaration=self.declaration, marked=list(self.marked)
        )
        uploads = self.uploads()
        for name in uploads:
            # Already chosen before an error elsewhere: keep it unless replaced.
            form.fields[name].required = False
        return form

    def uploads(self) -> dict:
        draft = self.photo_draft()
        return draft_uploads(draft=draft) if draft is not None else {}

    def render_page(self, form, status: int = 200):
        uploads = self.uploads()
        return render(
            self.request,
            self.template_name,
            {
                "declaration": self.declaration,
                "form": form,
                "lines": self.lines,
                "rows": _rows(self.declaration, form, self.marked, uploads),
            },
            status=status,
        )

    def get(self, request):
        return self.render_page(self.make_form())

    def post(self, request):
        form = self.make_form(request.POST, request.FILES)
        form.is_valid()
        photos = form.photos()
        new_photos = {
            name: image for name, image in photos.items() if image and name not in form.errors
        }
        if new_photos:
            draft = self.photo_draft(create=True)
            for name, image in new_photos.items():
                draft_upload_store(draft=draft, slot=name, image=image)
        if form.errors:
            return self.render_page(form, status=400)
        draft = self.photo_draft()
        stored = draft_images(draft=draft, slots=tuple(photos)) if photos else {}
        try:
            case_resubmit(
                policy=POLICY,
                case=self.declaration,
                correction_round=self.round,
                values=form.values(),
                photos=stored,
                ip=client_ip(request),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                form.add_error(None, exc)
            return self.render_page(form, status=400)
        if draft is not None:
            draft_delete(draft=draft)
        request.session.pop(SESSION_PHOTOS, None)
        correction_grant_end(request)
        request.session[SESSION_CORRECTED] = self.declaration.reference_code
        return redirect("declarations:correction-done")


@never_cache
def correction_photo(request, slot: str):
    """A photo of the granted declaration: as sent, or the new one (``?moi=1``)."""
    granted = correction_granted(request)
    if granted is None:
        raise Http404
    declaration, round_ = granted
    if slot not in declaration.image_slots or declaration.status != CaseStatus.RETURNED:
        raise Http404
    if request.GET.get("moi"):
        stored = request.session.get(SESSION_PHOTOS) or {}
        if stored.get("code") != declaration.reference_code or stored.get("round") != round_:
            raise Http404
        draft = draft_get(token=stored.get("token"))
        upload = draft_uploads(draft=draft).get(slot) if draft else None
        if upload is None:
            raise Http404
        handle = upload.file.open("rb")
    else:
        handle = getattr(declaration, slot).open("rb")
    return private_file_response(handle, filename=f"{slot}.jpg", content_type="image/jpeg")


@never_cache
def correction_done(request):
    code = request.session.get(SESSION_CORRECTED)
    declaration = declaration_by_code(code=code) if code else None
    if declaration is None:
        return redirect("declarations:track")
    return render(request, "declarations/correction_done.html", {"declaration": declaration})
