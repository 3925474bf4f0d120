"""/ca-nhan/thong-bao/ — the message centre ("Thông báo")."""

from django.urls import path

from . import views_inbox

app_name = "inbox"

urlpatterns = [
    path("", views_inbox.InboxListView.as_view(), name="list"),
    path("da-doc-tat-ca/", views_inbox.InboxReadAllView.as_view(), name="read-all"),
    path("<int:pk>/", views_inbox.InboxDetailView.as_view(), name="detail"),
]
