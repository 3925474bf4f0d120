from django.urls import path

from . import views, views_passkeys, views_security

app_name = "accounts"

urlpatterns = [
    path("dang-nhap/", views.SignInView.as_view(), name="sign-in"),
    path("dang-nhap/thiet-bi-khac/", views.TakeoverView.as_view(), name="takeover"),
    path(
        "dang-nhap/khoa/tuy-chon/",
        views_passkeys.passkey_sign_in_options,
        name="passkey-sign-in-options",
    ),
    path("dang-nhap/khoa/", views_passkeys.passkey_sign_in, name="passkey-sign-in"),
    path("dang-xuat/", views.SignOutView.as_view(), name="sign-out"),
    path("xac-nhan-otp/", views.OtpView.as_view(), name="otp"),
    path("quen-mat-khau/", views.ForgotPasswordView.as_view(), name="forgot-password"),
    path(
        "quen-mat-khau/mat-khau-moi/",
        views.PasswordResetNewView.as_view(),
        name="password-reset-new",
    ),
    # "Không phải tôi" from the notice of a pending phone/e-mail change.
    path("khong-phai-toi/<str:token>/", views_security.NotMeView.as_view(), name="not-me"),
]
