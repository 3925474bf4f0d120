"""The gateway's notice (IPN): the only thing that marks a payment paid, and only once.

Answers as VNPay expects them: 00 recorded, 02 already settled, 01 unknown
order, 04 wrong amount, 97 bad signature. The browser's return never credits.
"""

import datetime as dt
import threading

from django.db import connection
from django.test import Client

import pytest

from insurance.models import HealthInsuranceCard, ParticipationPeriod
from insurance.payments.models import Payment, PaymentNotice
from insurance.payments.services import (
    PaymentChoice,
    payment_create,
    payment_ipn_handle,
    payments_expire,
)
from notifications.models import Message

from .payments import gateway_params, ipn, pending_payment

pytestmark = pytest.mark.django_db


def bhxh_voluntary(person):
    return ParticipationPeriod.objects.filter(
        person=person, insurance_type="bhxh", employer_code="BHXHTN"
    )


def test_a_signed_success_marks_paid_and_credits_the_months_once(
    client, an, an_user, frozen, django_capture_on_commit_callbacks
):
    payment = pending_payment(an_user)
    assert payment.status == Payment.Status.PENDING
    assert payment.amount == 3 * (440_000 - 33_000)  # 2,000,000 × 22%, 10% of 330,000 back
    params = gateway_params(payment)
    with django_capture_on_commit_callbacks(execute=True):
        assert ipn(client, params) == {"RspCode": "00", "Message": "Confirm Success"}
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert payment.provider_transaction_no == "14831393"
    assert payment.paid_at is not None
    [period] = bhxh_voluntary(an)
    assert (period.from_month, period.to_month) == (dt.date(2026, 12, 1), dt.date(2027, 2, 1))
    assert (period.salary, period.rate, period.status) == (2_000_000, 22, "paid")

    # The gateway repeats itself (it does, until it hears 00 or 02): no second credit.
    assert ipn(client, params) == {"RspCode": "02", "Message": "Order already confirmed"}
    assert bhxh_voluntary(an).count() == 1
    sms = Message.objects.filter(template="payment_paid", channel="sms")
    assert sms.count() == 1
    # A pointer, no personal data: the code and a link to the account's pages
    # (the payment's page; the message centre's entry once it exists).
    assert payment.code in sms[0].text and "http://127.0.0.1:8000/ca-nhan/" in sms[0].text
    assert an.full_name not in sms[0].text and an.insurance_number not in sms[0].text
    notices = PaymentNotice.objects.filter(payment=payment, channel="ipn").order_by("pk")
    assert [n.result for n in notices] == ["00", "02"]
    assert notices[0].params["vnp_TxnRef"] == payment.code


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda p: {**p, "vnp_SecureHash": "0" * 128}, id="forged"),
        pytest.param(lambda p: {k: v for k, v in p.items() if k != "vnp_SecureHash"}, id="missing"),
        pytest.param(lambda p: {**p, "vnp_ResponseCode": "00", "vnp_Amount": "100"}, id="altered"),
    ],
)
def test_a_bad_or_missing_signature_is_97_and_credits_nothing(client, an, an_user, frozen, tamper):
    payment = pending_payment(an_user)
    assert ipn(client, tamper(gateway_params(payment))) == {
        "RspCode": "97",
        "Message": "Invalid signature",
    }
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert not bhxh_voluntary(an).exists()
    # Logged for audit all the same, with no payment attached (it is unproven).
    notice = PaymentNotice.objects.get()
    assert (notice.signature_valid, notice.result, notice.payment) == (False, "97", None)


def test_a_notice_signed_with_another_secret_is_97(client, an, an_user, frozen, settings):
    payment = pending_payment(an_user)
    settings.PAYMENT_HASH_SECRET = "a-secret-the-portal-does-not-use"
    params = gateway_params(payment)
    settings.PAYMENT_HASH_SECRET = ""
    assert ipn(client, params)["RspCode"] == "97"


def test_a_wrong_amount_is_04_and_credits_nothing(client, an, an_user, frozen):
    payment = pending_payment(an_user)
    params = gateway_params(payment, vnp_Amount=str((payment.amount - 1000) * 100))
    assert ipn(client, params) == {"RspCode": "04", "Message": "Invalid amount"}
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert not bhxh_voluntary(an).exists()


def test_an_unknown_order_is_01(client, an, an_user, frozen):
    payment = pending_payment(an_user)
    params = gateway_params(payment, vnp_TxnRef="TT261205ZZZZZZZZ")
    assert ipn(client, params) == {"RspCode": "01", "Message": "Order not found"}


@pytest.mark.parametrize(
    ("outcome", "status", "code"),
    [("cancel", Payment.Status.CANCELLED, "24"), ("fail", Payment.Status.FAILED, "51")],
)
def test_cancel_and_failure_are_recorded_without_credit(
    client, an, an_user, frozen, outcome, status, code
):
    payment = pending_payment(an_user)
    assert ipn(client, gateway_params(payment, outcome=outcome))["RspCode"] == "00"
    payment.refresh_from_db()
    assert (payment.status, payment.response_code) == (status, code)
    assert payment.closed_at is not None
    assert not bhxh_voluntary(an).exists()
    # The months are free again: paying for them anew is allowed.
    again = pending_payment(an_user)
    assert again.pk != payment.pk


def test_the_return_url_never_credits(client, an, an_user, frozen):
    """A browser (or anyone with a URL) coming back signed as "success": nothing moves."""
    payment = pending_payment(an_user)
    client.force_login(an_user)
    response = client.get("/thanh-toan/ket-qua/", gateway_params(payment))
    assert response.status_code == 302
    assert response["Location"] == f"/ca-nhan/thanh-toan/{payment.code}/?ket-qua=0"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert not bhxh_voluntary(an).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Đang chờ cổng thanh toán xác nhận" in page
    assert 'http-equiv="refresh"' in page

    ipn(Client(), gateway_params(payment))
    page = client.get(response["Location"]).content.decode()
    assert "Đã nhận tiền lúc" in page
    assert 'http-equiv="refresh"' not in page
    assert f"/ca-nhan/thanh-toan/{payment.code}/bien-lai.pdf" in page


def test_a_forged_return_is_refused_and_changes_nothing(client, an, an_user, frozen):
    payment = pending_payment(an_user)
    client.force_login(an_user)
    params = {**gateway_params(payment), "vnp_SecureHash": "ab" * 64}
    response = client.get("/thanh-toan/ket-qua/", params)
    assert response.status_code == 400
    assert "Không xác thực được kết quả thanh toán" in response.content.decode()
    assert not PaymentNotice.objects.exists()  # unsigned returns are not even logged


def test_pending_payments_expire_and_a_late_success_still_counts(client, an, an_user, frozen):
    payment = pending_payment(an_user)
    frozen.shift(dt.timedelta(minutes=29))
    assert payments_expire() == 0  # 15 minutes at the gateway + 15 of grace
    frozen.shift(dt.timedelta(minutes=2))
    assert payments_expire() == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.EXPIRED
    # The money was taken after all (the gateway retried its notice): credited.
    assert ipn(client, gateway_params(payment))["RspCode"] == "00"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID and not payment.refund_due
    assert bhxh_voluntary(an).count() == 1


def test_a_late_success_for_months_paid_again_is_kept_for_refund(client, an, an_user, frozen):
    first = pending_payment(an_user)
    frozen.shift(dt.timedelta(minutes=31))
    payments_expire()
    second = pending_payment(an_user)
    assert ipn(client, gateway_params(second))["RspCode"] == "00"
    assert ipn(client, gateway_params(first))["RspCode"] == "00"
    first.refresh_from_db()
    assert first.status == Payment.Status.PAID and first.refund_due
    assert bhxh_voluntary(an).count() == 1  # the months once


def test_an_error_while_crediting_answers_99_and_leaves_the_payment_open(
    client, an, an_user, frozen, monkeypatch
):
    payment = pending_payment(an_user)

    def broken(**kwargs):
        raise RuntimeError("registry down")

    monkeypatch.setattr("insurance.payments.services._voluntary_credit", broken)
    assert ipn(client, gateway_params(payment))["RspCode"] == "99"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING  # rolled back: the gateway retries
    monkeypatch.undo()
    assert ipn(client, gateway_params(payment))["RspCode"] == "00"
    assert bhxh_voluntary(an).count() == 1


def test_household_renewal_extends_both_cards_and_adds_bhyt_months(
    client, household, an_user, frozen
):
    payment = payment_create(
        payer=an_user,
        choice=PaymentChoice(
            kind=Payment.Kind.HOUSEHOLD_BHYT,
            months=12,
            members=("7901234567", "7920100101"),
        ),
    )
    assert payment.amount == 1_263_600 + 884_520
    assert ipn(client, gateway_params(payment))["RspCode"] == "00"
    for person, rate in ((household["an"], "4.50"), (household["child"], "3.15")):
        card = HealthInsuranceCard.objects.get(person=person)
        assert card.valid_to == dt.date(2027, 12, 31)
        period = ParticipationPeriod.objects.get(person=person, employer_code="BHYTHGD")
        assert (period.from_month, period.to_month) == (dt.date(2027, 1, 1), dt.date(2027, 12, 1))
        assert str(period.rate) == rate


def test_the_history_page_shows_the_paid_months_on_the_next_request(
    client, an, an_user, settings, django_capture_on_commit_callbacks
):
    """The records cache is on; the credit goes through the ORM, so it starts a new generation."""
    settings.RECORDS_CACHE_SECONDS = 300
    client.force_login(an_user)
    today = dt.date.today().replace(day=1)
    before = client.get("/ca-nhan/qua-trinh-tham-gia/").content.decode()
    assert "Tham gia BHXH tự nguyện" not in before
    payment = pending_payment(an_user, start_month=today)
    with django_capture_on_commit_callbacks(execute=True):
        ipn(Client(), gateway_params(payment))
    after = client.get("/ca-nhan/qua-trinh-tham-gia/").content.decode()
    assert "Tham gia BHXH tự nguyện" in after
    assert today.strftime("%m/%Y") in after


@pytest.mark.postgres
def test_two_identical_notices_at_once_credit_once(transactional_db, postgres_db):
    """Two gateway retries land together on PostgreSQL: the row lock lets one through."""
    from .factories import CardFactory, CitizenFactory, PeriodFactory, PersonFactory

    person = PersonFactory(insurance_number="7901234567")
    PeriodFactory(person=person, from_month=dt.date(2015, 1, 1), to_month=dt.date(2024, 6, 1))
    CardFactory(person=person)
    user = CitizenFactory(person=person)
    user.phone, user.email = "+84901234567", "an@example.vn"
    user.save()
    payment = pending_payment(user, start_month=dt.date.today().replace(day=1))
    params = gateway_params(payment)
    barrier = threading.Barrier(2)
    answers = []

    def notify():
        try:
            barrier.wait(timeout=10)
            answers.append(payment_ipn_handle(params=params)[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=notify) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(answers) == ["00", "02"]
    assert bhxh_voluntary(person).count() == 1
    assert Message.objects.filter(template="payment_paid").count() == 2  # SMS + e-mail, once
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PAID


def test_the_periodic_task_expires_stale_pending_payments(an, an_user, frozen):
    from insurance.tasks import payments_expire_task

    payment = pending_payment(an_user)
    frozen.shift(dt.timedelta(minutes=31))
    assert payments_expire_task.delay().get() == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.EXPIRED and payment.closed_at is not None
