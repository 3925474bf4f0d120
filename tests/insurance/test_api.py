import datetime as dt

import pytest

from accounts.models import User
from insurance.models import ParticipationPeriod

from .factories import (
    BenefitFactory,
    CardFactory,
    CitizenFactory,
    PeriodFactory,
    PersonFactory,
    VisitFactory,
)
from .test_views import _long_history

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/v1/me/card",
    "/api/v1/me/history",
    "/api/v1/me/benefits",
    "/api/v1/me/visits",
    "/api/v1/me/one-time-estimate",
]


@pytest.fixture
def an(client):
    person = PersonFactory(insurance_number="7901234567")
    CardFactory(person=person)
    client.force_login(CitizenFactory(person=person))
    return person


@pytest.fixture
def other():
    person = PersonFactory(insurance_number="7909999999", full_name="Trần Thị Bích")
    CardFactory(person=person)
    PeriodFactory(person=person, employer_code="SECRET")
    BenefitFactory(person=person, amount=7_777_777)
    VisitFactory(person=person, claim_code="SECRET-CLAIM")
    return person


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_requests_are_refused(client, url):
    assert client.get(url).status_code in (401, 403)


@pytest.mark.parametrize("url", ENDPOINTS)
def test_staff_get_403(client, url):
    PersonFactory(insurance_number="7901111111")
    client.force_login(User.objects.create_user("7901111111", password="x", is_staff=True))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", ENDPOINTS)
def test_accounts_without_registry_records_get_404(client, url):
    client.force_login(User.objects.create_user("7902222222", password="x"))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ENDPOINTS)
def test_only_the_callers_own_records_come_back(client, an, other, url):
    PeriodFactory(person=an)
    response = client.get(url, {"person": other.pk, "insurance_number": other.insurance_number})
    assert response.status_code == 200
    body = response.content.decode()
    for secret in ["7909999999", "Trần Thị Bích", "SECRET", "7777777"]:
        assert secret not in body


def test_card_api_returns_card_validity_and_qr(client, an):
    data = client.get("/api/v1/me/card").json()
    assert data["card_number"] == "7901234567"
    assert data["full_name"] == "Nguyễn Văn An"
    assert data["kcb_code"] == "79011"
    assert data["validity"] in {"valid", "expiring", "expired", "not_yet"}
    assert data["qr_payload"].startswith("7901234567|4e677579e1bb856e2056c4836e20416e|")


def test_card_api_without_a_card_is_404(client):
    client.force_login(CitizenFactory())
    assert client.get("/api/v1/me/card").status_code == 404


def test_history_api_is_paginated_with_totals_over_all_pages(client, an):
    for year in range(1990, 2050):
        PeriodFactory(person=an, from_month=dt.date(year, 1, 1), to_month=dt.date(year, 12, 1))
    PeriodFactory(
        person=an,
        insurance_type=ParticipationPeriod.InsuranceType.BHYT,
        from_month=dt.date(2020, 1, 1),
        to_month=dt.date(2020, 6, 1),
        status="owed",
    )
    data = client.get("/api/v1/me/history").json()
    assert data["count"] == 61
    assert len(data["results"]) == 50 and data["next"]
    assert data["totals"] == {
        "bhxh": {"months": 720, "owed_months": 0},
        "bhyt": {"months": 6, "owed_months": 6},
    }
    assert data["results"][0]["months"] == 12
    only_bhyt = client.get("/api/v1/me/history", {"insurance_type": "bhyt"}).json()
    assert only_bhyt["count"] == 1 and only_bhyt["results"][0]["status"] == "owed"
    bad = client.get("/api/v1/me/history", {"insurance_type": "xyz"})
    assert bad.status_code == 400 and "insurance_type" in bad.json()


def test_benefits_api_totals_by_kind(client, an):
    BenefitFactory(person=an, amount=1_000_000)
    BenefitFactory(person=an, kind="maternity", amount=40_000_000)
    data = client.get("/api/v1/me/benefits").json()
    assert data["count"] == 2
    assert data["totals"] == {"maternity": 40_000_000, "sickness": 1_000_000}


def test_visits_api_filters_by_year_and_rejects_a_bad_year(client, an):
    VisitFactory(person=an, admitted_on=dt.date(2023, 5, 2), discharged_on=dt.date(2023, 5, 2))
    VisitFactory(person=an)
    data = client.get("/api/v1/me/visits", {"year": 2024}).json()
    assert data["count"] == 1
    assert data["totals"] == {
        "count": 1,
        "total_cost": 350_000,
        "insurance_paid": 280_000,
        "patient_paid": 70_000,
    }
    bad = client.get("/api/v1/me/visits", {"year": "20x4"})
    assert bad.status_code == 400
    assert bad.json() == {"year": ["Năm không hợp lệ, ví dụ 2024."]}


def test_one_time_estimate_api_says_it_is_not_indexed(client, an):
    PeriodFactory(person=an, from_month=dt.date(2020, 1, 1), to_month=dt.date(2020, 7, 1))
    data = client.get("/api/v1/me/one-time-estimate").json()
    assert data["amount"] == 7_700_000
    assert data["short_contribution"] is True
    assert data["salary_indexing_applied"] is False


def test_endpoints_are_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for url in ENDPOINTS:
        assert url in schema["paths"]
    history = schema["paths"]["/api/v1/me/history"]["get"]["responses"]["200"]
    ref = history["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "totals" in schema["components"]["schemas"][ref]["properties"]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_api_query_count_does_not_grow_with_history(client, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for years, visits in [(1, 1), (40, 200)]:
        person = PersonFactory()
        CardFactory(person=person)
        _long_history(person, years, visits)
        client.force_login(CitizenFactory(person=person))
        with django_assert_max_num_queries(8), CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_the_device_bound_token_reads_only_its_owners_records(other):
    """The mobile client's flow: token for one device, then /api/v1/me/."""
    from django.test import Client
    from django.utils import timezone

    from .factories import PASSWORD

    person = PersonFactory(insurance_number="7901234567")
    PeriodFactory(person=person, employer_code="MINE")
    user = CitizenFactory(person=person)
    user.password_changed_at = timezone.now()  # past the first-sign-in change
    user.save(update_fields=["password_changed_at"])
    client = Client()
    body = client.post(
        "/api/v1/auth/token/",
        {"username": "7901234567", "password": PASSWORD, "device_id": "phone-aaaaaaaa"},
        content_type="application/json",
    ).json()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {body['access']}"}
    mine = client.get("/api/v1/me/history", HTTP_X_DEVICE_ID="phone-aaaaaaaa", **headers)
    assert mine.status_code == 200
    assert "MINE" in mine.content.decode() and "SECRET" not in mine.content.decode()
    elsewhere = client.get("/api/v1/me/history", HTTP_X_DEVICE_ID="phone-bbbbbbbb", **headers)
    assert elsewhere.status_code == 401
