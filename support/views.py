"""Public Hỏi đáp pages: FAQ, questions, answers, news and policies, assistant."""

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from vssid_portal.ratelimit import RateLimited, client_ip, rate_limit

from . import selectors
from .assistant import assistant_answer
from .forms import AnswerReadForm, AssistantForm, QuestionForm
from .models import Article, Topic
from .services import question_submit, reference_code_normalize

PAGE_SIZE = 20
SESSION_LAST_CODE = "support_last_code"


def _page(request, items):
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("trang"))


class FAQListView(TemplateView):
    """ "Câu hỏi thường gặp", grouped by topic, searchable without diacritics."""

    template_name = "support/faq_list.html"
    extra_context = {"help_section": "faq"}

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "").strip()[:200]
        return super().get_context_data(
            query=query, groups=selectors.faq_list(query=query), **kwargs
        )


class FAQDetailView(TemplateView):
    template_name = "support/faq_detail.html"
    extra_context = {"help_section": "faq"}

    def get_context_data(self, **kwargs):
        faq = selectors.faq_get_published(faq_id=self.kwargs["pk"])
        if faq is None:
            raise Http404
        return super().get_context_data(faq=faq, **kwargs)


class QuestionCreateView(FormView):
    """ "Gửi câu hỏi, phản ánh, kiến nghị"."""

    template_name = "support/question_form.html"
    extra_context = {"help_section": "ask"}
    form_class = QuestionForm
    success_url = reverse_lazy("support:question-sent")

    def post(self, request, *args, **kwargs):
        # Counted before the captcha is checked: guessing captchas costs too.
        rate_limit(scope="support-question", key=client_ip(request), limit=5, window=3600)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        question = question_submit(
            name=data["name"],
            phone=data["phone"],
            email=data["email"],
            topic=data["topic"],
            office=data["office"],
            text=data["text"],
            attachment=data["attachment"],
        )
        self.request.session[SESSION_LAST_CODE] = question.reference_code
        return super().form_valid(form)


class QuestionSentView(TemplateView):
    template_name = "support/question_sent.html"
    extra_context = {"help_section": "ask"}

    def get(self, request, *args, **kwargs):
        code = request.session.get(SESSION_LAST_CODE)
        if not code:
            return HttpResponseRedirect(reverse("support:question-create"))
        return self.render_to_response(self.get_context_data(code=code))


class AnswerReadView(FormView):
    """The sender reads the answer with the code and the phone or e-mail given."""

    template_name = "support/answer_read.html"
    extra_context = {"help_section": "read"}
    form_class = AnswerReadForm

    def get_initial(self):
        return {"code": self.request.GET.get("ma", "")[:32]}

    def post(self, request, *args, **kwargs):
        rate_limit(scope="support-answer-read", key=client_ip(request), limit=10, window=600)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        question = selectors.question_read(
            reference_code=reference_code_normalize(form.cleaned_data["code"]),
            contact=form.cleaned_data["contact"],
        )
        if question is None:
            form.add_error(
                None,
                _(
                    "Không tìm thấy câu hỏi với mã và thông tin liên hệ này. "
                    "Vui lòng kiểm tra lại mã câu hỏi và số điện thoại hoặc thư điện tử đã khai."
                ),
            )
            return self.form_invalid(form)
        return self.render_to_response(self.get_context_data(form=form, question=question))


class PublishedListView(TemplateView):
    """Answered questions that staff published, personal data removed."""

    template_name = "support/published_list.html"
    extra_context = {"help_section": "published"}

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "").strip()[:200]
        topic = self.request.GET.get("chu-de", "")[:100]
        questions = selectors.published_questions(query=query, topic_slug=topic)
        return super().get_context_data(
            query=query,
            topic=topic,
            topics=Topic.objects.all(),
            page_obj=_page(self.request, questions),
            **kwargs,
        )


class PublishedDetailView(TemplateView):
    template_name = "support/published_detail.html"
    extra_context = {"help_section": "published"}

    def get_context_data(self, **kwargs):
        question = selectors.published_question_get(question_id=self.kwargs["pk"])
        if question is None:
            raise Http404
        return super().get_context_data(question=question, **kwargs)


ARTICLE_PAGES = {
    Article.Kind.NEWS: {
        "title": gettext_lazy("Tin tức"),
        "list": "support:news",
        "detail": "support:news-detail",
    },
    Article.Kind.POLICY: {
        "title": gettext_lazy("Chính sách"),
        "list": "support:policies",
        "detail": "support:policy-detail",
    },
}


class ArticleListView(TemplateView):
    template_name = "support/article_list.html"
    kind = Article.Kind.NEWS

    def get_context_data(self, **kwargs):
        articles = selectors.articles_published(kind=self.kind)
        return super().get_context_data(
            kind=self.kind,
            help_section=self.kind,
            section=ARTICLE_PAGES[self.kind],
            page_obj=_page(self.request, articles),
            **kwargs,
        )


class ArticleDetailView(TemplateView):
    template_name = "support/article_detail.html"
    kind = Article.Kind.NEWS

    def get_context_data(self, **kwargs):
        article = selectors.article_get_published(kind=self.kind, slug=self.kwargs["slug"])
        if article is None:
            raise Http404
        return super().get_context_data(
            article=article, help_section=self.kind, section=ARTICLE_PAGES[self.kind], **kwargs
        )


class NewsFeed(Feed):
    """Atom feed of published news."""

    feed_type = Atom1Feed
    title = gettext_lazy("VssID Portal — Tin tức")
    subtitle = gettext_lazy("Tin tức về BHXH, BHYT và cổng giao dịch điện tử.")

    def link(self):
        return reverse("support:news")

    def items(self):
        return selectors.articles_published(kind=Article.Kind.NEWS)[:20]

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.summary

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        return item.updated_at


class AssistantView(FormView):
    """ "Trợ lý hỏi đáp": a plain form POST; static/support/assistant.js enhances it."""

    template_name = "support/assistant.html"
    extra_context = {"help_section": "assistant"}
    form_class = AssistantForm

    def post(self, request, *args, **kwargs):
        rate_limit(scope="support-assistant", key=client_ip(request), limit=30, window=60)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        reply = assistant_answer(question=form.cleaned_data["q"])
        # A fresh, empty box for the next question.
        return self.render_to_response(self.get_context_data(form=AssistantForm(), reply=reply))


class AssistantApiView(View):
    """POST {q} → JSON reply; the same answer as the form, for assistant.js."""

    def post(self, request, *args, **kwargs):
        try:
            rate_limit(scope="support-assistant", key=client_ip(request), limit=30, window=60)
        except RateLimited as exc:
            response = JsonResponse(
                {
                    "detail": _(
                        "Bạn đã hỏi quá nhiều lần. Vui lòng thử lại sau {seconds} giây."
                    ).format(seconds=exc.retry_after)
                },
                status=429,
            )
            response["Retry-After"] = str(exc.retry_after)
            return response
        form = AssistantForm(request.POST)
        if not form.is_valid():
            return JsonResponse(
                {name: list(errors) for name, errors in form.errors.items()}, status=400
            )
        reply = assistant_answer(question=form.cleaned_data["q"])
        return JsonResponse(reply.as_json())
