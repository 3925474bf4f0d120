"""/api/v1/me/requests/: the signed-in citizen's requests (mobile client)."""

from django.urls import path

from . import api

urlpatterns = [
    path("", api.MyRequestListApi.as_view(), name="api-me-requests"),
    path("<str:code>/", api.MyRequestDetailApi.as_view(), name="api-me-request"),
    path(
        "<str:code>/correction/",
        api.MyRequestCorrectionApi.as_view(),
        name="api-me-request-correction",
    ),
    path(
        "<str:code>/attachment/",
        api.MyRequestAttachmentApi.as_view(),
        name="api-me-request-attachment",
    ),
]
