"""/api/v1/me/log/, /api/v1/me/totp/ and /api/v1/me/passkeys/ (accounts)."""

from django.urls import path

from . import api_me

urlpatterns = [
    path("log/", api_me.AccountLogApi.as_view(), name="api-me-log"),
    path("totp/", api_me.TotpStatusApi.as_view(), name="api-me-totp"),
    path("totp/setup/", api_me.TotpSetupApi.as_view(), name="api-me-totp-setup"),
    path("totp/confirm/", api_me.TotpConfirmApi.as_view(), name="api-me-totp-confirm"),
    path("totp/disable/", api_me.TotpDisableApi.as_view(), name="api-me-totp-disable"),
    path(
        "totp/recovery-codes/",
        api_me.RecoveryCodesApi.as_view(),
        name="api-me-totp-recovery-codes",
    ),
    path("passkeys/", api_me.PasskeyListApi.as_view(), name="api-me-passkeys"),
    path("passkeys/<int:pk>/", api_me.PasskeyDeleteApi.as_view(), name="api-me-passkey"),
]
