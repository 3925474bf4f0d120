from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views
from .captcha import captcha_image_view

handler404 = "vssid_portal.views.page_not_found"
handler500 = "vssid_portal.views.server_error"

admin.site.site_header = _("VssID Portal — quản trị")
admin.site.site_title = _("VssID Portal")
admin.site.index_title = _("Quản trị hệ thống")

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("ma-kiem-tra/<str:key>.png", captcha_image_view, name="captcha-image"),
    path("", include("accounts.urls")),
    # Account pages come before any other /ca-nhan/ and /can-bo/ include.
    path("ca-nhan/tai-khoan/", include("accounts.urls_account")),
    path("ca-nhan/thong-bao/", include("notifications.urls_inbox")),
    path("ca-nhan/nhat-ky/", include("accounts.urls_log")),
    path("can-bo/tai-khoan/", include("accounts.urls_staff")),
    path("tra-cuu/", include("lookup.urls")),
    path("api/v1/lookup/", include("lookup.api_urls")),
    path("ca-nhan/yeu-cau/", include("declarations.requests.urls")),
    # Payments: /ca-nhan/dong-bhxh-tu-nguyen/, /ca-nhan/gia-han-bhyt/,
    # /ca-nhan/thanh-toan/…, the gateway's /thanh-toan/… and /dev/cong-thanh-toan/.
    path("", include("insurance.payments.urls")),
    path("api/v1/me/", include("insurance.payments.api_urls")),
    path("ca-nhan/", include("declarations.urls_citizen")),
    path("ca-nhan/", include("insurance.urls")),
    path("api/v1/me/", include("accounts.api_urls_me")),
    path("api/v1/me/requests/", include("declarations.requests.api_urls")),
    path("api/v1/me/", include("declarations.api_urls_citizen")),
    path("api/v1/me/", include("insurance.api_urls")),
    path("api/v1/me/messages/", include("notifications.api_urls")),
    path("xac-thuc/", include("insurance.verification_urls")),
    path("api/v1/documents/", include("insurance.verification_api_urls")),
    path("hoi-dap/", include("support.urls")),
    path("can-bo/hoi-dap/", include("support.staff_urls")),
    path("can-bo/yeu-cau/", include("declarations.requests.staff_urls")),
    path("can-bo/", include("declarations.staff_urls")),
    path("api/v1/staff/declarations/", include("declarations.staff_api_urls")),
    path("api/v1/staff/requests/", include("declarations.requests.staff_api_urls")),
    path("dang-ky/", include("declarations.urls")),
    path("api/v1/declarations/", include("declarations.api_urls")),
    path("api/v1/auth/", include("accounts.api_urls")),
    path("admin/", admin.site.urls),
    path("dev/outbox/", include("notifications.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
