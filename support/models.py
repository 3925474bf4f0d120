from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vssid_portal.text import fold


def _with_search_field(kwargs: dict, *fields: str) -> dict:
    if kwargs.get("update_fields") is not None:
        kwargs["update_fields"] = {*kwargs["update_fields"], *fields}
    return kwargs


class Topic(models.Model):
    """A group of FAQs and of the citizens' questions ("Tài khoản", "Thẻ BHYT")."""

    name = models.CharField(_("tên chủ đề"), max_length=100, unique=True)
    slug = models.SlugField(_("đường dẫn"), max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("chủ đề")
        verbose_name_plural = _("chủ đề")

    def __str__(self) -> str:
        return self.name


class FAQ(models.Model):
    """A frequently asked question ("Câu hỏi thường gặp") with its answer."""

    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, related_name="faqs", verbose_name=_("chủ đề")
    )
    question = models.CharField(_("câu hỏi"), max_length=255)
    answer = models.TextField(
        _("trả lời"), help_text=_("Văn bản thuần; để một dòng trống giữa các đoạn.")
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    published = models.BooleanField(_("hiển thị"), default=True)
    search_text = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        ordering = ["topic__order", "order", "pk"]
        verbose_name = _("câu hỏi thường gặp")
        verbose_name_plural = _("câu hỏi thường gặp")

    def __str__(self) -> str:
        return self.question

    def save(self, *args, **kwargs):
        self.search_text = fold(f"{self.question} {self.answer}")
        super().save(*args, **_with_search_field(kwargs, "search_text"))

    def get_absolute_url(self) -> str:
        return reverse("support:faq-detail", args=[self.pk])


class Question(models.Model):
    """A question, feedback or request ("câu hỏi, phản ánh, kiến nghị") from anyone.

    The sender reads the answer with the reference code and the phone or
    e-mail given. Staff may publish it: the public text is a copy that they
    edit to remove personal data; the original is never shown publicly.
    """

    class Status(models.TextChoices):
        NEW = "new", _("Chờ trả lời")
        ANSWERED = "answered", _("Đã trả lời")

    reference_code = models.CharField(_("mã câu hỏi"), max_length=24, unique=True)
    name = models.CharField(_("họ và tên"), max_length=150)
    phone = models.CharField(_("điện thoại di động"), max_length=16, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    topic = models.ForeignKey(
        Topic,
        on_delete=models.PROTECT,
        related_name="questions",
        verbose_name=_("chủ đề"),
    )
    office = models.ForeignKey(
        "lookup.Office",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("cơ quan BHXH"),
        help_text=_("Để trống: mọi cán bộ đều thấy câu hỏi."),
    )
    text = models.TextField(_("nội dung"))
    attachment = models.FileField(
        _("ảnh đính kèm"), upload_to="support/questions/%Y/%m/", blank=True
    )
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=Status, default=Status.NEW, db_index=True
    )
    answer = models.TextField(_("trả lời"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cán bộ trả lời"),
    )
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)
    is_published = models.BooleanField(_("công khai"), default=False, db_index=True)
    public_question = models.TextField(_("câu hỏi công khai"), blank=True)
    public_answer = models.TextField(_("trả lời công khai"), blank=True)
    published_at = models.DateTimeField(_("công khai lúc"), null=True, blank=True)
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("câu hỏi của người dân")
        verbose_name_plural = _("câu hỏi của người dân")
        constraints = [
            models.CheckConstraint(
                condition=~Q(phone="") | ~Q(email=""), name="question_has_contact"
            ),
            models.CheckConstraint(
                condition=Q(status="new")
                | (~Q(answer="") & Q(answered_at__isnull=False) & Q(answered_by__isnull=False)),
                name="question_answered_has_answer",
            ),
            models.CheckConstraint(
                condition=Q(is_published=False)
                | (
                    Q(status="answered")
                    & ~Q(public_question="")
                    & ~Q(public_answer="")
                    & Q(published_at__isnull=False)
                ),
                name="question_published_is_answered",
            ),
        ]

    def __str__(self) -> str:
        return self.reference_code

    def save(self, *args, **kwargs):
        # Only the public texts are searched (by the public list and the
        # assistant); the sender's own words never are.
        self.search_text = fold(f"{self.public_question} {self.public_answer}")
        super().save(*args, **_with_search_field(kwargs, "search_text", "updated_at"))

    def get_absolute_url(self) -> str:
        return reverse("support:published-detail", args=[self.pk])


class QuestionEvent(models.Model):
    """Audit trail of what staff did with a question: who, what, when."""

    class Action(models.TextChoices):
        ANSWERED = "answered", _("Trả lời")
        PUBLISHED = "published", _("Công khai")
        UNPUBLISHED = "unpublished", _("Gỡ công khai")

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="events", verbose_name=_("câu hỏi")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cán bộ"),
    )
    action = models.CharField(_("thao tác"), max_length=16, choices=Action)
    at = models.DateTimeField(_("lúc"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("nhật ký câu hỏi")
        verbose_name_plural = _("nhật ký câu hỏi")

    def __str__(self) -> str:
        return f"{self.question} {self.action} {self.actor}"


class Article(models.Model):
    """A news item ("Tin tức") or a policy explainer ("Chính sách").

    The body is plain text: paragraphs separated by blank lines. It is
    escaped when shown, so nothing typed in admin can inject HTML.
    """

    class Kind(models.TextChoices):
        NEWS = "news", _("Tin tức")
        POLICY = "policy", _("Chính sách")

    kind = models.CharField(_("loại"), max_length=8, choices=Kind, default=Kind.NEWS)
    title = models.CharField(_("tiêu đề"), max_length=200)
    slug = models.SlugField(_("đường dẫn"), max_length=200, unique=True)
    summary = models.CharField(_("tóm tắt"), max_length=300)
    body = models.TextField(
        _("nội dung"),
        help_text=_("Văn bản thuần, không dùng HTML; để một dòng trống giữa các đoạn."),
    )
    published = models.BooleanField(_("đã xuất bản"), default=False)
    published_at = models.DateTimeField(_("ngày xuất bản"), null=True, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("bài viết")
        verbose_name_plural = _("tin tức và chính sách")
        constraints = [
            models.CheckConstraint(
                condition=Q(published=False) | Q(published_at__isnull=False),
                name="article_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        name = "support:news-detail" if self.kind == self.Kind.NEWS else "support:policy-detail"
        return reverse(name, args=[self.slug])
