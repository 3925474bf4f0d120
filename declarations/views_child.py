"""/ca-nhan/dang-ky-cho-con/: a signed-in guardian files a tờ khai for a child.

The steps reuse the registration wizard (``WizardStepView`` and its upload
and office steps) with their own list of steps, draft and session keys;
the draft belongs to the guardian who started it.
"""

import time

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache

from accounts.selectors import account_sms_phone
from insurance.access import CitizenRequiredMixin
from vssid_portal.ratelimit import client_ip, rate_limit

from . import documents
from .children import (
    CHILD_IMAGE_SLOTS,
    child_declaration_submit_from_draft,
    child_office_suggestion,
)
from .forms import ChildForm, ChildOfficeForm, ChildUploadsForm, QrForm
from .models import DeclarationUpload
from .selectors import (
    declaration_by_code,
    declaration_by_submission_key,
    draft_get,
    draft_of_guardian,
)
from .services import draft_keep_for_resume, draft_step_save
from .views import (
    REGISTRY_CHECK_LIMIT,
    SUBMIT_LIMIT,
    OfficeView,
    UploadPreviewView,
    UploadsView,
    WizardStepView,
    _raw,
)

SESSION_CHILD_DRAFT = "declarations.child_draft"
SESSION_CHILD_DONE = "declarations.child_done"

CHILD_STEPS = [
    ("child", gettext_lazy("Thông tin của con")),
    ("uploads", gettext_lazy("Ảnh")),
    ("office", gettext_lazy("Nơi nộp")),
    ("review", gettext_lazy("Xem lại và gửi")),
]
CHILD_STEP_URLS = {
    "child": "citizen_declarations:child-start",
    "uploads": "citizen_declarations:child-uploads",
    "office": "citizen_declarations:child-office",
    "review": "citizen_declarations:child-review",
}


class ChildWizardMixin(CitizenRequiredMixin):
    """A signed-in citizen's child wizard; the draft must be theirs."""

    steps = CHILD_STEPS
    step_urls = CHILD_STEP_URLS
    session_key = SESSION_CHILD_DRAFT
    session_done_key = SESSION_CHILD_DONE
    done_url = "citizen_declarations:child-done"
    image_slots = CHILD_IMAGE_SLOTS
    title = gettext_lazy("Đăng ký tài khoản cho con")
    expired_template = None  # signed in: the guardian's own draft is found again

    def draft_for(self, token):
        draft = draft_get(token=token)
        if draft is not None and draft.data.get("guardian") != self.request.user.pk:
            return None
        if draft is None:
            # A new session (signed out, expired): the guardian's unfinished
            # child wizard comes back at the step reached.
            draft = draft_of_guardian(guardian=self.request.user)
            if draft is not None:
                self.request.session[self.session_key] = draft.token
        return draft

    def draft_start(self):
        draft = super().draft_start()
        draft_step_save(draft=draft, step="guardian", values=self.request.user.pk, complete=False)
        draft_keep_for_resume(draft=draft)
        return draft

    def child_values(self) -> dict:
        return self.draft.data.get("child", {}) if self.draft else {}


class ChildStepView(ChildWizardMixin, WizardStepView):
    """Step 1: the child's mã số BHXH and name, typed or from the BHYT card's QR."""

    step = "child"
    template_name = "declarations/child_step_child.html"

    def get(self, request):
        return self.render_step(
            {"form": ChildForm(initial=self.child_values()), "qr_form": QrForm()}
        )

    def post(self, request):
        if self.draft is None:
            self.draft_start()
        if request.POST.get("action") == "qr":
            return self.autofill(request)
        rate_limit(
            scope="declarations:registry",
            key=client_ip(request),
            limit=REGISTRY_CHECK_LIMIT[0],
            window=REGISTRY_CHECK_LIMIT[1],
        )
        raw = _raw(request, ChildForm)
        form = ChildForm(request.POST, guardian=request.user)
        valid = form.is_valid()
        if valid:
            raw = {**raw, **form.cleaned_data}
        draft_step_save(draft=self.draft, step="child", values=raw, complete=valid)
        if not valid:
            return self.render_step({"form": form, "qr_form": QrForm()}, status=400)
        if not self.draft.data.get("office"):
            office = child_office_suggestion(person=form.person)
            if office is not None:
                province = office.parent if office.parent_id else office
                draft_step_save(
                    draft=self.draft,
                    step="office",
                    values={"province": province.code, "office": office.code, "suggested": True},
                    complete=False,
                )
        return redirect(self.step_url(+1))

    def autofill(self, request):
        qr_form = QrForm(request.POST, request.FILES)
        if not qr_form.is_valid():
            form = ChildForm(initial=self.child_values())
            return self.render_step({"form": form, "qr_form": qr_form, "qr_open": True}, 400)
        initial = qr_form.cleaned_data["result"].initial()
        values = {
            **self.child_values(),
            **{k: initial[k] for k in ("insurance_number", "full_name") if initial.get(k)},
        }
        draft_step_save(draft=self.draft, step="child", values=values, complete=False)
        messages.success(
            request,
            _("Đã điền thông tin từ mã QR. Vui lòng kiểm tra lại rồi bấm “Tiếp tục”."),
        )
        return redirect(self.step_urls["child"])


class ChildUploadsView(ChildWizardMixin, UploadsView):
    """Step 2: the child's portrait and the birth certificate."""

    form_class = ChildUploadsForm
    preview_url_name = "citizen_declarations:child-upload-preview"


class ChildUploadPreviewView(CitizenRequiredMixin, UploadPreviewView):
    session_key = SESSION_CHILD_DRAFT
    image_slots = CHILD_IMAGE_SLOTS


class ChildOfficeView(ChildWizardMixin, OfficeView):
    """Step 3: the receiving office, suggested from the child's BHYT card."""

    def make_form(self, *args, **kwargs):
        return ChildOfficeForm(*args, **kwargs)

    def render_step(self, context: dict, status: int = 200):
        office = self.draft.data.get("office", {})
        if office.get("suggested") and "form" in context:
            form = context["form"]
            chosen = form.fields["office"].queryset.filter(code=office.get("office")).first()
            context["suggested_office"] = chosen
        return super().render_step(context, status)


def _child_summary(view) -> dict | None:
    """The draft re-validated: what will really be sent, or None if a step went stale."""
    child_form = ChildForm(view.child_values(), guardian=view.request.user)
    if not child_form.is_valid():
        draft_step_save(draft=view.draft, step="child", values=view.child_values(), complete=False)
        for error in child_form.non_field_errors():
            messages.error(view.request, error)
        return None
    office_form = ChildOfficeForm(
        {k: v for k, v in view.draft.data.get("office", {}).items() if k != "suggested"}
    )
    if not office_form.is_valid():
        messages.error(view.request, _("Vui lòng chọn lại cơ quan BHXH tiếp nhận."))
        return None
    return {
        "child": child_form.cleaned_data,
        "child_person": child_form.person,
        "child_form": child_form,
        "office": office_form.cleaned_data,
        "office_form": office_form,
    }


class ChildReviewView(ChildWizardMixin, WizardStepView):
    """Step 4: everything once more; "Quay lại" to edit, "Gửi" to go on to the commitment."""

    step = "review"
    template_name = "declarations/child_step_review.html"
    commit = False

    def context(self, summary: dict) -> dict:
        user = self.request.user
        return {
            **summary,
            "guardian": user,
            "guardian_person": self.person,
            "guardian_phone": account_sms_phone(user=user),
            "uploads": [
                {
                    "label": label,
                    "url": reverse("citizen_declarations:child-upload-preview", args=[slot]),
                }
                for slot, label in DeclarationUpload.Slot.choices
                if slot in CHILD_IMAGE_SLOTS
            ],
            "commit": self.commit,
        }

    def get(self, request):
        summary = _child_summary(self)
        if summary is None:
            return redirect(self.step_urls["child"])
        return self.render_step(self.context(summary))

    def post(self, request):
        action = request.POST.get("action", "continue")
        if action == "back":
            return redirect(self.step_url(-1))
        return redirect("citizen_declarations:child-commit")


class ChildCommitView(ChildReviewView):
    """After "Gửi": the commitment; "Đồng ý" files the tờ khai (once, however often clicked)."""

    template_name = "declarations/child_commit.html"
    commit = True

    def post(self, request):
        action = request.POST.get("action", "agree")
        if action == "back":
            return redirect(self.step_urls["review"])
        key = self.draft.token
        if declaration_by_submission_key(key=key):
            return redirect(self.done_url)
        lock = f"declarations:submitting:{key}"
        if not cache.add(lock, 1, timeout=30):
            return self.wait_for_first(key)
        try:
            rate_limit(
                scope="declarations:submit",
                key=client_ip(request),
                limit=SUBMIT_LIMIT[0],
                window=SUBMIT_LIMIT[1],
            )
            summary = _child_summary(self)
            if summary is None:
                return redirect(self.step_urls["child"])
            try:
                declaration = child_declaration_submit_from_draft(
                    draft=self.draft,
                    guardian=request.user,
                    insurance_number=summary["child"]["insurance_number"],
                    full_name=summary["child"]["full_name"],
                    office=summary["office"]["office"],
                    mode=summary["office"]["submission_mode"],
                    ip=client_ip(request),
                )
            except ValidationError as exc:
                context = self.context(summary)
                context["errors"] = exc.messages
                return self.render_step(context, status=400)
        finally:
            cache.delete(lock)
        request.session[SESSION_CHILD_DONE] = declaration.reference_code
        request.session.pop(SESSION_CHILD_DRAFT, None)
        return redirect(self.done_url)

    def wait_for_first(self, key: str):
        for _attempt in range(40):
            if declaration_by_submission_key(key=key):
                return redirect(self.done_url)
            time.sleep(0.25)
        messages.info(self.request, _("Tờ khai đang được gửi, vui lòng đợi trong giây lát."))
        return redirect("citizen_declarations:child-commit")


@method_decorator(never_cache, name="dispatch")
class ChildDoneView(CitizenRequiredMixin, View):
    """The confirmation: reference code, "Xem tờ khai", what happens next."""

    def get(self, request):
        code = request.session.get(SESSION_CHILD_DONE)
        declaration = declaration_by_code(code=code) if code else None
        if declaration is None:
            draft_token = request.session.get(SESSION_CHILD_DRAFT)
            declaration = declaration_by_submission_key(key=draft_token)
        if declaration is None or declaration.guardian_id != request.user.pk:
            return redirect(CHILD_STEP_URLS["child"])
        request.session[SESSION_CHILD_DONE] = declaration.reference_code
        request.session.pop(SESSION_CHILD_DRAFT, None)
        return render(
            request,
            "declarations/child_done.html",
            {
                "declaration": declaration,
                "download_path": documents.download_path(declaration=declaration),
            },
        )
