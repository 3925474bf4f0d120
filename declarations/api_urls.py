from django.urls import path

from . import api

app_name = "declarations-api"

urlpatterns = [
    path("", api.DeclarationCreateApi.as_view(), name="create"),
    path("captcha/", api.DeclarationCaptchaApi.as_view(), name="captcha"),
    path("<str:code>/status", api.DeclarationStatusApi.as_view(), name="status"),
    path("<str:code>/correction", api.DeclarationCorrectionApi.as_view(), name="correction"),
]
