from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import FAQ, Article, Question, QuestionEvent, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


class FAQAdminForm(forms.ModelForm):
    class Meta:
        model = FAQ
        fields = ["topic", "question", "answer", "order", "published"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 12, "cols": 80})}


@admin.register(FAQ)
class FAQAdmin(admin.ModelAdmin):
    form = FAQAdminForm
    list_display = ["question", "topic", "order", "published", "updated_at"]
    list_filter = ["published", "topic"]
    list_editable = ["order", "published"]
    search_fields = ["question", "answer", "search_text"]
    ordering = ["topic__order", "order", "pk"]

    def get_search_results(self, request, queryset, search_term):
        # Diacritics-insensitive: "mat khau" finds "mật khẩu".
        from vssid_portal.text import fold

        return super().get_search_results(request, queryset, fold(search_term))


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = ["kind", "title", "slug", "summary", "body", "published", "published_at"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2, "cols": 80}),
            "body": forms.Textarea(attrs={"rows": 20, "cols": 80}),
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("published") and not cleaned.get("published_at"):
            self.add_error("published_at", _("Bài đã xuất bản cần có ngày xuất bản."))
        return cleaned


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ["title", "kind", "published", "published_at"]
    list_filter = ["kind", "published"]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    ordering = ["-published_at", "-pk"]


class QuestionEventInline(admin.TabularInline):
    model = QuestionEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "actor", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(QuestionEvent)
class QuestionEventAdmin(admin.ModelAdmin):
    """The audit trail of staff actions: read-only."""

    list_display = ["question", "action", "actor", "at"]
    list_filter = ["action"]
    search_fields = ["question__reference_code", "actor__username"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    """Read-mostly: staff answer on /can-bo/hoi-dap/, where the notice is queued."""

    list_display = ["reference_code", "topic", "office", "status", "is_published", "created_at"]
    list_filter = ["status", "is_published", "topic"]
    search_fields = ["reference_code", "public_question"]
    readonly_fields = [f.name for f in Question._meta.fields if f.name != "id"]
    inlines = [QuestionEventInline]

    def has_add_permission(self, request):
        return False
