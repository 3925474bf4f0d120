"""Read side of Hỏi đáp. Public selectors only ever return published rows."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet

from accounts.models import User
from accounts.staff_access import is_clerk, office_scope
from vssid_portal.text import fold
from vssid_portal.validators import normalize_phone

from .models import FAQ, Article, Question, Topic


@dataclass
class TopicGroup:
    topic: Topic
    faqs: list[FAQ]


def _folded_terms(query: str) -> list[str]:
    return [term for term in fold(query).split() if term][:10]


def faq_list(*, query: str = "") -> list[TopicGroup]:
    """Published FAQs grouped by topic; ``query`` matches every word, diacritics ignored."""
    faqs = FAQ.objects.filter(published=True)
    for term in _folded_terms(query):
        faqs = faqs.filter(search_text__contains=term)
    topics = (
        Topic.objects.filter(faqs__in=faqs)
        .distinct()
        .prefetch_related(
            Prefetch("faqs", queryset=faqs.order_by("order", "pk"), to_attr="matching_faqs")
        )
    )
    return [TopicGroup(topic=topic, faqs=topic.matching_faqs) for topic in topics]


def faq_get_published(*, faq_id: int) -> FAQ | None:
    return FAQ.objects.select_related("topic").filter(pk=faq_id, published=True).first()


def published_questions(*, query: str = "", topic_slug: str = "") -> QuerySet[Question]:
    """Answered questions staff chose to publish, newest first — never the others."""
    questions = Question.objects.filter(is_published=True, status=Question.Status.ANSWERED)
    for term in _folded_terms(query):
        questions = questions.filter(search_text__contains=term)
    if topic_slug:
        questions = questions.filter(topic__slug=topic_slug)
    return questions.select_related("topic").order_by("-published_at", "-pk")


def published_question_get(*, question_id: int) -> Question | None:
    return published_questions().filter(pk=question_id).first()


def question_read(*, reference_code: str, contact: str) -> Question | None:
    """The question with this code, if ``contact`` is its phone or e-mail; else None.

    Wrong code and wrong contact give the same None, so the answer page
    cannot be used to find out which codes exist.
    """
    question = (
        Question.objects.select_related("topic").filter(reference_code=reference_code).first()
    )
    contact = contact.strip()
    if question is None or not contact:
        return None
    if "@" in contact:
        return (
            question if question.email and question.email.casefold() == contact.casefold() else None
        )
    try:
        phone = normalize_phone(contact)
    except ValidationError:  # a malformed number is just "no match"
        return None
    return question if question.phone and question.phone == phone else None


# STAFF -----------------------------------------------------------------------
def _staff_office_filter(staff: User) -> Q | None:
    """Which questions a staff user may see (their offices' and unassigned
    ones); None means all of them."""
    if staff.is_superuser:
        return None
    return Q(office__isnull=True) | office_scope(staff)


def staff_can_answer(*, staff: User) -> bool:
    return is_clerk(staff)


def questions_for_staff(
    *, staff: User, query: str = "", status: str = "", topic_slug: str = ""
) -> QuerySet[Question]:
    """Questions for the staff user's office (and unassigned ones), newest first."""
    questions = Question.objects.select_related("topic", "office")
    visible = _staff_office_filter(staff)
    if visible is not None:
        questions = questions.filter(visible)
    if status in Question.Status.values:
        questions = questions.filter(status=status)
    if topic_slug:
        questions = questions.filter(topic__slug=topic_slug)
    query = query.strip()
    if query:
        code = query.upper()
        questions = questions.filter(
            Q(reference_code__icontains=code) | Q(name__icontains=query) | Q(text__icontains=query)
        )
    return questions.order_by("-created_at", "-pk")


def question_visible_to_staff(*, question: Question, staff: User) -> bool:
    if not staff_can_answer(staff=staff):
        return False
    visible = _staff_office_filter(staff)
    return visible is None or Question.objects.filter(visible, pk=question.pk).exists()


def question_get_for_staff(*, question_id: int, staff: User) -> Question | None:
    question = (
        questions_for_staff(staff=staff)
        .select_related("answered_by")
        .prefetch_related("events__actor")
        .filter(pk=question_id)
        .first()
    )
    return question


# ARTICLES --------------------------------------------------------------------
def articles_published(*, kind: str) -> QuerySet[Article]:
    return Article.objects.filter(kind=kind, published=True).order_by("-published_at", "-pk")


def article_get_published(*, kind: str, slug: str) -> Article | None:
    return articles_published(kind=kind).filter(slug=slug).first()
