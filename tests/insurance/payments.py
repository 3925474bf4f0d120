"""Helpers of the payment tests: choices, payments and what the gateway sends back.

The fixtures (a registry person with a gap in the history, a household)
are in ``conftest.py``.
"""

import datetime as dt
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from insurance.payments import providers
from insurance.payments.models import Payment
from insurance.payments.services import PaymentChoice, payment_create

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 12, 5, 10, 0, tzinfo=VN)
TODAY = NOW.date()


def voluntary_choice(**overrides) -> PaymentChoice:
    values = {
        "kind": Payment.Kind.VOLUNTARY_BHXH,
        "income": 2_000_000,
        "method": Payment.Method.QUARTERLY,
        "start_month": dt.date(2026, 12, 1),
    }
    return PaymentChoice(**{**values, **overrides})


def pending_payment(user, **overrides) -> Payment:
    return payment_create(payer=user, choice=voluntary_choice(**overrides))


def gateway_params(payment: Payment, *, outcome: str = "success", **changes) -> dict[str, str]:
    """What the gateway sends back for ``payment`` (return and IPN), signed."""
    codes = {"success": ("00", "00"), "cancel": ("24", "02"), "fail": ("51", "02")}
    response, status = codes[outcome]
    params = {
        "vnp_Amount": str(payment.amount * 100),
        "vnp_BankCode": "NCB",
        "vnp_OrderInfo": f"Dong BHXH tu nguyen {payment.code}",
        "vnp_PayDate": "20261205101500",
        "vnp_ResponseCode": response,
        "vnp_TmnCode": providers.provider_get().tmn_code,
        "vnp_TransactionNo": "14831393" if outcome == "success" else "0",
        "vnp_TransactionStatus": status,
        "vnp_TxnRef": payment.code,
        **changes,
    }
    return dict(parse_qsl(providers.signed_query(params, providers.provider_get().hash_secret)))


def ipn(client, params: dict[str, str]) -> dict:
    response = client.get("/thanh-toan/ipn/", params)
    assert response.status_code == 200
    return response.json()


def query_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
