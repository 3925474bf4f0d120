"""The payment pages in English (the second language)."""

import pytest

from .payments import pending_payment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def test_the_payment_pages_speak_english(client, an_user):
    client.force_login(an_user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    form = client.get("/ca-nhan/dong-bhxh-tu-nguyen/").content.decode()
    assert "Pay voluntary social insurance" in form
    assert "Monthly income to contribute on (VND)" in form
    assert "Calculate the amount" in form
    quote = client.post(
        "/ca-nhan/dong-bhxh-tu-nguyen/",
        {"income": "1000", "method": "1", "start_month": "2026-12", "action": "quote"},
    ).content.decode()
    assert "The income must be between 1,500,000 VND and 46,800,000 VND." in quote
    payment = pending_payment(an_user)
    detail = client.get(f"/ca-nhan/thanh-toan/{payment.code}/").content.decode()
    assert "Awaiting payment" in detail and "Continue to pay" in detail
