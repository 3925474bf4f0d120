from django.urls import path

from . import verification_api as api

# /api/v1/documents/ (vssid_portal/urls.py). The file check comes before <code>.
urlpatterns = [
    path("verify-file/", api.DocumentFileVerifyApi.as_view(), name="api-document-verify-file"),
    path("<str:code>/", api.DocumentVerifyApi.as_view(), name="api-document-verify"),
]
