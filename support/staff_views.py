"""Staff pages under /can-bo/hoi-dap/: answer and publish citizens' questions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.staff_access import ClerkRequiredMixin

from . import selectors
from .forms import StaffAnswerForm, StaffPublishForm
from .models import Question, Topic
from .services import question_answer, question_publish, question_unpublish

PAGE_SIZE = 25


# Signed-in clerks (staff with an office) and administrators; others get 403.
StaffRequiredMixin = ClerkRequiredMixin


class StaffQuestionListView(StaffRequiredMixin, TemplateView):
    template_name = "support/staff/question_list.html"

    def get_context_data(self, **kwargs):
        params = self.request.GET
        query = params.get("q", "").strip()[:100]
        status = params.get("trang-thai", Question.Status.NEW)
        topic = params.get("chu-de", "")[:100]
        questions = selectors.questions_for_staff(
            staff=self.request.user, query=query, status=status, topic_slug=topic
        )
        page_obj = Paginator(questions, PAGE_SIZE).get_page(params.get("trang"))
        return super().get_context_data(
            page_obj=page_obj,
            query=query,
            status=status,
            topic=topic,
            statuses=Question.Status.choices,
            topics=Topic.objects.all(),
            **kwargs,
        )


class StaffQuestionDetailView(StaffRequiredMixin, TemplateView):
    """One question: read it, answer it, publish or unpublish it."""

    template_name = "support/staff/question_detail.html"

    def get_question(self) -> Question:
        question = selectors.question_get_for_staff(
            question_id=self.kwargs["pk"], staff=self.request.user
        )
        if question is None:
            raise Http404
        return question

    def get_context_data(self, **kwargs):
        question = kwargs.pop("question", None) or self.get_question()
        kwargs.setdefault("answer_form", StaffAnswerForm())
        kwargs.setdefault(
            "publish_form",
            StaffPublishForm(
                initial={
                    "public_question": question.public_question or question.text,
                    "public_answer": question.public_answer or question.answer,
                }
            ),
        )
        return super().get_context_data(question=question, **kwargs)

    def post(self, request, *args, **kwargs):
        question = self.get_question()
        action = request.POST.get("action")
        try:
            if action == "answer":
                form = StaffAnswerForm(request.POST)
                if not form.is_valid():
                    return self._again(question, answer_form=form)
                try:
                    question_answer(
                        question_id=question.pk,
                        staff=request.user,
                        answer=form.cleaned_data["answer"],
                    )
                except ValidationError as exc:
                    # Answered by a colleague meanwhile: show the page as it is now.
                    messages.error(request, " ".join(exc.messages))
                    return HttpResponseRedirect(request.path)
                messages.success(request, _("Đã gửi câu trả lời. Người hỏi sẽ được thông báo."))
            elif action == "publish":
                form = StaffPublishForm(request.POST)
                if not form.is_valid():
                    return self._again(question, publish_form=form)
                try:
                    question_publish(
                        question_id=question.pk,
                        staff=request.user,
                        public_question=form.cleaned_data["public_question"],
                        public_answer=form.cleaned_data["public_answer"],
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                    return self._again(question, publish_form=form)
                messages.success(request, _("Đã đăng công khai câu hỏi và câu trả lời."))
            elif action == "unpublish":
                question_unpublish(question_id=question.pk, staff=request.user)
                messages.success(request, _("Đã gỡ câu hỏi khỏi danh sách công khai."))
            else:
                return HttpResponseRedirect(request.path)
        except PermissionDenied:
            raise Http404 from None
        return HttpResponseRedirect(request.path)

    def _again(self, question: Question, **forms):
        # Read again: a colleague may have answered in the meantime.
        return self.render_to_response(self.get_context_data(**forms))


class StaffAttachmentView(StaffRequiredMixin, View):
    """The attachment of a question the staff user may see; private, never cached."""

    def get(self, request, *args, **kwargs):
        question = selectors.question_get_for_staff(
            question_id=self.kwargs["pk"], staff=request.user
        )
        if question is None or not question.attachment:
            raise Http404
        try:
            handle = question.attachment.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type="image/jpeg")
        response["Content-Disposition"] = f'inline; filename="{question.reference_code}.jpg"'
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
