from django.urls import path

from . import verification_views as views

app_name = "verification"

# /xac-thuc/ (vssid_portal/urls.py). The file check comes before <code>.
urlpatterns = [
    path("", views.VerificationIndexView.as_view(), name="index"),
    path("kiem-tra-tep/", views.VerificationFileView.as_view(), name="file"),
    path("<str:code>/", views.VerificationDetailView.as_view(), name="detail"),
]
