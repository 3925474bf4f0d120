from django.urls import path

from . import views
from .models import Article

app_name = "support"

urlpatterns = [
    path("", views.FAQListView.as_view(), name="faq"),
    path("cau-hoi/<int:pk>/", views.FAQDetailView.as_view(), name="faq-detail"),
    path("gui-cau-hoi/", views.QuestionCreateView.as_view(), name="question-create"),
    path("gui-cau-hoi/da-gui/", views.QuestionSentView.as_view(), name="question-sent"),
    path("tra-loi/", views.AnswerReadView.as_view(), name="answer-read"),
    path("cau-hoi-da-tra-loi/", views.PublishedListView.as_view(), name="published"),
    path(
        "cau-hoi-da-tra-loi/<int:pk>/",
        views.PublishedDetailView.as_view(),
        name="published-detail",
    ),
    path("tin-tuc/", views.ArticleListView.as_view(kind=Article.Kind.NEWS), name="news"),
    path("tin-tuc/atom.xml", views.NewsFeed(), name="news-feed"),
    path(
        "tin-tuc/<slug:slug>/",
        views.ArticleDetailView.as_view(kind=Article.Kind.NEWS),
        name="news-detail",
    ),
    path("chinh-sach/", views.ArticleListView.as_view(kind=Article.Kind.POLICY), name="policies"),
    path(
        "chinh-sach/<slug:slug>/",
        views.ArticleDetailView.as_view(kind=Article.Kind.POLICY),
        name="policy-detail",
    ),
    path("tro-ly/", views.AssistantView.as_view(), name="assistant"),
    path("tro-ly/hoi.json", views.AssistantApiView.as_view(), name="assistant-api"),
]
