from django.urls import path

from . import views

app_name = "insurance"

# /ca-nhan/tai-khoan/ belongs to accounts.
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("the-bhyt/", views.CardView.as_view(), name="card"),
    path("the-bhyt/the-bhyt.png", views.CardImageView.as_view(), name="card-image"),
    path("qua-trinh-tham-gia/", views.HistoryView.as_view(), name="history"),
    path(
        "qua-trinh-tham-gia/trich-xuat.pdf",
        views.HistoryPdfView.as_view(),
        name="history-pdf",
    ),
    path("huong-che-do/", views.BenefitsView.as_view(), name="benefits"),
    path("lich-su-kcb/", views.VisitsView.as_view(), name="visits"),
    path("uoc-tinh-bhxh-1-lan/", views.OneTimeEstimateView.as_view(), name="one-time-estimate"),
]
