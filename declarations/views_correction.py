"""/dang-ky/bo-sung/: the citizen corrects what the clerk sent back.

Reached from the link in the SMS or e-mail, from the tracking page (code +
phone) or from the guardian's account; each grants this browser's session
the current round (``declarations.corrections``). The page shows every
field of the tờ khai, the marked ones highlighted with the clerk's reason
and editable, the rest as sent. New photos are kept in a private draft
while the citizen fixes other errors, so nothing has to be chosen twice.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .case_views import CaseCorrectionView, SessionPhotoDraft
from .cases import CaseStatus
from .corrections import (
    correction_grant,
    correction_grant_end,
    correction_granted,
    correction_token_read,
)
from .forms import DeclarationCorrectionForm
from .models import Declaration
from .review import POLICY
from .selectors import declaration_by_code
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


@method_decorator(never_cache, name="dispatch")
class CorrectionView(CaseCorrectionView):
    template_name = "declarations/correction.html"
    photo_session_key = SESSION_PHOTOS

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
        declaration, round_ = granted
        if declaration.status != CaseStatus.RETURNED or declaration.correction_round != round_:
            correction_grant_end(request)
            return _closed(request, declaration)
        self.setup_case(case=declaration, correction_round=round_, policy=POLICY)
        return super().dispatch(request, *args, **kwargs)

    def build_form(self, *args, photo_kept: set[str]):
        form = DeclarationCorrectionForm(*args, declaration=self.case, marked=list(self.marked))
        for name in photo_kept:
            # Already chosen before an error elsewhere: keep it unless replaced.
            if name in form.fields:
                form.fields[name].required = False
        return form

    def photo_url(self, name: str, *, new: bool) -> str:
        url = reverse("declarations:correction-photo", args=[name])
        return url + "?moi=1" if new else url

    def page_context(self) -> dict:
        return {"declaration": self.case}

    def finished(self):
        correction_grant_end(self.request)
        self.request.session[SESSION_CORRECTED] = self.case.reference_code
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
        handle = SessionPhotoDraft(
            request, key=SESSION_PHOTOS, scope={"code": declaration.reference_code, "round": round_}
        ).open(slot)
        if handle is None:
            raise Http404
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
