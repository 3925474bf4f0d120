"""/ca-nhan/tai-khoan/ — "Thông tin tài khoản" of the signed-in citizen."""

from django.urls import path

from . import views, views_passkeys, views_security

app_name = "account"

urlpatterns = [
    path("", views.AccountHomeView.as_view(), name="home"),
    path("doi-mat-khau/", views.PasswordChangeView.as_view(), name="password-change"),
    path("thong-tin-lien-he/", views.ContactChangeView.as_view(), name="contact-change"),
    path("dang-xuat-moi-noi/", views.SignOutEverywhereView.as_view(), name="sign-out-everywhere"),
    path(
        "thong-tin-lien-he/huy/",
        views_security.ContactChangeCancelView.as_view(),
        name="contact-change-cancel",
    ),
    path("xac-thuc-2-buoc/", views_security.TotpHomeView.as_view(), name="totp"),
    path("xac-thuc-2-buoc/cai-dat/", views_security.TotpSetupView.as_view(), name="totp-setup"),
    path(
        "xac-thuc-2-buoc/tat/",
        views_security.TotpConfirmActionView.as_view(action="disable"),
        name="totp-disable",
    ),
    path(
        "xac-thuc-2-buoc/ma-khoi-phuc/",
        views_security.TotpConfirmActionView.as_view(action="regenerate"),
        name="totp-recovery-codes",
    ),
    path("khoa-dang-nhap/", views_passkeys.PasskeyListView.as_view(), name="passkeys"),
    path(
        "khoa-dang-nhap/dang-ky/tuy-chon/",
        views_passkeys.passkey_register_options,
        name="passkey-register-options",
    ),
    path("khoa-dang-nhap/dang-ky/", views_passkeys.passkey_register, name="passkey-register"),
    path(
        "khoa-dang-nhap/<int:pk>/xoa/",
        views_passkeys.PasskeyDeleteView.as_view(),
        name="passkey-delete",
    ),
]
