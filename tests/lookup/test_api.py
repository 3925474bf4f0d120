"""/api/v1/lookup/: public, paginated, documented."""

import pytest

from lookup.models import EmployerUnit, MedicalFacility

pytestmark = pytest.mark.django_db

API = "/api/v1/lookup/"


def test_lists_are_public_and_paginated(client, reference_data):
    body = client.get(API + "facilities/", {"province": "01"}).json()
    assert body["count"] == MedicalFacility.objects.filter(province_id="01").count()
    assert len(body["results"]) == 20
    assert "page=2" in body["next"] and "province=01" in body["next"]
    second = client.get(body["next"]).json()
    assert {r["code"] for r in body["results"]}.isdisjoint(r["code"] for r in second["results"])


def test_office_search_and_detail_with_its_children(client, reference_data):
    body = client.get(API + "offices/", {"q": "quận 4"}).json()
    assert [r["code"] for r in body["results"]] == ["07914"]
    office = body["results"][0]
    assert office["parent"] == {"code": "079", "name": "BHXH Tp. Hồ Chí Minh"}
    assert office["map_url"].startswith("https://www.openstreetmap.org/?mlat=")
    detail = client.get(API + "offices/079/").json()
    assert len(detail["children"]) == 22
    assert {"code": "07914", "name": "BHXH Quận 4"} in detail["children"]


def test_facility_filters_and_detail_by_printed_code(client, reference_data):
    body = client.get(
        API + "facilities/",
        {"province": "79", "has_bhyt_contract": "true", "may_issue_sick_leave": "true"},
    ).json()
    assert body["count"] > 0
    assert all(
        r["province"]["code"] == "79" and r["has_bhyt_contract"] and r["may_issue_sick_leave"]
        for r in body["results"]
    )
    detail = client.get(API + "facilities/79001/").json()
    assert detail["name"] == "Bệnh viện Chợ Rẫy"
    assert detail["display_code"] == "79 - 001"
    assert client.get(API + "facilities/79999/").status_code == 404


def test_employers_need_a_query_and_show_no_amounts(client, reference_data):
    assert client.get(API + "employers/").json() == {"q": ["Trường này là bắt buộc."]}
    unit = EmployerUnit.objects.first()
    body = client.get(API + "employers/", {"q": unit.tax_code}).json()
    result = next(r for r in body["results"] if r["code"] == unit.code)
    assert set(result) == {
        "code", "tax_code", "name", "address", "office", "status", "status_display",
        "is_paying", "is_generated",
    }  # fmt: skip
    assert client.get(API + f"employers/{unit.code.lower()}/").json()["code"] == unit.code


def test_collection_points_need_a_province(client, reference_data):
    assert "province" in client.get(API + "collection-points/").json()
    body = client.get(API + "collection-points/", {"province": "79", "district": "773"}).json()
    assert body["count"] > 0
    assert {r["district"]["code"] for r in body["results"]} == {"773"}


def test_bad_filters_are_a_400_with_a_field_map(client, reference_data):
    response = client.get(API + "facilities/", {"province": "00", "has_bhyt_contract": "maybe"})
    assert response.status_code == 400
    assert set(response.json()) == {"province", "has_bhyt_contract"}


def test_lists_are_cached_per_language(client, reference_data):
    first = client.get(API + "offices/", {"q": "quan 4"})
    assert "max-age=300" in first["Cache-Control"]
    assert "Accept-Language" in first["Vary"]
    english = client.get(API + "offices/", {"q": "quan 4"}, HTTP_ACCEPT_LANGUAGE="en")
    assert (
        english.json()["results"][0]["level_display"] != first.json()["results"][0]["level_display"]
    )


def test_the_schema_documents_every_lookup_operation(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    schema = response.json()
    paths = schema["paths"]
    for path, method in [
        ("/api/v1/lookup/offices/", "get"),
        ("/api/v1/lookup/offices/{code}/", "get"),
        ("/api/v1/lookup/facilities/", "get"),
        ("/api/v1/lookup/facilities/{code}/", "get"),
        ("/api/v1/lookup/employers/", "get"),
        ("/api/v1/lookup/employers/{code}/", "get"),
        ("/api/v1/lookup/collection-points/", "get"),
        ("/api/v1/lookup/collection-points/{code}/", "get"),
        ("/api/v1/lookup/captcha/", "post"),
        ("/api/v1/lookup/insurance-number/", "post"),
    ]:
        assert method in paths[path], path
    facility_params = {p["name"] for p in paths["/api/v1/lookup/facilities/"]["get"]["parameters"]}
    assert {"q", "province", "has_bhyt_contract", "may_issue_sick_leave", "page"} <= facility_params
    lookup_op = paths["/api/v1/lookup/insurance-number/"]["post"]
    assert {"200", "400", "429"} <= set(lookup_op["responses"])
    assert "PaginatedFacilityOutputList" in schema["components"]["schemas"]
