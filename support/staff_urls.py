from django.urls import path

from . import staff_views

app_name = "support-staff"

urlpatterns = [
    path("", staff_views.StaffQuestionListView.as_view(), name="questions"),
    path("<int:pk>/", staff_views.StaffQuestionDetailView.as_view(), name="question"),
    path(
        "<int:pk>/anh-dinh-kem/",
        staff_views.StaffAttachmentView.as_view(),
        name="attachment",
    ),
]
