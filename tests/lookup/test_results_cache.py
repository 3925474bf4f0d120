"""Rendered search results are cached (public data), and never served stale."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from lookup.models import MedicalFacility

pytestmark = pytest.mark.django_db


def search(client, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/tra-cuu/co-so-kcb/", params)
    facility_queries = [q for q in queries if "lookup_medicalfacility" in q["sql"]]
    return response.content.decode(), facility_queries


def results(html: str) -> str:
    return html.split('<section aria-labelledby="results-title">')[1].split("</section>")[0]


def test_a_repeated_search_is_answered_from_the_cache(client, reference_data):
    first, first_queries = search(client, q="cho ray")
    again, again_queries = search(client, q="cho ray")
    assert "Chợ Rẫy" in first and "1 kết quả cho “cho ray”" in first
    assert first_queries and not again_queries
    assert results(again) == results(first)
    # Another page, filter or search is another entry.
    _other, other_queries = search(client, q="cho ray", level="central")
    assert other_queries


def test_a_change_to_the_reference_data_is_shown_at_once(client, reference_data):
    before, _ = search(client, q="cho ray")
    assert "Bệnh viện Chợ Rẫy" in before
    facility = MedicalFacility.objects.get(code="79001")
    facility.phone = "028 9999 0000"
    facility.save()
    after, queries = search(client, q="cho ray")
    assert queries and "028 9999 0000" in after


def test_signed_in_and_anonymous_visitors_get_the_same_public_results(
    client, reference_data, django_user_model
):
    anonymous, _ = search(client, q="cho ray")
    user = django_user_model.objects.create_user(username="7901234567", password="x-1234567890")
    client.force_login(user)
    page = client.get("/tra-cuu/co-so-kcb/", {"q": "cho ray"}).content.decode()
    assert "Bệnh viện Chợ Rẫy" in page
    assert "7901234567" not in anonymous
