"""The real ``vnpay`` provider class against the loopback gateway, over HTTP.

The fake gateway speaks VNPay's wire format; pointed at it with a merchant
code and secret of its own (``PAYMENT_PROVIDER=vnpay``), the portal goes
through the same redirect, button, server-to-server IPN and return as with
VNPay, all on the live test server (no outside host).
"""

import datetime as dt
import re

import pytest
import requests

from insurance.payments.models import Payment
from insurance.payments.services import payment_gateway_url

from .factories import CardFactory, CitizenFactory, PeriodFactory, PersonFactory
from .payments import pending_payment, query_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def vnpay_at_the_fake(live_server, settings):
    settings.SITE_URL = live_server.url
    settings.PAYMENT_PROVIDER = "vnpay"
    settings.PAYMENT_GATEWAY_URL = live_server.url + "/dev/cong-thanh-toan/"
    settings.PAYMENT_TMN_CODE = "TESTMERC"
    settings.PAYMENT_HASH_SECRET = "vnpay-test-secret-0123456789abcdef"
    settings.PAYMENT_FAKE_GATEWAY = True
    return live_server.url


@pytest.fixture
def payer(db):
    person = PersonFactory(insurance_number="7901234567")
    PeriodFactory(person=person, from_month=dt.date(2015, 1, 1), to_month=dt.date(2024, 6, 1))
    CardFactory(person=person)
    return CitizenFactory(person=person)


def gateway_page(session: requests.Session, url: str) -> tuple[str, str]:
    page = session.get(url, timeout=30)
    assert page.status_code == 200, page.text[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return page.text, token


@pytest.mark.parametrize(
    ("outcome", "status"),
    [("success", Payment.Status.PAID), ("cancel", Payment.Status.CANCELLED)],
)
def test_the_vnpay_provider_pays_through_the_loopback_gateway(
    vnpay_at_the_fake, payer, outcome, status
):
    base = vnpay_at_the_fake
    payment = pending_payment(payer, start_month=dt.date.today().replace(day=1))
    assert payment.provider == "vnpay"
    url = payment_gateway_url(payment=payment, client_ip="203.0.113.5")
    assert url.startswith(base + "/dev/cong-thanh-toan/?")
    assert query_of(url)["vnp_TmnCode"] == "TESTMERC"
    assert query_of(url)["vnp_IpAddr"] == "203.0.113.5"

    session = requests.Session()
    text, token = gateway_page(session, url)
    assert f"{payment.amount:,} đ".replace(",", ".") in text
    done = session.post(
        base + "/dev/cong-thanh-toan/",
        data={"csrfmiddlewaretoken": token, "query": url.split("?", 1)[1], "outcome": outcome},
        headers={"Referer": url},
        allow_redirects=False,
        timeout=30,
    )
    assert done.status_code == 302
    assert done.headers["Location"].startswith(base + "/thanh-toan/ket-qua/?")
    # By then the gateway's IPN has reached the portal (server to server).
    payment.refresh_from_db()
    assert payment.status == status
    assert payment.notices.filter(channel="ipn", result="00").count() == 1

    # The browser's return, here without a session: signed, so logged, then sign-in.
    back = session.get(done.headers["Location"], allow_redirects=False, timeout=30)
    assert back.status_code == 302
    assert back.headers["Location"].endswith(f"/ca-nhan/thanh-toan/{payment.code}/?ket-qua=0")
    assert payment.notices.filter(channel="return", signature_valid=True).count() == 1


def test_a_request_signed_with_another_secret_is_refused_by_the_gateway(
    vnpay_at_the_fake, payer, settings
):
    payment = pending_payment(payer, start_month=dt.date.today().replace(day=1))
    settings.PAYMENT_HASH_SECRET = "not-the-merchant-secret"
    forged = payment_gateway_url(payment=payment)
    settings.PAYMENT_HASH_SECRET = "vnpay-test-secret-0123456789abcdef"
    page = requests.get(forged, timeout=30)
    assert page.status_code == 400
    assert "Sai chữ ký (vnp_SecureHash)." in page.text
