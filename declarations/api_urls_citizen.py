"""/api/v1/me/declarations: "Xem tờ khai" for the mobile client."""

from django.urls import path

from . import api

urlpatterns = [
    path("declarations", api.MyDeclarationListApi.as_view(), name="api-me-declarations"),
    path(
        "declarations/<str:code>", api.MyDeclarationDetailApi.as_view(), name="api-me-declaration"
    ),
    path(
        "declarations/<str:code>/pdf",
        api.MyDeclarationPdfApi.as_view(),
        name="api-me-declaration-pdf",
    ),
    path(
        "declarations/<str:code>/email",
        api.MyDeclarationEmailApi.as_view(),
        name="api-me-declaration-email",
    ),
]
