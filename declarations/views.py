"""The registration wizard at /dang-ky/, the confirmation, the PDF and tracking.

The wizard's state is a ``DeclarationDraft`` row found through a random
token in the session: it works without JavaScript, survives "Quay lại",
restarts and a second tab, and each step checks server-side that the
steps before it are done (VAL-05).
"""

import time

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache

from accounts.audit import record_access_log
from vssid_portal.ratelimit import RateLimited, client_ip, rate_limit, usage_hit, usage_peek

from . import documents
from .documents import phone_display
from .forms import (
    DeclarantForm,
    KindForm,
    OfficeForm,
    QrForm,
    ResumeResendForm,
    ReviewForm,
    TrackForm,
    UploadsForm,
)
from .models import Declaration, DeclarationUpload
from .selectors import (
    declaration_by_code,
    declaration_by_submission_key,
    declaration_image_viewable,
    declaration_track,
    draft_get,
    draft_uploads,
    receiving_offices,
)
from .services import (
    IMAGE_SLOTS,
    RESUME_MAX_AGE,
    declaration_submit_from_draft,
    draft_create,
    draft_first_incomplete_step,
    draft_from_resume_token,
    draft_resume_offer,
    draft_resume_resend,
    draft_step_save,
    draft_upload_store,
)

SESSION_DRAFT = "declarations.draft"
SESSION_DONE = "declarations.done"

# Per client IP; mobile carriers put many people behind one address, so the
# limits stop scripts, not families.
REGISTRY_CHECK_LIMIT = (20, 600)
SUBMIT_LIMIT = (30, 3600)
CAPTCHA_FAILURE_LIMIT = (10, 600)
TRACK_LIMIT = (20, 600)

STEPS = [
    ("kind", gettext_lazy("Đối tượng")),
    ("declarant", gettext_lazy("Tờ khai")),
    ("uploads", gettext_lazy("Ảnh")),
    ("office", gettext_lazy("Nơi nộp")),
    ("review", gettext_lazy("Xem lại và gửi")),
]
STEP_URLS = {
    "kind": "declarations:start",
    "declarant": "declarations:declarant",
    "uploads": "declarations:uploads",
    "office": "declarations:office",
    "review": "declarations:review",
}


def private_file_response(file, *, filename: str, content_type: str, inline: bool = True):
    response = FileResponse(file, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Robots-Tag"] = "noindex"
    return response


def _raw(request, form_class) -> dict[str, str]:
    names = form_class.base_fields if hasattr(form_class, "base_fields") else form_class
    # PostgreSQL's JSON cannot hold NUL; the form still reports it to the citizen.
    return {name: request.POST.get(name, "")[:1000].replace("\x00", "") for name in names}


@method_decorator(never_cache, name="dispatch")
class WizardStepView(View):
    """One step of a wizard kept in a ``DeclarationDraft``.

    The class attributes describe the wizard, so the guardian's child
    wizard (views_child.py) reuses the steps with its own list.
    """

    step = ""
    template_name = ""
    steps = STEPS
    step_urls = STEP_URLS
    session_key = SESSION_DRAFT
    session_done_key = SESSION_DONE
    done_url = "declarations:done"
    image_slots = IMAGE_SLOTS
    title = gettext_lazy("Đăng ký tài khoản giao dịch điện tử")
    # Shown instead of step 1 when the session no longer holds a draft.
    expired_template = "declarations/session_expired.html"

    def dispatch(self, request, *args, **kwargs):
        token = request.session.get(self.session_key)
        self.draft = self.draft_for(token)
        first = self.steps[0][0]
        if self.draft is None:
            # "Gửi" clicked twice: the first click already submitted this wizard.
            if declaration_by_submission_key(key=token) or (
                self.step == "review" and request.session.get(self.session_done_key)
            ):
                return redirect(self.done_url)
            if self.step != first:
                if self.expired_template:
                    return render(
                        request,
                        self.expired_template,
                        {"form": ResumeResendForm(), "start_url": reverse(self.step_urls[first])},
                    )
                messages.info(request, _("Phiên đăng ký đã hết hạn hoặc chưa bắt đầu."))
                return redirect(self.step_urls[first])
        else:
            names = [name for name, _label in self.steps]
            for previous in names[: names.index(self.step)]:
                if not self.step_done(previous):
                    return redirect(self.step_urls[previous])
        return super().dispatch(request, *args, **kwargs)

    def draft_for(self, token):
        return draft_get(token=token)

    def draft_start(self):
        self.draft = draft_create()
        self.request.session[self.session_key] = self.draft.token
        self.request.session.cycle_key()
        return self.draft

    def step_done(self, step: str) -> bool:
        if step == "uploads":
            return set(self.image_slots) <= set(draft_uploads(draft=self.draft))
        return step in self.draft.data.get("complete", [])

    def step_url(self, offset: int) -> str:
        """The URL name of the step ``offset`` places from this one."""
        names = [name for name, _label in self.steps]
        return self.step_urls[names[names.index(self.step) + offset]]

    def render_step(self, context: dict, status: int = 200):
        names = [name for name, _label in self.steps]
        index = names.index(self.step)
        context.update(
            {
                "steps": [
                    {"name": name, "label": label, "number": i + 1, "current": name == self.step}
                    for i, (name, label) in enumerate(self.steps)
                ],
                "step_number": index + 1,
                "step_count": len(self.steps),
                "step_label": self.steps[index][1],
                "wizard_title": self.title,
                "draft": self.draft,
            }
        )
        return render(self.request, self.template_name, context, status=status)


class KindView(WizardStepView):
    """Step 1: "Cá nhân", "Tiếp tục". Starts a draft."""

    step = "kind"
    template_name = "declarations/step_kind.html"

    def get(self, request):
        initial = (self.draft.data.get("kind") if self.draft else None) or {}
        return self.render_step({"form": KindForm(initial=initial or None)})

    def post(self, request):
        form = KindForm(request.POST)
        if not form.is_valid():
            return self.render_step({"form": form}, status=400)
        if self.draft is None:
            self.draft_start()
        draft_step_save(draft=self.draft, step="kind", values=form.cleaned_data, complete=True)
        return redirect("declarations:declarant")


class DeclarantView(WizardStepView):
    """Step 2: the tờ khai, with QR autofill."""

    step = "declarant"
    template_name = "declarations/step_declarant.html"

    def get(self, request):
        form = DeclarantForm(initial=self.draft.data.get("declarant", {}))
        return self.render_step({"form": form, "qr_form": QrForm()})

    def post(self, request):
        action = request.POST.get("action", "continue")
        if action == "qr":
            return self.autofill(request)
        raw = _raw(request, DeclarantForm)
        if action == "back":
            draft_step_save(draft=self.draft, step="declarant", values=raw, complete=False)
            return redirect("declarations:start")
        rate_limit(
            scope="declarations:registry",
            key=client_ip(request),
            limit=REGISTRY_CHECK_LIMIT[0],
            window=REGISTRY_CHECK_LIMIT[1],
        )
        form = DeclarantForm(request.POST)
        valid = form.is_valid()
        draft_step_save(draft=self.draft, step="declarant", values=raw, complete=valid)
        if valid:
            phone = form.cleaned_data["phone"]
            if draft_resume_offer(draft=self.draft, phone=phone, email=form.cleaned_data["email"]):
                messages.info(
                    request,
                    _(
                        "Tờ khai của bạn được lưu lại. Đường dẫn để tiếp tục điền trong {days} "
                        "ngày đã được gửi qua SMS đến số {phone}, phòng khi bạn đóng trang "
                        "hoặc phiên làm việc hết hạn."
                    ).format(days=RESUME_MAX_AGE.days, phone=phone_display(phone)),
                )
            return redirect("declarations:uploads")
        return self.render_step({"form": form, "qr_form": QrForm()}, status=400)

    def autofill(self, request):
        qr_form = QrForm(request.POST, request.FILES)
        if not qr_form.is_valid():
            form = DeclarantForm(initial=self.draft.data.get("declarant", {}))
            return self.render_step({"form": form, "qr_form": qr_form, "qr_open": True}, 400)
        values = {
            **self.draft.data.get("declarant", {}),
            **qr_form.cleaned_data["result"].initial(),
        }
        draft_step_save(draft=self.draft, step="declarant", values=values, complete=False)
        messages.success(
            request,
            _(
                "Đã điền thông tin từ mã QR. Vui lòng kiểm tra lại từng ô, "
                "nhập các ô còn trống rồi bấm “Tiếp tục”."
            ),
        )
        return redirect("declarations:declarant")


class UploadsView(WizardStepView):
    """Step 3: portrait and both sides of the ID card, with previews."""

    step = "uploads"
    template_name = "declarations/step_uploads.html"
    form_class = UploadsForm
    preview_url_name = "declarations:upload-preview"

    def context(self, form):
        uploads = draft_uploads(draft=self.draft)
        fields = []
        for name in self.image_slots:
            upload = uploads.get(name)
            fields.append(
                {
                    "field": form[name],
                    "upload": upload,
                    "preview_url": (
                        reverse(self.preview_url_name, args=[name])
                        + f"?v={upload.pk}-{upload.file.name[-12:-4]}"
                        if upload
                        else None
                    ),
                }
            )
        return {"form": form, "image_fields": fields}

    def get(self, request):
        return self.render_step(self.context(self.form_class()))

    def post(self, request):
        action = request.POST.get("action", "continue")
        form = self.form_class(request.POST, request.FILES)
        form.is_valid()
        for name in self.image_slots:
            image = form.cleaned_data.get(name) if name not in form.errors else None
            if image:
                draft_upload_store(draft=self.draft, slot=name, image=image)
        if action == "back":
            return redirect(self.step_url(-1))
        uploads = draft_uploads(draft=self.draft)
        for name in self.image_slots:
            if name not in uploads and name not in form.errors:
                form.add_error(name, _("Vui lòng chọn ảnh."))
        if form.errors:
            return self.render_step(self.context(form), status=400)
        return redirect(self.step_url(+1))


@method_decorator(never_cache, name="dispatch")
class UploadPreviewView(View):
    """An uploaded image, only for the wizard session that uploaded it."""

    session_key = SESSION_DRAFT
    image_slots = IMAGE_SLOTS

    def get(self, request, slot: str):
        draft = draft_get(token=request.session.get(self.session_key))
        if draft is None or slot not in self.image_slots:
            raise Http404
        upload = DeclarationUpload.objects.filter(draft=draft, slot=slot).first()
        if upload is None:
            raise Http404
        return private_file_response(
            upload.file.open("rb"), filename=f"{slot}.jpg", content_type="image/jpeg"
        )


class OfficeView(WizardStepView):
    """Step 4: receiving office, submission mode, "Gửi email tờ khai"."""

    step = "office"
    template_name = "declarations/step_office.html"

    def has_email(self) -> bool:
        return bool(self.draft.data.get("declarant", {}).get("email", "").strip())

    def make_form(self, *args, **kwargs):
        return OfficeForm(*args, has_email=self.has_email(), **kwargs)

    def get(self, request):
        initial = self.draft.data.get("office", {})
        return self.render_step({"form": self.make_form(initial=initial)})

    def post(self, request):
        action = request.POST.get("action", "continue")
        raw = _raw(request, ["province", "office", "submission_mode", "send_form_by_email"])
        raw["send_form_by_email"] = bool(raw["send_form_by_email"])
        if action == "back":
            draft_step_save(draft=self.draft, step="office", values=raw, complete=False)
            return redirect(self.step_url(-1))
        if action == "choose_province":
            previous = self.draft.data.get("office", {})
            if previous.get("province") != raw["province"]:
                raw["office"] = ""
            draft_step_save(draft=self.draft, step="office", values=raw, complete=False)
            return redirect(reverse(self.step_urls["office"]) + "#id_office")
        form = self.make_form(request.POST)
        valid = form.is_valid()
        draft_step_save(draft=self.draft, step="office", values=raw, complete=valid)
        if valid:
            return redirect(self.step_url(+1))
        return self.render_step({"form": form}, status=400)


def offices_json(request):
    """District offices (and the province office) of a province office, for the picker."""
    code = request.GET.get("province", "")
    if not (code.isascii() and code.isdigit() and len(code) == 3):
        return JsonResponse({"offices": []}, status=400)
    offices = [
        {"code": office.code, "label": str(office)}
        for office in receiving_offices(province_office_code=code)
    ]
    response = JsonResponse({"offices": offices})
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _draft_forms(draft):
    """Re-validate the saved steps: the review shows what will really be sent."""
    declarant_values = draft.data.get("declarant", {})
    office_values = draft.data.get("office", {})
    declarant_form = DeclarantForm(declarant_values)
    office_form = OfficeForm(
        {key: value for key, value in office_values.items() if value not in (False, None)},
        has_email=bool(declarant_values.get("email", "").strip()),
    )
    return declarant_form, office_form


class ReviewView(WizardStepView):
    """Step 5: everything once more, the commitment, the captcha, "Gửi"."""

    step = "review"
    template_name = "declarations/step_review.html"

    def context(self, form, declarant_form, office_form):
        return {
            "form": form,
            "declarant": declarant_form.cleaned_data,
            "declarant_form": declarant_form,
            "office": office_form.cleaned_data,
            "office_form": office_form,
            "uploads": [
                {
                    "label": label,
                    "url": reverse("declarations:upload-preview", args=[slot]),
                }
                for slot, label in DeclarationUpload.Slot.choices
                if slot in IMAGE_SLOTS
            ],
        }

    def stale_step(self, declarant_form, office_form):
        """Redirect to the first step whose data no longer passes (rules changed)."""
        if not declarant_form.is_valid():
            draft_step_save(
                draft=self.draft,
                step="declarant",
                values=self.draft.data.get("declarant", {}),
                complete=False,
            )
            for error in declarant_form.non_field_errors():
                messages.error(self.request, error)
            return redirect("declarations:declarant")
        if not office_form.is_valid():
            messages.error(self.request, _("Vui lòng chọn lại cơ quan BHXH tiếp nhận."))
            return redirect("declarations:office")
        return None

    def get(self, request):
        declarant_form, office_form = _draft_forms(self.draft)
        stale = self.stale_step(declarant_form, office_form)
        if stale:
            return stale
        return self.render_step(self.context(ReviewForm(), declarant_form, office_form))

    def post(self, request):
        key = self.draft.token
        if declaration_by_submission_key(key=key):
            return redirect("declarations:done")
        ip = client_ip(request)
        if (
            usage_peek(scope="declarations:captcha-fail", key=ip, window=CAPTCHA_FAILURE_LIMIT[1])
            >= CAPTCHA_FAILURE_LIMIT[0]
        ):
            raise RateLimited(CAPTCHA_FAILURE_LIMIT[1])
        lock = f"declarations:submitting:{key}"
        if not cache.add(lock, 1, timeout=30):
            # A second "Gửi" while the first is being processed: wait for it.
            return self.wait_for_first(key)
        try:
            rate_limit(
                scope="declarations:submit", key=ip, limit=SUBMIT_LIMIT[0], window=SUBMIT_LIMIT[1]
            )
            declarant_form, office_form = _draft_forms(self.draft)
            stale = self.stale_step(declarant_form, office_form)
            if stale:
                return stale
            form = ReviewForm(request.POST)
            if not form.is_valid():
                if form.has_error("captcha"):
                    usage_hit(
                        scope="declarations:captcha-fail",
                        key=ip,
                        limit=CAPTCHA_FAILURE_LIMIT[0],
                        window=CAPTCHA_FAILURE_LIMIT[1],
                    )
                return self.render_step(self.context(form, declarant_form, office_form), status=400)
            office = office_form.cleaned_data
            try:
                declaration = declaration_submit_from_draft(
                    draft=self.draft,
                    declarant=declarant_form.declarant(),
                    office=office["office"],
                    submission_mode=office["submission_mode"],
                    send_form_by_email=office["send_form_by_email"],
                    ip=client_ip(request),
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
                return self.render_step(self.context(form, declarant_form, office_form), status=400)
        finally:
            cache.delete(lock)
        request.session[SESSION_DONE] = declaration.reference_code
        request.session.pop(SESSION_DRAFT, None)
        return redirect("declarations:done")

    def wait_for_first(self, key: str):
        for _attempt in range(40):
            if declaration_by_submission_key(key=key):
                return redirect("declarations:done")
            time.sleep(0.25)
        messages.info(self.request, _("Tờ khai đang được gửi, vui lòng đợi trong giây lát."))
        return redirect("declarations:review")


@never_cache
def done(request):
    """The confirmation: reference code, next steps, the PDF link."""
    code = request.session.get(SESSION_DONE)
    declaration = declaration_by_code(code=code) if code else None
    if declaration is None:
        # A double click's second request arrives with the session from before.
        draft_token = request.session.get(SESSION_DRAFT)
        declaration = declaration_by_submission_key(key=draft_token)
        if declaration is None:
            return redirect("declarations:start")
        request.session[SESSION_DONE] = declaration.reference_code
        request.session.pop(SESSION_DRAFT, None)
    return render(
        request,
        "declarations/done.html",
        {
            "declaration": declaration,
            "download_path": documents.download_path(declaration=declaration),
        },
    )


@never_cache
def declaration_pdf(request, token: str):
    """The tờ khai as PDF, for a signed link (confirmation page, SMS, e-mail)."""
    code = documents.download_token_read(token)
    declaration = declaration_by_code(code=code) if code else None
    if declaration is None:
        return render(request, "declarations/link_expired.html", status=404)
    record_access_log(request=request, subject="declaration_pdf", declaration=declaration)
    response = HttpResponse(
        documents.declaration_pdf(declaration=declaration), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{documents.pdf_filename(declaration)}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
def declaration_image(request, code: str, slot: str):
    """A declaration's image for an administrator or a clerk of the receiving office."""
    if slot not in DeclarationUpload.Slot.values:
        raise Http404
    declaration = declaration_by_code(code=code)
    if (
        declaration is None
        or slot not in declaration.image_slots
        or not declaration_image_viewable(user=request.user, declaration=declaration)
    ):
        raise Http404
    record_access_log(request=request, subject=f"declaration_image:{slot}", declaration=declaration)
    return private_file_response(
        getattr(declaration, slot).open("rb"),
        filename=f"{declaration.reference_code}-{slot}.jpg",
        content_type="image/jpeg",
    )


@method_decorator(never_cache, name="dispatch")
class TrackView(View):
    """/dang-ky/tra-cuu/: code + phone → status, one message for every miss (ACL-02)."""

    template_name = "declarations/track.html"

    def get(self, request):
        # ?ma=<code>: the link in the SMS and e-mail fills the code in; the
        # phone number is still typed, so the link alone shows nothing.
        code = request.GET.get("ma", "")[:20]
        return render(
            request, self.template_name, {"form": TrackForm(initial={"reference_code": code})}
        )

    def post(self, request):
        rate_limit(
            scope="declarations:track",
            key=client_ip(request),
            limit=TRACK_LIMIT[0],
            window=TRACK_LIMIT[1],
        )
        form = TrackForm(request.POST)
        declaration = None
        if form.is_valid():
            declaration = declaration_track(
                code=form.cleaned_data["reference_code"], phone=form.cleaned_data["phone"]
            )
            if declaration is None:
                form.add_error(None, not_found_message())
        status = 200 if declaration else 400
        context = {"form": form, "declaration": declaration}
        if declaration is not None and declaration.status == Declaration.Status.RETURNED:
            # Code and phone proven: this browser may correct the current round.
            from .corrections import correction_grant
            from .lifecycle import correction_request_lines
            from .review import POLICY

            correction_grant(request, declaration=declaration)
            context["correction_lines"] = correction_request_lines(policy=POLICY, case=declaration)
        return render(request, self.template_name, context, status=status)


RESUME_RESEND_LIMIT = (5, 3600)


@method_decorator(never_cache, name="dispatch")
class ResumeView(View):
    """/dang-ky/tiep-tuc/<token>/ opens a saved draft at the step reached;
    /dang-ky/tiep-tuc/ (POST) sends the link again to the phone typed."""

    def get(self, request, token: str):
        draft = draft_from_resume_token(token)
        if draft is None:
            return render(
                request,
                "declarations/session_expired.html",
                {
                    "form": ResumeResendForm(),
                    "link_invalid": True,
                    "start_url": reverse("declarations:start"),
                },
                status=404,
            )
        request.session[SESSION_DRAFT] = draft.token
        request.session.cycle_key()
        names = [name for name, _label in STEPS]
        step = draft_first_incomplete_step(draft=draft, steps=names, image_slots=IMAGE_SLOTS)
        labels = dict(STEPS)
        messages.success(
            request,
            _("Đã mở lại tờ khai bạn đang điền. Tiếp tục từ bước {number}: {label}.").format(
                number=names.index(step) + 1, label=labels[step]
            ),
        )
        return redirect(STEP_URLS[step])

    def post(self, request, token: str | None = None):
        form = ResumeResendForm(request.POST)
        context = {"form": form, "start_url": reverse("declarations:start")}
        if not form.is_valid():
            return render(request, "declarations/session_expired.html", context, status=400)
        rate_limit(
            scope="declarations:resume",
            key=client_ip(request),
            limit=RESUME_RESEND_LIMIT[0],
            window=RESUME_RESEND_LIMIT[1],
        )
        draft_resume_resend(phone=form.cleaned_data["phone"])
        # The same answer whether or not the number has a draft.
        context["sent"] = True
        context["form"] = ResumeResendForm()
        return render(request, "declarations/session_expired.html", context)


def not_found_message() -> str:
    return _(
        "Không tìm thấy hồ sơ với mã hồ sơ và số điện thoại này. "
        "Vui lòng kiểm tra lại mã hồ sơ (trong tin nhắn SMS) và số điện thoại đã khai."
    )


__all__ = ["Declaration", "NON_FIELD_ERRORS"]
