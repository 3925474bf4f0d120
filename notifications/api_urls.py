"""/api/v1/me/messages/ — the message centre for the mobile client."""

from django.urls import path

from . import api

urlpatterns = [
    path("", api.MessageListMeApi.as_view(), name="api-me-messages"),
    path("read-all/", api.MessageReadAllMeApi.as_view(), name="api-me-messages-read-all"),
    path("<int:pk>/", api.MessageDetailMeApi.as_view(), name="api-me-message"),
]
