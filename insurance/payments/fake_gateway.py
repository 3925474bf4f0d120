"""/dev/cong-thanh-toan/: a loopback payment gateway with VNPay's wire format.

For development, tests and the demo, in place of the real gateway: it
checks the signed request like VNPay would (merchant code, HMAC-SHA512,
expiry), shows the order and three buttons, "Thanh toán thành công",
"Huỷ" and "Thất bại", then sends the signed IPN to the portal server to
server (GET ``SITE_URL/thanh-toan/ipn/``, as VNPay does) and sends the
browser back to ``vnp_ReturnUrl``. It answers only while
``PAYMENT_FAKE_GATEWAY`` is on (DEBUG, or the fake provider configured);
``check --deploy`` refuses it in production (insurance/checks.py).

The merchant it serves is the configured provider's: the fake merchant
(``PAYMENT_PROVIDER=fake``), or the real ``vnpay`` provider class pointed
here with ``PAYMENT_GATEWAY_URL`` (how the tests exercise the real class
against the same wire format, with no outside host).
"""

import json
import logging
import secrets
import urllib.error
import urllib.request
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from ..formatting import group_digits
from . import providers

logger = logging.getLogger(__name__)

OUTCOMES = {
    # button → (vnp_ResponseCode, vnp_TransactionStatus)
    "success": (providers.RESPONSE_SUCCESS, "00"),
    "cancel": (providers.RESPONSE_CANCELLED, "02"),
    "fail": ("51", "02"),  # VNPay 51: not enough money in the account
}
IPN_TIMEOUT_SECONDS = 10


def _merchant() -> providers.VnpayProvider:
    return providers.provider_get()


def _check(params: dict[str, str]) -> str:
    """Why the gateway refuses this request ("" when it accepts it)."""
    merchant = _merchant()
    if params.get("vnp_TmnCode") != merchant.tmn_code:
        return _("Mã website (vnp_TmnCode) không đúng.")
    if not providers.signature_valid(params, merchant.hash_secret):
        return _("Sai chữ ký (vnp_SecureHash).")
    if params.get("vnp_Command") != "pay" or params.get("vnp_Version") != providers.VERSION:
        return _("Yêu cầu không đúng phiên bản 2.1.0 (vnp_Command=pay).")
    amount = params.get("vnp_Amount", "")
    if not amount.isdigit() or int(amount) % 100:
        return _("Số tiền (vnp_Amount) không hợp lệ.")
    return_url = urlsplit(params.get("vnp_ReturnUrl", ""))
    if return_url.scheme not in ("http", "https") or not return_url.netloc:
        return _("Địa chỉ trả về (vnp_ReturnUrl) không hợp lệ.")
    return ""


def _expired(params: dict[str, str]) -> bool:
    expires = providers.gateway_date_parse(params.get("vnp_ExpireDate", ""))
    return expires is not None and expires < timezone.now()


def ipn_send(query: str) -> str:
    """Call the portal's IPN like VNPay's server does; return its RspCode ("" if none)."""
    url = f"{settings.SITE_URL}{reverse('payments:ipn')}?{query}"
    if urlsplit(url).scheme not in ("http", "https"):
        return ""
    try:
        # The portal's own address (SITE_URL), never an outside host.
        with urllib.request.urlopen(url, timeout=IPN_TIMEOUT_SECONDS) as answer:  # noqa: S310  # nosec B310
            return str(json.loads(answer.read().decode()).get("RspCode", ""))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        logger.warning("fake_gateway.ipn_failed error=%r", exc)
        return ""


class FakeGatewayView(View):
    template_name = "insurance/payments/fake_gateway.html"

    def dispatch(self, request, *args, **kwargs):
        if not settings.PAYMENT_FAKE_GATEWAY:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        params = {k: v for k, v in request.GET.items()}
        return self.show(request, params, query=request.META.get("QUERY_STRING", ""))

    def show(self, request, params: dict[str, str], *, query: str, status: int = 200):
        error = _check(params)
        if not error and _expired(params):
            error = _("Giao dịch đã quá thời gian chờ thanh toán.")
        amount = int(params["vnp_Amount"]) // 100 if not error else 0
        context = {
            "error": error,
            "query": query,
            "order_info": params.get("vnp_OrderInfo", ""),
            "reference": params.get("vnp_TxnRef", ""),
            "merchant": params.get("vnp_TmnCode", ""),
            "amount": group_digits(amount),
            "expires": providers.gateway_date_parse(params.get("vnp_ExpireDate", "")),
        }
        return render(request, self.template_name, context, status=400 if error else status)

    def post(self, request):
        query = request.POST.get("query", "")
        params = dict(parse_qsl(query, keep_blank_values=True))
        error = _check(params)
        if error:
            return self.show(request, params, query=query)
        outcome = request.POST.get("outcome", "")
        if _expired(params):
            response_code, status = providers.RESPONSE_EXPIRED, "02"
        elif outcome in OUTCOMES:
            response_code, status = OUTCOMES[outcome]
        else:
            return self.show(request, params, query=query)
        now = timezone.now()
        success = response_code == providers.RESPONSE_SUCCESS
        result = {
            "vnp_Amount": params["vnp_Amount"],
            "vnp_BankCode": "NCB" if success else "",
            "vnp_BankTranNo": f"VNP{secrets.randbelow(10**8):08d}" if success else "",
            "vnp_CardType": "ATM" if success else "",
            "vnp_OrderInfo": params.get("vnp_OrderInfo", ""),
            "vnp_PayDate": providers.gateway_date(now),
            "vnp_ResponseCode": response_code,
            "vnp_TmnCode": params["vnp_TmnCode"],
            "vnp_TransactionNo": f"{secrets.randbelow(10**8):08d}" if success else "0",
            "vnp_TransactionStatus": status,
            "vnp_TxnRef": params.get("vnp_TxnRef", ""),
        }
        signed = providers.signed_query(result, _merchant().hash_secret)
        answer = ipn_send(signed)
        logger.info("fake_gateway.done outcome=%s ipn=%s", outcome, answer or "none")
        return HttpResponseRedirect(f"{params['vnp_ReturnUrl']}?{signed}")
