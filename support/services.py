"""Write side of Hỏi đáp: questions sent, answered, published."""

import logging
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from lookup.models import Office
from notifications.services import message_queue

from .models import Question, QuestionEvent, Topic
from .selectors import question_visible_to_staff

logger = logging.getLogger(__name__)

# No 0/O, 1/I/L, 5/S, 2/Z: read out over the phone without confusion.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY346789"
CODE_RANDOM_LENGTH = 8  # 26**8 ≈ 2·10^11, and reading also needs the contact

# Tests replace this to record the answer notices.
message_queue_for_answer = message_queue


def reference_code_new() -> str:
    """E.g. ``HD-2026-K7QM-X94P``: year plus 8 random characters."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_RANDOM_LENGTH))
    return f"HD-{timezone.localdate().year}-{chars[:4]}-{chars[4:]}"


def reference_code_normalize(value: str) -> str:
    """What a citizen typed → the stored form (case, spaces and dashes forgiven)."""
    compact = "".join(ch for ch in value.upper() if ch.isalnum())
    if len(compact) != 2 + 4 + CODE_RANDOM_LENGTH or not compact.startswith("HD"):
        return ""
    return f"HD-{compact[2:6]}-{compact[6:10]}-{compact[10:]}"


def question_submit(
    *,
    name: str,
    phone: str,
    email: str,
    topic: Topic,
    text: str,
    office: Office | None = None,
    attachment: ContentFile | None = None,
) -> Question:
    """Record a citizen's question and return it with its reference code.

    ``attachment`` must already be cleaned (``vssid_portal.images.image_clean``).
    """
    if not phone and not email:
        raise ValidationError(_("Vui lòng nhập số điện thoại hoặc địa chỉ thư điện tử."))
    for _attempt in range(5):
        question = Question(
            reference_code=reference_code_new(),
            name=name,
            phone=phone,
            email=email,
            topic=topic,
            office=office,
            text=text,
        )
        try:
            with transaction.atomic():
                if attachment is not None:
                    question.attachment.save(attachment.name, attachment, save=False)
                question.save()
        except IntegrityError:
            # A reference code collision, astronomically rare: draw again.
            if question.attachment:
                question.attachment.delete(save=False)
            continue
        logger.info("support.question_submitted id=%s", question.pk)
        return question
    raise RuntimeError("could not draw a free reference code")


def _lock_for_staff(*, question_id: int, staff: User) -> Question:
    question = Question.objects.select_for_update().filter(pk=question_id).first()
    if question is None or not question_visible_to_staff(question=question, staff=staff):
        raise PermissionDenied
    return question


def _answer_url(question: Question) -> str:
    return f"{settings.SITE_URL}{reverse('support:answer-read')}?ma={question.reference_code}"


def _notify_answer(question: Question) -> None:
    """Queue the "your question was answered" SMS and/or e-mail (same transaction)."""
    context = {"reference_code": question.reference_code, "answer_url": _answer_url(question)}
    for channel, recipient in (("sms", question.phone), ("email", question.email)):
        if recipient:
            message_queue_for_answer(
                channel=channel,
                recipient=recipient,
                template="question_answered",
                context=context,
                about=question,
                idempotency_key=f"question-answered:{question.pk}:{channel}",
            )


@transaction.atomic
def question_answer(*, question_id: int, staff: User, answer: str) -> Question:
    """Answer a question (once), audit it and queue the notice to the sender."""
    answer = answer.strip()
    if not answer:
        raise ValidationError(_("Vui lòng nhập nội dung trả lời."), code="required")
    question = _lock_for_staff(question_id=question_id, staff=staff)
    if question.status == Question.Status.ANSWERED:  # a double click, or a colleague
        raise ValidationError(
            _("Câu hỏi này đã được trả lời. Tải lại trang để xem câu trả lời."),
            code="already_answered",
        )
    question.status = Question.Status.ANSWERED
    question.answer = answer
    question.answered_by = staff
    question.answered_at = timezone.now()
    question.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    QuestionEvent.objects.create(
        question=question, actor=staff, action=QuestionEvent.Action.ANSWERED
    )
    _notify_answer(question)
    logger.info("support.question_answered id=%s staff=%s", question.pk, staff.pk)
    return question


@transaction.atomic
def question_publish(
    *, question_id: int, staff: User, public_question: str, public_answer: str
) -> Question:
    """Show an answered question in the public list, with texts staff edited."""
    public_question, public_answer = public_question.strip(), public_answer.strip()
    if not public_question or not public_answer:
        raise ValidationError(
            _("Vui lòng nhập câu hỏi và câu trả lời công khai (đã bỏ thông tin cá nhân)."),
            code="required",
        )
    question = _lock_for_staff(question_id=question_id, staff=staff)
    if question.status != Question.Status.ANSWERED:
        raise ValidationError(_("Chỉ công khai được câu hỏi đã trả lời."), code="not_answered")
    question.public_question = public_question
    question.public_answer = public_answer
    question.is_published = True
    question.published_at = question.published_at or timezone.now()
    question.save(
        update_fields=["public_question", "public_answer", "is_published", "published_at"]
    )
    QuestionEvent.objects.create(
        question=question, actor=staff, action=QuestionEvent.Action.PUBLISHED
    )
    return question


@transaction.atomic
def question_unpublish(*, question_id: int, staff: User) -> Question:
    question = _lock_for_staff(question_id=question_id, staff=staff)
    if question.is_published:
        question.is_published = False
        question.save(update_fields=["is_published"])
        QuestionEvent.objects.create(
            question=question, actor=staff, action=QuestionEvent.Action.UNPUBLISHED
        )
    return question
