from django.conf import settings
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from vssid_portal.admin_tools import ReadOnlyAdmin

from .models import InboxEntry, Message, MessageAttachment
from .rendering import inbox_render
from .services import message_resend


class MessageAttachmentInline(admin.TabularInline):
    model = MessageAttachment
    fields = ["filename", "content_type"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """The outbox, read-only; failed rows can be sent again."""

    list_display = [
        "created_at",
        "channel",
        "recipient",
        "template",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["status", "channel", "template"]
    search_fields = ["recipient"]
    date_hierarchy = "created_at"
    list_per_page = 50
    actions = ["resend"]
    inlines = [MessageAttachmentInline]
    fields = [
        "channel",
        "recipient",
        "template",
        "subject",
        "shown_text",
        "status",
        "attempts",
        "last_error",
        "idempotency_key",
        "about_type",
        "about_id",
        "created_at",
        "claimed_at",
        "sent_at",
        "next_attempt_at",
        "is_redacted",
    ]
    readonly_fields = fields

    @admin.display(description=_("nội dung"))
    def shown_text(self, obj: Message) -> str:
        # The full text (initial password, OTP) only on a developer's machine.
        return obj.display_text(debug=settings.DEBUG)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request) -> bool:
        return request.user.has_perm("notifications.change_message")

    @admin.action(description=_("Gửi lại"), permissions=["resend"])
    def resend(self, request, queryset):
        count = message_resend(message_ids=queryset.values_list("pk", flat=True))
        skipped = queryset.count() - count
        self.message_user(
            request,
            ngettext(
                "Đã xếp %(count)d tin vào hàng đợi gửi lại.",
                "Đã xếp %(count)d tin vào hàng đợi gửi lại.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                _("Chỉ gửi lại được tin ở trạng thái “Gửi lỗi”; bỏ qua %(count)d tin.")
                % {"count": skipped},
                messages.WARNING,
            )


@admin.register(MessageAttachment)
class MessageAttachmentAdmin(admin.ModelAdmin):
    """Attachments are private files: listed here, never linked."""

    list_display = ["filename", "content_type", "message"]
    search_fields = ["filename", "message__recipient"]
    fields = ["message", "filename", "content_type"]
    readonly_fields = fields
    list_select_related = ["message"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InboxEntry)
class InboxEntryAdmin(ReadOnlyAdmin):
    """The message centres, read-only: what each account was told, and when it read it."""

    list_display = ["created_at", "user", "kind", "read_at"]
    list_filter = ["kind"]
    search_fields = ["user__username"]
    date_hierarchy = "created_at"
    list_per_page = 50
    list_select_related = ["user"]
    fields = ["user", "kind", "title", "body", "link", "created_at", "read_at"]
    readonly_fields = fields

    @admin.display(description=_("tiêu đề"))
    def title(self, obj: InboxEntry) -> str:
        return inbox_render(kind=obj.kind, context=obj.context).title

    @admin.display(description=_("nội dung"))
    def body(self, obj: InboxEntry) -> str:
        return inbox_render(kind=obj.kind, context=obj.context).body
