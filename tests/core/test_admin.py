from django.apps import apps
from django.contrib import admin
from django.core.management import call_command

import pytest

from accounts.models import User

pytestmark = pytest.mark.django_db

PROJECT_APPS = ["accounts", "declarations", "insurance", "lookup", "notifications", "support"]


def project_models():
    return [m for label in PROJECT_APPS for m in apps.get_app_config(label).get_models()]


def test_every_project_model_is_in_the_admin():
    missing = [m.__name__ for m in project_models() if m not in admin.site._registry]
    assert missing == []


def test_admin_lists_load_and_search(client):
    call_command("load_reference_data", stdout=open("/dev/null", "w"))
    admin_user = User.objects.create_superuser("quantri", "qt@example.vn", "mat-khau-quan-tri")
    client.force_login(admin_user)
    for model in project_models():
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        response = client.get(url, {"q": "quan 4"})
        assert response.status_code == 200, url
    page = client.get("/admin/lookup/office/", {"q": "Quận 4"}).content.decode()
    assert "07914" in page
