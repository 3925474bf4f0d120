"""Pages shared by every case type: the citizen's corrections ("Bổ sung").

``CaseCorrectionView`` shows every correctable field of a case, the ones a
clerk marked highlighted with the reason and editable, the others as sent,
and sends the corrections through ``lifecycle.case_resubmit``. A subclass
says which case and round the browser may correct, builds the form (only
the marked fields), and where the photos and the end page are.

``SessionPhotoDraft`` keeps new photos in a private draft while the citizen
fixes other errors, so nothing has to be chosen twice; it is bound to this
browser's session and to one scope (a case and its round, or a request
being filed).
"""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views import View

from vssid_portal.ratelimit import client_ip

from .lifecycle import CasePolicy, case_resubmit, correction_request_lines
from .selectors import draft_get, draft_uploads
from .services import draft_create, draft_delete, draft_images, draft_upload_store


class SessionPhotoDraft:
    """The draft holding this browser's new photos for one scope."""

    def __init__(self, request, *, key: str, scope: dict):
        self.request = request
        self.key = key
        self.scope = dict(scope)

    def get(self, *, create: bool = False):
        stored = self.request.session.get(self.key) or {}
        draft = None
        if all(stored.get(name) == value for name, value in self.scope.items()):
            draft = draft_get(token=stored.get("token"))
        if draft is None and create:
            draft = draft_create()
            self.request.session[self.key] = {**self.scope, "token": draft.token}
        return draft

    def uploads(self) -> dict:
        draft = self.get()
        return draft_uploads(draft=draft) if draft is not None else {}

    def store(self, photos: dict) -> None:
        """Keep the photos that passed their checks (name → cleaned file)."""
        photos = {name: image for name, image in photos.items() if image}
        if not photos:
            return
        draft = self.get(create=True)
        for name, image in photos.items():
            draft_upload_store(draft=draft, slot=name, image=image)

    def files(self, slots) -> dict:
        """The kept photos as files (a ValidationError if one is missing)."""
        slots = tuple(slots)
        if not slots:
            return {}
        draft = self.get()
        if draft is None:
            return {}
        return draft_images(draft=draft, slots=slots)

    def open(self, slot: str):
        upload = self.uploads().get(slot)
        return upload.file.open("rb") if upload is not None else None

    def clear(self) -> None:
        draft = self.get()
        if draft is not None:
            draft_delete(draft=draft)
        self.request.session.pop(self.key, None)


def errors_to_form(form, exc: ValidationError) -> None:
    """Put a service's errors next to the fields they name (else on top)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        form.add_error(None, exc)


class CaseCorrectionView(View):
    """ "Bổ sung hồ sơ": the marked fields of one round, new photos kept."""

    template_name = ""
    photo_session_key = ""
    policy: CasePolicy
    case = None
    round: int = 0

    # -- for the subclass ----------------------------------------------------------
    def build_form(self, *args, photo_kept: set[str]):
        """The correction form of ``self.case`` for the marked fields."""
        raise NotImplementedError

    def photo_url(self, name: str, *, new: bool) -> str:
        raise NotImplementedError

    def display_value(self, name: str, value) -> object:
        """How a field's value as sent is shown (the template may format it too)."""
        return value

    def page_context(self) -> dict:
        return {}

    def finished(self):
        """The answer once the corrections are sent (after the draft is removed)."""
        raise NotImplementedError

    def actor(self):
        return None

    # -- shared --------------------------------------------------------------------
    def setup_case(self, *, case, correction_round: int, policy: CasePolicy) -> None:
        self.case = case
        self.round = correction_round
        self.policy = policy
        self.lines = correction_request_lines(policy=policy, case=case)
        self.marked = {line.field: line for line in self.lines}

    def photo_draft(self) -> SessionPhotoDraft:
        return SessionPhotoDraft(
            self.request,
            key=self.photo_session_key,
            scope={"code": self.case.reference_code, "round": self.round},
        )

    def make_form(self, *args):
        return self.build_form(*args, photo_kept=set(self.photo_draft().uploads()))

    def rows(self, form, uploads: dict) -> list[dict]:
        """Every correctable field: the marked ones with their input, the others as sent."""
        rows = []
        for item in self.policy.correctables(self.case):
            line = self.marked.get(item.name)
            value = self.policy.value(self.case, item.name)
            rows.append(
                {
                    "item": item,
                    "line": line,
                    "field": form[item.name]
                    if line is not None and item.name in form.fields
                    else None,
                    "value": value,
                    "display": self.display_value(item.name, value),
                    "has_new_photo": item.name in uploads,
                    "new_photo_url": (
                        self.photo_url(item.name, new=True) if item.name in uploads else ""
                    ),
                    "photo_url": (
                        self.photo_url(item.name, new=False) if item.photo and value else ""
                    ),
                }
            )
        return rows

    def render_page(self, form, status: int = 200):
        uploads = self.photo_draft().uploads()
        return render(
            self.request,
            self.template_name,
            {
                "case": self.case,
                "form": form,
                "lines": self.lines,
                "rows": self.rows(form, uploads),
                **self.page_context(),
            },
            status=status,
        )

    def get(self, request, *args, **kwargs):
        return self.render_page(self.make_form())

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST, request.FILES)
        form.is_valid()
        photos = form.photos()
        drafts = self.photo_draft()
        drafts.store({name: image for name, image in photos.items() if name not in form.errors})
        if form.errors:
            return self.render_page(form, status=400)
        try:
            stored = drafts.files(photos)
            case_resubmit(
                policy=self.policy,
                case=self.case,
                correction_round=self.round,
                values=form.values(),
                photos=stored,
                ip=client_ip(request),
                actor=self.actor(),
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
            return self.render_page(form, status=400)
        drafts.clear()
        return self.finished()
