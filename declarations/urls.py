from django.urls import path

from . import views, views_correction

app_name = "declarations"

urlpatterns = [
    path("", views.KindView.as_view(), name="start"),
    path("to-khai/", views.DeclarantView.as_view(), name="declarant"),
    path("anh/", views.UploadsView.as_view(), name="uploads"),
    path("anh/<str:slot>/", views.UploadPreviewView.as_view(), name="upload-preview"),
    path("noi-nop/", views.OfficeView.as_view(), name="office"),
    path("co-quan/", views.offices_json, name="offices-json"),
    path("xem-lai/", views.ReviewView.as_view(), name="review"),
    path("da-gui/", views.done, name="done"),
    path("tai-to-khai/<str:token>/", views.declaration_pdf, name="pdf"),
    path("ho-so/<str:code>/anh/<str:slot>/", views.declaration_image, name="declaration-image"),
    path("tra-cuu/", views.TrackView.as_view(), name="track"),
    path("tiep-tuc/", views.ResumeView.as_view(), name="resume-resend"),
    path("tiep-tuc/<str:token>/", views.ResumeView.as_view(), name="resume"),
    path("bo-sung/", views_correction.CorrectionView.as_view(), name="correction"),
    path("bo-sung/anh/<str:slot>/", views_correction.correction_photo, name="correction-photo"),
    path("bo-sung/da-gui/", views_correction.correction_done, name="correction-done"),
    path(
        "bo-sung/lien-ket/<str:token>/",
        views_correction.correction_link,
        name="correction-link",
    ),
]
