from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import StaffProfile, User


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    autocomplete_fields = ["office"]
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = [
        "username",
        "full_name",
        "phone",
        "email",
        "is_staff",
        "is_active",
        "must_change_password",
        "last_login",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "must_change_password", "groups"]
    search_fields = ["username", "full_name", "phone", "email"]
    ordering = ["username"]
    inlines = [StaffProfileInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Thông tin cá nhân"), {"fields": ("full_name", "phone", "email")}),
        (_("Mật khẩu"), {"fields": ("must_change_password", "password_changed_at")}),
        (
            _("Quyền"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Mốc thời gian"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined", "password_changed_at"]


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "office", "includes_child_offices"]
    list_filter = ["includes_child_offices", "office__province"]
    search_fields = ["user__username", "user__full_name", "office__code", "office__name"]
    autocomplete_fields = ["user", "office"]
