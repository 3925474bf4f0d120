"""Payment gateways: VNPay's wire format, and a loopback fake that speaks it.

A provider turns a payment into the URL the browser is sent to
(``start``), and reads what the gateway sends back: the browser's return
(``parse_return``) and the server-to-server notice (``parse_ipn``). Both
come as a query string signed with HMAC-SHA512 over the sorted ``vnp_*``
parameters, values URL-encoded with ``+`` for spaces, with the merchant's
hash secret (VNPay API 2.1.0; docs/payments.md cites the documentation).

``fake`` is the same class pointed at the portal's own gateway pages
(``/dev/cong-thanh-toan/``, insurance/payments/fake_gateway.py) with a
development merchant code and a secret derived from ``SECRET_KEY``: the
real ``vnpay`` provider class can be tested against that page, never an
outside host.
"""

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote_plus, urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .models import Payment, PaymentKind

# VNPay reads and writes its dates in Vietnam's time (GMT+7).
GATEWAY_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DATE_FORMAT = "%Y%m%d%H%M%S"
VERSION = "2.1.0"
SIGNATURE_FIELDS = ("vnp_SecureHash", "vnp_SecureHashType")
FAKE_TMN_CODE = "VSSIDDEV"

# vnp_ResponseCode values the portal tells apart (VNPay's table).
RESPONSE_SUCCESS = "00"
RESPONSE_CANCELLED = "24"
RESPONSE_EXPIRED = "11"

# What the common failure codes mean to a citizen (VNPay's table [I]).
RESPONSE_MESSAGES = {
    "07": _("giao dịch bị nghi ngờ gian lận"),
    "09": _("thẻ hoặc tài khoản chưa đăng ký Internet Banking"),
    "10": _("xác thực thông tin thẻ hoặc tài khoản sai quá 3 lần"),
    RESPONSE_EXPIRED: _("đã hết thời gian chờ thanh toán"),
    "12": _("thẻ hoặc tài khoản bị khoá"),
    "13": _("nhập sai mật khẩu xác thực giao dịch (OTP)"),
    RESPONSE_CANCELLED: _("bạn đã huỷ giao dịch"),
    "51": _("tài khoản không đủ số dư"),
    "65": _("tài khoản vượt hạn mức giao dịch trong ngày"),
    "75": _("ngân hàng thanh toán đang bảo trì"),
    "79": _("nhập sai mật khẩu thanh toán quá số lần quy định"),
}


def response_message(code: str) -> str:
    """A failure code as words, or the code itself when unknown."""
    message = RESPONSE_MESSAGES.get(code)
    if message is not None:
        return str(message)
    return str(_("mã lỗi {code} của cổng thanh toán")).format(code=code or "?")


# What the IPN answers, as VNPay expects them (RspCode, Message).
IPN_SUCCESS = ("00", "Confirm Success")
IPN_ORDER_NOT_FOUND = ("01", "Order not found")
IPN_ALREADY_CONFIRMED = ("02", "Order already confirmed")
IPN_INVALID_AMOUNT = ("04", "Invalid amount")
IPN_INVALID_SIGNATURE = ("97", "Invalid signature")
IPN_UNKNOWN_ERROR = ("99", "Unknown error")

# Order info: ASCII without diacritics or special characters (VNPay's rule),
# and nothing personal: the kind and the code only.
ORDER_INFO = {
    PaymentKind.VOLUNTARY_BHXH: "Dong BHXH tu nguyen",
    PaymentKind.HOUSEHOLD_BHYT: "Gia han BHYT ho gia dinh",
}


def gateway_date(value: dt.datetime) -> str:
    return timezone.localtime(value, GATEWAY_TZ).strftime(DATE_FORMAT)


def gateway_date_parse(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(value, DATE_FORMAT).replace(tzinfo=GATEWAY_TZ)
    except (TypeError, ValueError):
        return None


def hash_data(params: Mapping[str, str]) -> str:
    """The signed text: sorted ``vnp_*`` pairs, values quote_plus-encoded, joined by ``&``."""
    return "&".join(
        f"{key}={quote_plus(str(value))}"
        for key, value in sorted(params.items())
        if key.startswith("vnp_") and key not in SIGNATURE_FIELDS
    )


def sign(params: Mapping[str, str], secret: str) -> str:
    return hmac.new(secret.encode(), hash_data(params).encode(), hashlib.sha512).hexdigest()


def signature_valid(params: Mapping[str, str], secret: str) -> bool:
    given = str(params.get("vnp_SecureHash", "")).lower()
    return bool(given) and hmac.compare_digest(given, sign(params, secret))


def signed_query(params: Mapping[str, str], secret: str) -> str:
    """``params`` as a query string ending with its ``vnp_SecureHash``."""
    ordered = sorted((k, str(v)) for k, v in params.items() if k not in SIGNATURE_FIELDS)
    return urlencode([*ordered, ("vnp_SecureHash", sign(dict(ordered), secret))])


@dataclass(frozen=True)
class GatewayResult:
    """What a return or an IPN says, once its signature has been checked."""

    signature_valid: bool
    reference: str  # our payment code (vnp_TxnRef)
    amount: int | None  # in đồng; None when vnp_Amount is not a whole number of đồng
    response_code: str
    transaction_status: str
    transaction_no: str
    bank_code: str
    paid_at: dt.datetime | None
    params: dict

    @property
    def succeeded(self) -> bool:
        return self.response_code == RESPONSE_SUCCESS and self.transaction_status in (
            "",
            RESPONSE_SUCCESS,
        )

    @property
    def cancelled(self) -> bool:
        return self.response_code == RESPONSE_CANCELLED


class VnpayProvider:
    """VNPay's payment API 2.1.0: redirect, return URL and IPN."""

    name = "vnpay"

    def __init__(self, *, gateway_url: str, tmn_code: str, hash_secret: str):
        if not (gateway_url and tmn_code and hash_secret):
            raise ImproperlyConfigured(
                "PAYMENT_GATEWAY_URL, PAYMENT_TMN_CODE and PAYMENT_HASH_SECRET must be set."
            )
        self.gateway_url = gateway_url
        self.tmn_code = tmn_code
        self.hash_secret = hash_secret

    def request_params(self, payment: Payment, *, client_ip: str) -> dict[str, str]:
        """The unsigned parameters of the redirect (fixed by the payment's start time)."""
        assert payment.started_at is not None and payment.expires_at is not None
        language = (translation.get_language() or "vi")[:2]
        return {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(payment.amount * 100),  # no decimals: đồng × 100
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": payment.code,
            "vnp_OrderInfo": f"{ORDER_INFO[payment.kind]} {payment.code}",
            "vnp_OrderType": "other",
            "vnp_Locale": "en" if language == "en" else "vn",
            "vnp_ReturnUrl": settings.SITE_URL + reverse("payments:return"),
            "vnp_IpAddr": client_ip or "127.0.0.1",
            "vnp_CreateDate": gateway_date(payment.started_at),
            "vnp_ExpireDate": gateway_date(payment.expires_at),
        }

    def start(self, payment: Payment, *, client_ip: str = "") -> str:
        """The gateway URL to send the payer's browser to."""
        query = signed_query(self.request_params(payment, client_ip=client_ip), self.hash_secret)
        return f"{self.gateway_url}?{query}"

    def _parse(self, params: Mapping[str, str]) -> GatewayResult:
        params = {str(k): str(v) for k, v in params.items()}
        valid = signature_valid(params, self.hash_secret) and (
            params.get("vnp_TmnCode") == self.tmn_code
        )
        raw_amount = params.get("vnp_Amount", "")
        amount = None
        if raw_amount.isdigit() and int(raw_amount) % 100 == 0:
            amount = int(raw_amount) // 100
        return GatewayResult(
            signature_valid=valid,
            reference=params.get("vnp_TxnRef", ""),
            amount=amount,
            response_code=params.get("vnp_ResponseCode", ""),
            transaction_status=params.get("vnp_TransactionStatus", ""),
            transaction_no=params.get("vnp_TransactionNo", ""),
            bank_code=params.get("vnp_BankCode", ""),
            paid_at=gateway_date_parse(params.get("vnp_PayDate", "")),
            params=params,
        )

    def parse_return(self, query: Mapping[str, str]) -> GatewayResult:
        """The browser's return: shown to the payer, never trusted to credit."""
        return self._parse(query)

    def parse_ipn(self, params: Mapping[str, str]) -> GatewayResult:
        """The gateway's server-to-server notice: the only thing that marks paid."""
        return self._parse(params)


class FakeProvider(VnpayProvider):
    """VNPay's format against the portal's own /dev/cong-thanh-toan/ pages."""

    name = "fake"

    def __init__(self):
        super().__init__(
            gateway_url=settings.SITE_URL + reverse("payments:dev-gateway"),
            tmn_code=FAKE_TMN_CODE,
            hash_secret=fake_hash_secret(),
        )


def fake_hash_secret() -> str:
    """The fake merchant's secret: ``PAYMENT_HASH_SECRET`` or one derived from SECRET_KEY."""
    return (
        settings.PAYMENT_HASH_SECRET
        or salted_hmac("insurance.payments.fake", "hash-secret").hexdigest()
    )


def provider_get(name: str | None = None) -> VnpayProvider:
    """The provider named (or ``settings.PAYMENT_PROVIDER``), configured from settings."""
    name = name or settings.PAYMENT_PROVIDER
    if name == "fake":
        return FakeProvider()
    if name == "vnpay":
        return VnpayProvider(
            gateway_url=settings.PAYMENT_GATEWAY_URL,
            tmn_code=settings.PAYMENT_TMN_CODE,
            hash_secret=settings.PAYMENT_HASH_SECRET,
        )
    raise ImproperlyConfigured(f"Unknown PAYMENT_PROVIDER {name!r}: use 'fake' or 'vnpay'.")
