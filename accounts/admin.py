from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from vssid_portal.admin_tools import ReadOnlyAdmin, RecordAccessAdminMixin, csv_export_action
from vssid_portal.ratelimit import client_ip

from .forms import AdminSignInForm
from .models import (
    AccountEvent,
    ApiToken,
    ContactChange,
    OtpChallenge,
    Passkey,
    PasswordHistory,
    RecordAccess,
    RecoveryCode,
    StaffProfile,
    TotpDevice,
    User,
    UserSession,
)
from .services import account_unlock

# /admin/login/ signs in through the same lockout counter and captcha.
admin.site.login_form = AdminSignInForm
admin.site.login_template = "accounts/admin_login.html"


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    autocomplete_fields = ["office"]
    extra = 0


@admin.action(description=_("Mở khoá các tài khoản đã chọn"))
def unlock_accounts(modeladmin, request, queryset):
    done = 0
    for user in queryset.filter(locked_at__isnull=False):
        try:
            account_unlock(user=user, actor=request.user, ip=client_ip(request))
            done += 1
        except PermissionDenied:
            modeladmin.message_user(
                request, _("Không có quyền mở khoá {user}.").format(user=user), messages.ERROR
            )
    modeladmin.message_user(request, _("Đã mở khoá {n} tài khoản.").format(n=done))


@admin.register(User)
class UserAdmin(RecordAccessAdminMixin, BaseUserAdmin):
    record_access_subject = "account"

    def record_access_number(self, obj) -> str:
        # A citizen's account: its username is the mã số. Staff accounts
        # have no transparency log.
        return "" if obj.is_staff else obj.username

    list_display = [
        "username",
        "full_name",
        "phone",
        "email",
        "is_staff",
        "is_active",
        "must_change_password",
        "locked_at",
        "last_login",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "must_change_password", "groups"]
    search_fields = ["username", "full_name", "phone", "email"]
    ordering = ["username"]
    inlines = [StaffProfileInline]
    actions = [unlock_accounts]
    raw_id_fields = ["guardian"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Thông tin cá nhân"), {"fields": ("full_name", "phone", "email", "guardian")}),
        (
            _("Mật khẩu"),
            {
                "fields": (
                    "must_change_password",
                    "password_changed_at",
                    "initial_password_expires_at",
                )
            },
        ),
        (_("Khoá tài khoản"), {"fields": ("failed_logins", "locked_at")}),
        (
            _("Quyền"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Mốc thời gian"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = [
        "last_login",
        "date_joined",
        "password_changed_at",
        "initial_password_expires_at",
        "failed_logins",
        "locked_at",
    ]


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "office", "includes_child_offices"]
    list_filter = ["includes_child_offices", "office__province"]
    search_fields = ["user__username", "user__full_name", "office__code", "office__name"]
    autocomplete_fields = ["user", "office"]


@admin.register(AccountEvent)
class AccountEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "user", "actor", "ip"]
    list_filter = ["action", ("actor", admin.RelatedOnlyFieldListFilter), "created_at"]
    search_fields = ["user__username", "actor__username", "ip"]
    list_select_related = ["user", "actor"]
    date_hierarchy = "created_at"
    fields = ["created_at", "action", "user", "actor", "ip", "detail"]
    actions = [
        csv_export_action(
            filename="nhat-ky-tai-khoan",
            columns=[
                (_("thời điểm"), lambda e: e.created_at.isoformat()),
                (_("hành động"), lambda e: e.action),
                (_("tài khoản"), lambda e: e.user.username),
                (_("người thực hiện"), lambda e: e.actor.username if e.actor else ""),
                (_("địa chỉ IP"), lambda e: e.ip or ""),
                (_("chi tiết"), lambda e: e.detail),
            ],
        )
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "actor")


@admin.register(OtpChallenge)
class OtpChallengeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "purpose", "channel", "tries", "used_at", "expires_at"]
    list_filter = ["purpose", "channel"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    fields = [
        "user",
        "purpose",
        "channel",
        "created_at",
        "expires_at",
        "tries",
        "used_at",
        "superseded_at",
        "ip",
    ]


@admin.register(UserSession)
class UserSessionAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "user",
        "device_id",
        "last_seen_at",
        "ended_at",
        "end_reason",
        "ip",
    ]
    list_filter = ["end_reason"]
    search_fields = ["user__username", "device_id", "ip"]
    list_select_related = ["user"]
    fields = [
        "user",
        "device_id",
        "created_at",
        "last_seen_at",
        "ended_at",
        "end_reason",
        "ip",
        "user_agent",
    ]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "device_id", "expires_at", "revoked_at", "revoke_reason"]
    list_filter = ["revoke_reason"]
    search_fields = ["user__username", "device_id"]
    list_select_related = ["user"]
    fields = [
        "user",
        "device_id",
        "created_at",
        "expires_at",
        "refresh_expires_at",
        "last_used_at",
        "revoked_at",
        "revoke_reason",
    ]


@admin.register(PasswordHistory)
class PasswordHistoryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    fields = ["user", "created_at"]


@admin.register(RecordAccess)
class RecordAccessAdmin(ReadOnlyAdmin):
    """Who opened which citizen's record: shown (office and role) in the
    citizen's log; nobody edits or deletes a row, superusers included."""

    list_display = [
        "created_at",
        "insurance_number",
        "subject",
        "actor",
        "role",
        "office",
        "channel",
    ]
    list_filter = ["subject", "role", "channel", "created_at"]
    search_fields = ["=insurance_number", "actor__username", "reference"]
    list_select_related = ["actor", "office"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "insurance_number",
        "subject",
        "reference",
        "actor",
        "role",
        "office",
        "channel",
        "ip",
    ]


@admin.register(ContactChange)
class ContactChangeAdmin(ReadOnlyAdmin):
    list_display = ["requested_at", "user", "status", "effective_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    fields = ["user", "status", "requested_at", "effective_at", "decided_at", "ip"]


@admin.register(TotpDevice)
class TotpDeviceAdmin(ReadOnlyAdmin):
    list_display = ["user", "created_at", "confirmed_at"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    fields = ["user", "created_at", "confirmed_at"]  # never the secret


@admin.register(RecoveryCode)
class RecoveryCodeAdmin(ReadOnlyAdmin):
    list_display = ["user", "created_at", "used_at"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    fields = ["user", "created_at", "used_at"]


@admin.register(Passkey)
class PasskeyAdmin(ReadOnlyAdmin):
    list_display = ["user", "name", "created_at", "last_used_at"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    fields = ["user", "name", "created_at", "last_used_at", "sign_count"]
