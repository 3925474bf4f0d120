"""The signed-in citizen's tờ khai pages under /ca-nhan/ ("Xem tờ khai", child wizard)."""

from django.urls import path

from . import views_child, views_citizen

app_name = "citizen_declarations"

urlpatterns = [
    path("to-khai/", views_citizen.DeclarationListView.as_view(), name="list"),
    path("to-khai/<str:code>/", views_citizen.DeclarationDetailView.as_view(), name="detail"),
    path("to-khai/<str:code>/to-khai.pdf", views_citizen.DeclarationPdfView.as_view(), name="pdf"),
    path(
        "to-khai/<str:code>/bo-sung/",
        views_citizen.DeclarationCorrectView.as_view(),
        name="correct",
    ),
    path("dang-ky-cho-con/", views_child.ChildStepView.as_view(), name="child-start"),
    path("dang-ky-cho-con/anh/", views_child.ChildUploadsView.as_view(), name="child-uploads"),
    path(
        "dang-ky-cho-con/anh/<str:slot>/",
        views_child.ChildUploadPreviewView.as_view(),
        name="child-upload-preview",
    ),
    path("dang-ky-cho-con/noi-nop/", views_child.ChildOfficeView.as_view(), name="child-office"),
    path("dang-ky-cho-con/xem-lai/", views_child.ChildReviewView.as_view(), name="child-review"),
    path("dang-ky-cho-con/cam-ket/", views_child.ChildCommitView.as_view(), name="child-commit"),
    path("dang-ky-cho-con/da-gui/", views_child.ChildDoneView.as_view(), name="child-done"),
]
