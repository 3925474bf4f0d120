from django.urls import path

from . import views

app_name = "insurance"

# /ca-nhan/tai-khoan/ belongs to accounts.
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("the-bhyt/", views.CardView.as_view(), name="card"),
    path("the-bhyt/the-bhyt.png", views.CardImageView.as_view(), name="card-image"),
    path("the-bhyt/xac-nhan.pdf", views.CardAttestationPdfView.as_view(), name="card-attestation"),
    path("qua-trinh-tham-gia/", views.HistoryView.as_view(), name="history"),
    path(
        "qua-trinh-tham-gia/trich-xuat.pdf",
        views.HistoryPdfView.as_view(),
        name="history-pdf",
    ),
    path("huong-che-do/", views.BenefitsView.as_view(), name="benefits"),
    path("lich-su-kcb/", views.VisitsView.as_view(), name="visits"),
    path("uoc-tinh-bhxh-1-lan/", views.OneTimeEstimateView.as_view(), name="one-time-estimate"),
    # A guardian viewing a child's records (insurance/access.py decides who may).
    path("con/<int:child_id>/", views.DashboardView.as_view(), name="child-dashboard"),
    path("con/<int:child_id>/the-bhyt/", views.CardView.as_view(), name="child-card"),
    path(
        "con/<int:child_id>/the-bhyt/the-bhyt.png",
        views.CardImageView.as_view(),
        name="child-card-image",
    ),
    path(
        "con/<int:child_id>/the-bhyt/xac-nhan.pdf",
        views.CardAttestationPdfView.as_view(),
        name="child-card-attestation",
    ),
    path(
        "con/<int:child_id>/qua-trinh-tham-gia/",
        views.HistoryView.as_view(),
        name="child-history",
    ),
    path(
        "con/<int:child_id>/qua-trinh-tham-gia/trich-xuat.pdf",
        views.HistoryPdfView.as_view(),
        name="child-history-pdf",
    ),
    path("con/<int:child_id>/lich-su-kcb/", views.VisitsView.as_view(), name="child-visits"),
]
