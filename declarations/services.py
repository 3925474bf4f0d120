"""Writes for the registration: wizard drafts, the submission, the clean-up."""

import datetime as dt
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from insurance.models import Person
from lookup.models import Office
from vssid_portal.text import normalize_name

from . import documents
from .lifecycle import case_clock_start, case_submitted
from .models import Declaration, DeclarationDraft, DeclarationUpload
from .review import POLICY
from .selectors import (
    account_exists,
    declaration_by_submission_key,
    open_declaration_exists,
)

logger = logging.getLogger(__name__)

IMAGE_SLOTS = ("portrait", "id_front", "id_back")
DRAFT_MAX_AGE = dt.timedelta(hours=24)

REGISTRY_MISMATCH = _(
    "Họ tên, mã số BHXH hoặc ngày sinh không khớp với dữ liệu của cơ quan BHXH. "
    "Vui lòng kiểm tra lại theo sổ BHXH hoặc thẻ BHYT."
)
ACCOUNT_EXISTS = _(
    "Mã số BHXH này đã có tài khoản giao dịch điện tử, không cần đăng ký lại. "
    "Nếu không nhớ mật khẩu, hãy dùng chức năng “Quên mật khẩu”."
)
OPEN_DECLARATION_EXISTS = _(
    "Mã số BHXH này đã có một tờ khai đang chờ cơ quan BHXH xử lý. "
    "Vui lòng chờ kết quả; bạn có thể tra cứu tình trạng hồ sơ bằng mã hồ sơ và số điện thoại."
)


@dataclass(frozen=True)
class DeclarantData:
    """The citizen's part of the tờ khai, already cleaned by the form."""

    full_name: str
    insurance_number: str
    date_of_birth: dt.date
    id_number: str
    contact_address: str
    contact_person: str
    email: str
    phone: str


def registry_person_match(
    *, insurance_number: str, full_name: str, date_of_birth: dt.date
) -> Person:
    """The registry person with this mã số, name and birth date, or an error.

    An unknown number and a wrong name or birth date give the same message,
    so the form cannot be used to read the registry.
    """
    person = Person.objects.filter(insurance_number=insurance_number).first()
    if (
        person is None
        or normalize_name(person.full_name) != normalize_name(full_name)
        or person.date_of_birth != date_of_birth
    ):
        raise ValidationError(REGISTRY_MISMATCH, code="registry_mismatch")
    return person


def declarant_check(*, insurance_number: str, full_name: str, date_of_birth: dt.date) -> Person:
    """Apply the registration rules to who the citizen says they are.

    Returns the registry person, whose spelling of the name is the one kept.
    """
    person = registry_person_match(
        insurance_number=insurance_number, full_name=full_name, date_of_birth=date_of_birth
    )
    if account_exists(insurance_number=insurance_number):
        raise ValidationError(ACCOUNT_EXISTS, code="account_exists")
    if open_declaration_exists(insurance_number=insurance_number):
        raise ValidationError(OPEN_DECLARATION_EXISTS, code="open_declaration")
    return person


# DRAFTS -----------------------------------------------------------------------
def draft_create() -> DeclarationDraft:
    return DeclarationDraft.objects.create(token=secrets.token_urlsafe(32))


def draft_step_save(*, draft: DeclarationDraft, step: str, values: dict, complete: bool) -> None:
    """Keep what was typed in a step (even unfinished) and whether it passed."""
    data = dict(draft.data)
    data[step] = values
    done = set(data.get("complete", []))
    if complete:
        done.add(step)
    else:
        done.discard(step)
    data["complete"] = sorted(done)
    draft.data = data
    draft.save(update_fields=["data", "updated_at"])


def draft_upload_store(*, draft: DeclarationDraft, slot: str, image: File) -> DeclarationUpload:
    """Store a cleaned image for a slot, replacing (and removing) the previous one."""
    if slot not in DeclarationUpload.Slot.values:
        raise ValueError(slot)
    with transaction.atomic():
        previous = (
            DeclarationUpload.objects.select_for_update().filter(draft=draft, slot=slot).first()
        )
        old_name = previous.file.name if previous else None
        upload = previous or DeclarationUpload(draft=draft, slot=slot)
        upload.file.save(image.name, image, save=False)
        try:
            upload.save()
        except Exception:
            default_storage.delete(upload.file.name)
            raise
        if old_name:
            transaction.on_commit(partial(default_storage.delete, old_name))
        draft.save(update_fields=["updated_at"])
    return upload


def _files_delete(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # pragma: no cover - a later purge run retries nothing; log it
            logger.warning("declarations.file_delete_failed", extra={"file": name})


def draft_delete(*, draft: DeclarationDraft) -> None:
    """Delete a draft, its upload rows, and (after commit) their files."""
    names = [upload.file.name for upload in draft.uploads.all() if upload.file]
    draft.delete()
    transaction.on_commit(partial(_files_delete, names))


def _expired_drafts_q(*, max_age: dt.timedelta):
    """Untouched for ``max_age`` without a resume link, or past the link's validity."""
    now = timezone.now()
    return Q(resumable_until__isnull=True, updated_at__lt=now - max_age) | Q(
        resumable_until__lt=now
    )


def drafts_purge_abandoned(*, max_age: dt.timedelta = DRAFT_MAX_AGE) -> int:
    """Remove expired drafts and their files; return how many.

    A draft with a resume link lives until the link expires (7 days), even
    untouched; any other draft goes after ``max_age`` without a change.
    """
    expired = _expired_drafts_q(max_age=max_age)
    removed = 0
    for draft_id in DeclarationDraft.objects.filter(expired).values_list("pk", flat=True):
        with transaction.atomic():
            draft = (
                DeclarationDraft.objects.select_for_update(skip_locked=True)
                .filter(expired, pk=draft_id)
                .first()
            )
            if draft is None:
                continue
            draft_delete(draft=draft)
            removed += 1
    logger.info("declarations.drafts_purged", extra={"count": removed})
    return removed


# RESUMING THE WIZARD ------------------------------------------------------------
RESUME_MAX_AGE = dt.timedelta(days=7)
RESUME_SALT = "declarations.draft-resume"
# A draft's link is sent at most this many times (the first time, and when
# the citizen asks again from the "session expired" page).
RESUME_SENDS_PER_DRAFT = 3


def draft_resume_token(*, draft: DeclarationDraft) -> str:
    return signing.dumps(draft.token, salt=RESUME_SALT, compress=True)


def draft_resume_url(*, draft: DeclarationDraft) -> str:
    from django.urls import reverse

    return settings.SITE_URL + reverse(
        "declarations:resume", args=[draft_resume_token(draft=draft)]
    )


def draft_from_resume_token(token: str) -> DeclarationDraft | None:
    """The draft a resume link points to, while the link is valid."""
    try:
        draft_token = signing.loads(
            token, salt=RESUME_SALT, max_age=int(RESUME_MAX_AGE.total_seconds())
        )
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(draft_token, str):
        return None
    return DeclarationDraft.objects.filter(
        token=draft_token, resumable_until__gt=timezone.now()
    ).first()


@transaction.atomic
def draft_resume_offer(*, draft: DeclarationDraft, phone: str, email: str = "") -> bool:
    """Send the citizen a link back to this draft (SMS, and e-mail if typed).

    Sent once per draft and phone number (a later call for the same number
    returns False and sends nothing). The draft and its photos are then kept
    for ``RESUME_MAX_AGE`` from the sending, even if the tab is closed.
    """
    from notifications.services import message_queue

    locked = DeclarationDraft.objects.select_for_update().get(pk=draft.pk)
    if locked.resume_phone == phone or locked.resume_sent_count >= RESUME_SENDS_PER_DRAFT:
        return False
    return _draft_resume_send(draft=locked, phone=phone, email=email, queue=message_queue)


def _draft_resume_send(*, draft: DeclarationDraft, phone: str, email: str, queue) -> bool:
    draft.resume_phone = phone
    draft.resumable_until = timezone.now() + RESUME_MAX_AGE
    draft.resume_sent_count += 1
    draft.save(update_fields=["resume_phone", "resumable_until", "resume_sent_count"])
    context = {"resume_url": draft_resume_url(draft=draft), "days": RESUME_MAX_AGE.days}
    key = f"draft:{draft.pk}:resume:{draft.resume_sent_count}"
    queue(
        channel="sms",
        recipient=phone,
        template="declaration_resume",
        context=context,
        idempotency_key=f"{key}:sms",
        sensitive=("resume_url",),
    )
    if email:
        queue(
            channel="email",
            recipient=email,
            template="declaration_resume",
            context=context,
            idempotency_key=f"{key}:email",
            sensitive=("resume_url",),
        )
    logger.info("declarations.resume_link_sent", extra={"draft_id": draft.pk})
    return True


@transaction.atomic
def draft_resume_resend(*, phone: str) -> bool:
    """ "Gửi lại đường dẫn": the newest resumable draft of this phone, if any.

    The caller shows the same answer either way, so the form tells nobody
    whether a number has a draft.
    """
    from notifications.services import message_queue

    draft = (
        DeclarationDraft.objects.select_for_update()
        .filter(resume_phone=phone, resumable_until__gt=timezone.now())
        .order_by("-updated_at")
        .first()
    )
    if draft is None or draft.resume_sent_count >= RESUME_SENDS_PER_DRAFT:
        return False
    email = (draft.data.get("declarant") or {}).get("email", "").strip()
    try:
        validate_email(email)
    except ValidationError:
        email = ""  # typed but never valid: the SMS alone
    return _draft_resume_send(draft=draft, phone=phone, email=email, queue=message_queue)


def draft_keep_for_resume(*, draft: DeclarationDraft) -> None:
    """Keep a signed-in guardian's draft as long as a resume link would be."""
    draft.resumable_until = timezone.now() + RESUME_MAX_AGE
    draft.save(update_fields=["resumable_until"])


def draft_first_incomplete_step(*, draft: DeclarationDraft, steps: list[str], image_slots) -> str:
    """The step a resumed wizard opens on: the first one not done yet."""
    for step in steps:
        if step == "uploads":
            if not set(image_slots) <= set(draft.uploads.values_list("slot", flat=True)):
                return step
        elif step not in draft.data.get("complete", []):
            return step
    return steps[-1]


# SUBMISSION -------------------------------------------------------------------
def _notifications_queue(*, declaration: Declaration) -> None:
    """SMS with the code and the link; the PDF by e-mail if asked for."""
    from notifications.services import message_queue

    link = documents.download_url(declaration=declaration)
    context = {
        "reference_code": declaration.reference_code,
        "download_url": link,
        "office_name": declaration.office.name,
    }
    message_queue(
        channel="sms",
        recipient=declaration.phone,
        template="declaration_received",
        context=context,
        about=declaration,
        idempotency_key=f"declaration:{declaration.pk}:received:sms",
        sensitive=("download_url",),
    )
    if declaration.send_form_by_email and declaration.email:
        declaration_pdf_email_queue(
            declaration=declaration,
            email=declaration.email,
            template=(
                "child_declaration_form_email"
                if declaration.is_child_account
                else "declaration_form_email"
            ),
            idempotency_key=f"declaration:{declaration.pk}:form:email",
        )


def declaration_pdf_email_queue(
    *,
    declaration: Declaration,
    email: str,
    template: str = "declaration_form_copy",
    idempotency_key: str | None = None,
):
    """Queue the tờ khai as a PDF attachment to ``email`` (in the caller's transaction)."""
    from notifications.services import message_queue

    return message_queue(
        channel="email",
        recipient=email,
        template=template,
        context={
            "reference_code": declaration.reference_code,
            "download_url": documents.download_url(declaration=declaration),
            "office_name": declaration.office.name,
            "full_name": declaration.full_name,
            "contact_person": declaration.contact_person,
        },
        about=declaration,
        idempotency_key=idempotency_key,
        sensitive=("download_url",),
        attachments=[
            (
                documents.pdf_filename(declaration),
                documents.declaration_pdf(declaration=declaration),
                "application/pdf",
            )
        ],
    )


def declaration_store(
    *,
    build: Callable[[], Declaration],
    images: Mapping[str, File],
    submission_key: str,
    draft: DeclarationDraft | None = None,
    ip: str | None = None,
) -> Declaration:
    """Save a tờ khai, its images and its notifications in one transaction.

    ``build`` applies the registry rules and returns the unsaved
    declaration; it runs inside the transaction, after the draft's row lock.
    ``submission_key`` makes the call idempotent: a second call with the same
    key (a double click, a retried request) returns the first declaration.
    A failure anywhere leaves no row, no outbox message and no image file.
    When ``draft`` is given it is removed in the same transaction.
    """
    existing = declaration_by_submission_key(key=submission_key)
    if existing is not None:
        return existing
    written: list[str] = []
    try:
        with transaction.atomic():
            if draft is not None:
                # Serialises two "Gửi" of the same wizard on PostgreSQL.
                locked = DeclarationDraft.objects.select_for_update().filter(pk=draft.pk).first()
                if locked is None:
                    existing = declaration_by_submission_key(key=submission_key)
                    if existing is not None:
                        return existing
                    raise ValidationError(
                        _("Phiên đăng ký đã hết hạn. Vui lòng điền lại tờ khai."), code="expired"
                    )
            declaration = build()
            declaration.submission_key = submission_key
            if set(images) != set(declaration.image_slots):
                raise ValidationError(_("Vui lòng tải lên đủ các ảnh."), code="images_missing")
            for slot in declaration.image_slots:
                image = images[slot]
                image.seek(0)
                field = getattr(declaration, slot)
                field.save(image.name.rsplit("/", 1)[-1], image, save=False)
                written.append(field.name)
            POLICY.on_submit(declaration)
            case_clock_start(case=declaration)
            try:
                with transaction.atomic():
                    declaration.save()
            except IntegrityError:
                existing = declaration_by_submission_key(key=submission_key)
                if existing is None:
                    # The partial unique index: another open declaration won the race.
                    raise ValidationError(
                        OPEN_DECLARATION_EXISTS, code="open_declaration"
                    ) from None
                _files_delete(written)
                written.clear()
                return existing
            case_submitted(policy=POLICY, case=declaration, ip=ip)
            _notifications_queue(declaration=declaration)
            if draft is not None:
                draft_delete(draft=draft)
    except BaseException:
        _files_delete(written)
        raise
    logger.info(
        "declarations.submitted",
        extra={
            "declaration_id": declaration.pk,
            "office": declaration.office.code,
            "kind": declaration.kind,
        },
    )
    return declaration


def declaration_submit(
    *,
    declarant: DeclarantData,
    office: Office,
    submission_mode: str,
    send_form_by_email: bool,
    images: Mapping[str, File],
    submission_key: str,
    draft: DeclarationDraft | None = None,
    ip: str | None = None,
) -> Declaration:
    """Submit a citizen's own tờ khai (see ``declaration_store``)."""
    existing = declaration_by_submission_key(key=submission_key)
    if existing is not None:
        return existing
    if set(images) != set(IMAGE_SLOTS):
        raise ValidationError(_("Vui lòng tải lên đủ ba ảnh."), code="images_missing")
    if send_form_by_email and not declarant.email:
        raise ValidationError(
            {"send_form_by_email": _("Vui lòng nhập địa chỉ thư điện tử để nhận tờ khai.")},
            code="email_missing",
        )

    def build() -> Declaration:
        person = declarant_check(
            insurance_number=declarant.insurance_number,
            full_name=declarant.full_name,
            date_of_birth=declarant.date_of_birth,
        )
        return Declaration(
            kind=Declaration.Kind.OWN_ACCOUNT,
            full_name=person.full_name,
            insurance_number=declarant.insurance_number,
            date_of_birth=declarant.date_of_birth,
            id_number=declarant.id_number,
            contact_address=declarant.contact_address,
            contact_person=declarant.contact_person,
            email=declarant.email,
            phone=declarant.phone,
            office=office,
            submission_mode=submission_mode,
            send_form_by_email=send_form_by_email,
        )

    return declaration_store(
        build=build, images=images, submission_key=submission_key, draft=draft, ip=ip
    )


def draft_images(*, draft: DeclarationDraft, slots: tuple[str, ...]) -> dict[str, File]:
    """The draft's cleaned uploads as files, or a ValidationError if one is missing."""
    uploads = {upload.slot: upload for upload in draft.uploads.all() if upload.slot in slots}
    if set(uploads) != set(slots):
        raise ValidationError(_("Vui lòng tải lên đủ các ảnh."), code="images_missing")
    images = {}
    for slot, upload in uploads.items():
        with upload.file.open("rb") as handle:
            images[slot] = ContentFile(handle.read(), name=upload.file.name.rsplit("/", 1)[-1])
    return images


def declaration_submit_from_draft(
    *,
    draft: DeclarationDraft,
    declarant: DeclarantData,
    office: Office,
    submission_mode: str,
    send_form_by_email: bool,
    ip: str | None = None,
) -> Declaration:
    """Submit the wizard: images come from the draft's uploads."""
    existing = declaration_by_submission_key(key=draft.token)
    if existing is not None:
        return existing
    if set(draft.uploads.values_list("slot", flat=True)) & set(IMAGE_SLOTS) != set(IMAGE_SLOTS):
        raise ValidationError(_("Vui lòng tải lên đủ ba ảnh."), code="images_missing")
    images = draft_images(draft=draft, slots=IMAGE_SLOTS)
    return declaration_submit(
        declarant=declarant,
        office=office,
        submission_mode=submission_mode,
        send_form_by_email=send_form_by_email,
        images=images,
        submission_key=draft.token,
        draft=draft,
        ip=ip,
    )


# SENDING A SUBMITTED TỜ KHAI -------------------------------------------------------
# Per account and per client IP: a citizen mails a few copies (to a
# relative, to print at a shop), a script cannot turn the portal into a
# mailer with our attachment.
EMAIL_COPY_LIMITS = {"user": (5, 3600), "ip": (20, 3600)}


def declaration_email_send(*, declaration: Declaration, email: str, actor, ip: str) -> None:
    """E-mail the tờ khai as PDF to ``email``; raises ``RateLimited`` past the limits."""
    from vssid_portal.ratelimit import rate_limit

    for scope, key in (("user", str(actor.pk)), ("ip", ip)):
        limit, window = EMAIL_COPY_LIMITS[scope]
        rate_limit(scope=f"declarations:email:{scope}", key=key, limit=limit, window=window)
    with transaction.atomic():
        declaration_pdf_email_queue(declaration=declaration, email=email)
    logger.info("declarations.emailed", extra={"declaration_id": declaration.pk, "actor": actor.pk})
