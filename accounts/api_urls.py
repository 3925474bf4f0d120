from django.urls import path

from . import api

app_name = "auth_api"

urlpatterns = [
    path("token/", api.TokenObtainApi.as_view(), name="token"),
    path("token/confirm/", api.TokenConfirmApi.as_view(), name="token-confirm"),
    path("token/refresh/", api.TokenRefreshApi.as_view(), name="token-refresh"),
    path("token/revoke/", api.TokenRevokeApi.as_view(), name="token-revoke"),
    path("password/change/", api.PasswordChangeApi.as_view(), name="password-change"),
    path(
        "password/change/confirm/",
        api.PasswordChangeConfirmApi.as_view(),
        name="password-change-confirm",
    ),
    path("otp/resend/", api.OtpResendApi.as_view(), name="otp-resend"),
]
