"""/api/v1/me/payments/: the same forms and services as the pages, JSON in and out."""

import datetime as dt

from django.test import Client

import pytest

from accounts.models import User
from insurance.payments.models import Payment

from .factories import CardFactory, CitizenFactory, PersonFactory
from .payments import gateway_params, ipn, pending_payment, query_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

VOLUNTARY = {
    "kind": "voluntary_bhxh",
    "income": 2_000_000,
    "method": "3",
    "start_month": "2026-12",
}


@pytest.fixture
def api(client, an_user):
    client.force_login(an_user)
    return client


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_a_quote_is_the_breakdown_and_writes_nothing(api):
    response = post(api, "/api/v1/me/payments/quote/", VOLUNTARY)
    assert response.status_code == 200
    body = response.json()
    assert body["amount"] == 1_221_000
    assert (body["contribution"], body["support"]) == (1_320_000, 99_000)
    assert body["support_category"] == "other"
    [line] = body["lines"]
    assert (line["from_month"], line["to_month"], line["months"]) == ("2026-12-01", "2027-02-01", 3)
    assert (line["monthly_amount"], line["monthly_support"]) == (440_000, 33_000)
    assert body["poverty_line"] == 1_500_000
    assert not Payment.objects.exists()


def test_errors_are_a_field_map_in_vietnamese(api):
    response = post(api, "/api/v1/me/payments/quote/", {**VOLUNTARY, "income": 100})
    assert response.status_code == 400
    assert response.json() == {
        "income": ["Mức thu nhập phải từ 1.500.000 đồng đến 46.800.000 đồng."]
    }
    response = post(api, "/api/v1/me/payments/", {"kind": "lottery"})
    assert response.status_code == 400 and "kind" in response.json()
    for url in ("/api/v1/me/payments/", "/api/v1/me/payments/quote/"):
        response = post(api, url, [{"kind": "voluntary_bhxh"}, True])  # not an object
        assert response.status_code == 400 and "non_field_errors" in response.json()


def test_create_returns_the_gateway_url_and_the_pending_payment(api, settings):
    response = post(api, "/api/v1/me/payments/", VOLUNTARY)
    assert response.status_code == 201
    body = response.json()
    payment = Payment.objects.get()
    assert (body["code"], body["status"], body["amount"]) == (payment.code, "pending", 1_221_000)
    assert body["redirect_url"].startswith(settings.SITE_URL + "/dev/cong-thanh-toan/?")
    assert query_of(body["redirect_url"])["vnp_TxnRef"] == payment.code
    assert body["receipt_url"] is None
    # Mass assignment: a status or an amount in the request is ignored.
    again = post(api, "/api/v1/me/payments/", {**VOLUNTARY, "status": "paid", "amount": 1})
    assert again.status_code == 201 and again.json()["code"] == payment.code  # same choice
    assert Payment.objects.get().status == "pending"


def test_household_renewal_through_the_api(api, household):
    data = {"kind": "household_bhyt", "months": 12, "members": ["7901234567", "7920100101"]}
    body = post(api, "/api/v1/me/payments/quote/", data).json()
    assert body["amount"] == 2_148_120
    assert [line["share"] for line in body["lines"]] == [100, 70]
    assert body["lines"][1]["valid_from"] == "2027-01-01"
    assert post(api, "/api/v1/me/payments/", data).status_code == 201


def test_list_detail_receipt_and_retry(api, an_user):
    payment = pending_payment(an_user)
    listing = api.get("/api/v1/me/payments/").json()
    assert [p["code"] for p in listing["results"]] == [payment.code]
    assert api.get(f"/api/v1/me/payments/{payment.code}/receipt/").status_code == 404
    ipn(Client(), gateway_params(payment))
    detail = api.get(f"/api/v1/me/payments/{payment.code}/").json()
    assert detail["status"] == "paid" and detail["status_label"] == "Đã thanh toán"
    assert detail["receipt_url"] == f"/api/v1/me/payments/{payment.code}/receipt/"
    receipt = api.get(detail["receipt_url"])
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
    retry = post(api, f"/api/v1/me/payments/{payment.code}/retry/", {})
    assert retry.status_code == 400
    assert retry.json() == {"non_field_errors": ["Giao dịch này không thể thanh toán lại."]}


def test_retry_after_a_cancellation(api, an_user):
    payment = pending_payment(an_user)
    ipn(Client(), gateway_params(payment, outcome="cancel"))
    retry = post(api, f"/api/v1/me/payments/{payment.code}/retry/", {})
    assert retry.status_code == 201
    assert retry.json()["code"] != payment.code and retry.json()["redirect_url"]


def test_another_citizens_payment_is_a_404(api):
    person = PersonFactory(insurance_number="7909999999")
    CardFactory(person=person)
    theirs = pending_payment(CitizenFactory(person=person), start_month=dt.date(2026, 12, 1))
    for url in (
        f"/api/v1/me/payments/{theirs.code}/",
        f"/api/v1/me/payments/{theirs.code}/receipt/",
    ):
        assert api.get(url).status_code == 404
    assert post(api, f"/api/v1/me/payments/{theirs.code}/retry/", {}).status_code == 404
    assert api.get("/api/v1/me/payments/").json()["count"] == 0


def test_anonymous_and_staff_are_refused(client):
    assert client.get("/api/v1/me/payments/").status_code in (401, 403)
    client.force_login(User.objects.create_user("canbo.x", password="x-2026", is_staff=True))
    assert client.get("/api/v1/me/payments/").status_code == 403
    assert post(client, "/api/v1/me/payments/quote/", VOLUNTARY).status_code == 403


def test_the_schema_documents_the_payment_operations(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert "post" in paths["/api/v1/me/payments/"] and "get" in paths["/api/v1/me/payments/"]
    assert "/api/v1/me/payments/quote/" in paths
    assert "/api/v1/me/payments/{code}/retry/" in paths
    assert "201" in paths["/api/v1/me/payments/"]["post"]["responses"]
