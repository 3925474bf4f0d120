"""The payment pages: forms with a server-side quote, confirmation, the gateway and back."""

import datetime as dt
import io
from urllib.parse import urlsplit

from django.core.checks import Error
from django.test import Client

import pytest
from pypdf import PdfReader

from accounts.models import User
from insurance.checks import payment_gateway_check
from insurance.payments import providers
from insurance.payments.models import Payment

from .factories import CardFactory, CitizenFactory, PersonFactory
from .payments import gateway_params, ipn, pending_payment, query_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

PAGES = [
    "/ca-nhan/dong-bhxh-tu-nguyen/",
    "/ca-nhan/gia-han-bhyt/",
    "/ca-nhan/thanh-toan/",
]
FORM = {"income": "2.000.000", "method": "3", "start_month": "2026-12"}


@pytest.fixture
def signed_in(client, an_user):
    client.force_login(an_user)
    return client


@pytest.fixture
def other_payment(db):
    """A payment of somebody else (Trần Thị Bích)."""
    person = PersonFactory(insurance_number="7909999999", full_name="Trần Thị Bích")
    CardFactory(person=person)
    return pending_payment(CitizenFactory(person=person))


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/?next=")


def test_the_voluntary_form_states_the_limits_and_starts_this_month(signed_in):
    page = signed_in.get("/ca-nhan/dong-bhxh-tu-nguyen/").content.decode()
    assert "Từ 1.500.000 đồng (chuẩn hộ nghèo khu vực nông thôn) đến 46.800.000 đồng" in page
    assert 'value="2026-12"' in page
    assert 'type="month"' in page
    assert "Tính số tiền" in page


def test_the_history_gap_link_prefills_the_start_and_the_missing_months(signed_in):
    page = signed_in.get("/ca-nhan/dong-bhxh-tu-nguyen/?tu-thang=2024-07").content.decode()
    assert 'value="2024-07"' in page
    assert 'name="months" value="29"' in page  # 07/2024–11/2026 have no BHXH
    assert 'value="backpay" id="id_method_5" required checked' in page


def test_a_wrong_income_is_an_error_next_to_the_field_and_the_input_is_kept(signed_in):
    response = signed_in.post(
        "/ca-nhan/dong-bhxh-tu-nguyen/", {**FORM, "income": "900.000", "action": "quote"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_income_error"' in page
    assert "Mức thu nhập phải từ 1.500.000 đồng đến 46.800.000 đồng." in page
    assert 'value="900.000"' in page
    assert "Số tiền phải nộp" not in page


def test_injection_in_a_field_is_an_escaped_error_never_a_500(signed_in):
    response = signed_in.post(
        "/ca-nhan/dong-bhxh-tu-nguyen/",
        {**FORM, "start_month": "<script>alert(1)</script>", "action": "quote"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "Nhập tháng theo dạng MM/YYYY" in page


def test_quote_confirm_and_pay_send_the_browser_to_the_gateway(signed_in, settings):
    quote = signed_in.post("/ca-nhan/dong-bhxh-tu-nguyen/", {**FORM, "action": "quote"})
    page = quote.content.decode()
    # 2,000,000 × 22% = 440,000 − 33,000 support = 407,000 × 3 months.
    assert "1.221.000\xa0đ" in page
    assert "407.000\xa0đ × 3 = 1.221.000\xa0đ" in page
    assert "12/2026 – 02/2027" in page
    assert not Payment.objects.exists()

    confirm = signed_in.post("/ca-nhan/dong-bhxh-tu-nguyen/", {**FORM, "action": "confirm"})
    page = confirm.content.decode()
    assert "Xác nhận thanh toán" in page
    assert '<input type="hidden" name="income" value="2.000.000"' in page
    assert "3 tháng một lần" in page

    back = signed_in.post("/ca-nhan/dong-bhxh-tu-nguyen/", {**FORM, "action": "edit"})
    assert 'value="2.000.000"' in back.content.decode()
    assert "field-errors" not in back.content.decode()

    paid = signed_in.post("/ca-nhan/dong-bhxh-tu-nguyen/", {**FORM, "action": "pay"})
    assert paid.status_code == 302
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.PENDING and payment.amount == 1_221_000
    url = urlsplit(paid["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == settings.SITE_URL + "/dev/cong-thanh-toan/"
    params = query_of(paid["Location"])
    assert params["vnp_Amount"] == "122100000"  # đồng × 100
    assert params["vnp_TxnRef"] == payment.code
    assert params["vnp_ReturnUrl"] == settings.SITE_URL + "/thanh-toan/ket-qua/"
    assert params["vnp_CreateDate"] == "20261205100000"
    assert params["vnp_ExpireDate"] == "20261205101500"
    assert params["vnp_OrderInfo"] == f"Dong BHXH tu nguyen {payment.code}"
    assert providers.signature_valid(params, providers.fake_hash_secret())
    # No personal data travels to the gateway.
    assert "7901234567" not in paid["Location"] and "An" not in params["vnp_OrderInfo"]
    # "Thanh toán" pressed again (double click, reload): the same transaction.
    again = signed_in.post("/ca-nhan/dong-bhxh-tu-nguyen/", {**FORM, "action": "pay"})
    assert again.status_code == 302
    assert query_of(again["Location"])["vnp_TxnRef"] == payment.code
    assert Payment.objects.count() == 1


def test_the_household_form_lists_who_can_be_renewed_and_why_not(signed_in, household):
    baby = PersonFactory(
        insurance_number="7920250101", full_name="Nguyễn Văn Cún", date_of_birth=dt.date(2025, 1, 1)
    )
    CardFactory(person=baby, group="TE", valid_to=dt.date(2030, 9, 30))
    baby_user = CitizenFactory(person=baby)
    baby_user.guardian = household["child_user"].guardian
    baby_user.save()
    page = signed_in.get("/ca-nhan/gia-han-bhyt/").content.decode()
    assert "Nguyễn Thị Bình" in page and "Thẻ mới có giá trị từ 01/01/2027" in page
    assert "Trẻ em dưới 6 tuổi được cấp thẻ BHYT miễn phí" in page
    assert 'value="7920250101" id="id_members_2" disabled' in page

    quote = signed_in.post(
        "/ca-nhan/gia-han-bhyt/",
        {"members": ["7901234567", "7920100101"], "months": "6", "action": "quote"},
    ).content.decode()
    assert "Người thứ 2: đóng 70% mức của người thứ nhất" in quote
    assert "73.710\xa0đ × 6 = <strong>442.260\xa0đ</strong>" in quote
    assert "1.074.060\xa0đ" in quote  # 631,800 + 442,260

    refused = signed_in.post(
        "/ca-nhan/gia-han-bhyt/", {"members": ["7920250101"], "months": "6", "action": "quote"}
    ).content.decode()
    assert "Nguyễn Văn Cún: Trẻ em dưới 6 tuổi" in refused


def test_list_and_detail_show_the_payment_and_its_state(signed_in, an_user):
    payment = pending_payment(an_user)
    listing = signed_in.get("/ca-nhan/thanh-toan/").content.decode()
    assert payment.code in listing and "Chờ thanh toán" in listing and "1.221.000" in listing
    detail = signed_in.get(f"/ca-nhan/thanh-toan/{payment.code}/").content.decode()
    assert "Tiếp tục thanh toán" in detail
    assert "/dev/cong-thanh-toan/?" in detail
    assert 'http-equiv="refresh"' not in detail  # only while back from the gateway


def test_an_empty_list_offers_the_two_services(signed_in):
    page = signed_in.get("/ca-nhan/thanh-toan/").content.decode()
    assert "Bạn chưa có giao dịch thanh toán nào qua cổng này." in page
    assert "/ca-nhan/dong-bhxh-tu-nguyen/" in page and "/ca-nhan/gia-han-bhyt/" in page


def test_the_return_page_gives_up_waiting_after_a_minute(signed_in, an_user):
    payment = pending_payment(an_user)
    page = signed_in.get(f"/ca-nhan/thanh-toan/{payment.code}/?ket-qua=5").content.decode()
    assert 'content="3;url=?ket-qua=6"' in page
    page = signed_in.get(f"/ca-nhan/thanh-toan/{payment.code}/?ket-qua=20").content.decode()
    assert 'http-equiv="refresh"' not in page
    assert "Chưa nhận được xác nhận từ cổng thanh toán" in page


def test_the_receipt_is_a_pdf_of_the_paid_payment(signed_in, an_user):
    payment = pending_payment(an_user)
    assert signed_in.get(f"/ca-nhan/thanh-toan/{payment.code}/bien-lai.pdf").status_code == 404
    ipn(Client(), gateway_params(payment))
    response = signed_in.get(f"/ca-nhan/thanh-toan/{payment.code}/bien-lai.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="bien-lai-{payment.code}.pdf"'
    assert "no-store" in response["Cache-Control"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "BIÊN LAI THU TIỀN" in text
    assert payment.code in text and "14831393" in text
    assert "Tổng số tiền đã nộp: 1.221.000 đồng" in text
    assert "12/2026–02/2027" in text
    assert "Nhà nước hỗ trợ 33.000 đ/tháng" in text


@pytest.mark.parametrize(
    "suffix", ["", "bien-lai.pdf", "thanh-toan-lai/"], ids=["detail", "receipt", "retry"]
)
def test_another_citizens_payment_is_a_404(signed_in, other_payment, suffix):
    url = f"/ca-nhan/thanh-toan/{other_payment.code}/{suffix}"
    assert signed_in.get(url).status_code in (404, 405)
    assert signed_in.post(url).status_code in (404, 405)
    assert other_payment.code not in signed_in.get("/ca-nhan/thanh-toan/").content.decode()


def test_staff_have_no_payment_pages(client, other_payment):
    clerk = User.objects.create_user("canbo.test", password="x-canbo-2026", is_staff=True)
    client.force_login(clerk)
    assert client.get("/ca-nhan/dong-bhxh-tu-nguyen/").status_code == 403
    assert client.get(f"/ca-nhan/thanh-toan/{other_payment.code}/").status_code == 403


def test_pay_again_after_a_failure_opens_a_new_transaction(signed_in, an_user):
    payment = pending_payment(an_user)
    assert signed_in.post(f"/ca-nhan/thanh-toan/{payment.code}/thanh-toan-lai/").status_code == 302
    assert Payment.objects.count() == 1  # still pending: nothing to retry
    ipn(Client(), gateway_params(payment, outcome="fail"))
    detail = signed_in.get(f"/ca-nhan/thanh-toan/{payment.code}/").content.decode()
    assert "tài khoản không đủ số dư" in detail and "Thanh toán lại" in detail
    response = signed_in.post(f"/ca-nhan/thanh-toan/{payment.code}/thanh-toan-lai/")
    assert response.status_code == 302 and "/dev/cong-thanh-toan/?" in response["Location"]
    again = Payment.objects.exclude(pk=payment.pk).get()
    assert (again.status, again.amount, again.months) == ("pending", payment.amount, 3)


def test_the_fake_gateway_checks_the_signature_and_sends_the_ipn(signed_in, an_user, monkeypatch):
    payment = pending_payment(an_user)
    url = urlsplit(providers.provider_get().start(payment))
    gateway = Client()
    page = gateway.get(f"{url.path}?{url.query}")
    assert page.status_code == 200
    assert "1.221.000 đ" in page.content.decode()
    forged = gateway.get(
        f"{url.path}?{url.query.replace('vnp_Amount=122100000', 'vnp_Amount=100')}"
    )
    assert forged.status_code == 400
    assert "Sai chữ ký (vnp_SecureHash)." in forged.content.decode()

    sent = []
    monkeypatch.setattr(
        "insurance.payments.fake_gateway.ipn_send",
        lambda query: (
            sent.append(query) or Client().get(f"/thanh-toan/ipn/?{query}").json()["RspCode"]
        ),
    )
    done = gateway.post(url.path, {"query": url.query, "outcome": "success"})
    assert done.status_code == 302
    assert done["Location"].startswith("http://127.0.0.1:8000/thanh-toan/ket-qua/?")
    assert len(sent) == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID


def test_the_fake_gateway_is_closed_when_turned_off(client, settings):
    settings.PAYMENT_FAKE_GATEWAY = False
    assert client.get("/dev/cong-thanh-toan/").status_code == 404


def test_deploy_checks_refuse_the_fake_gateway_and_an_incomplete_merchant(settings):
    settings.DEBUG = False
    settings.PAYMENT_PROVIDER, settings.PAYMENT_FAKE_GATEWAY = "fake", True
    assert [e.id for e in payment_gateway_check(None)] == ["insurance.E011"]
    settings.PAYMENT_PROVIDER, settings.PAYMENT_FAKE_GATEWAY = "vnpay", False
    settings.PAYMENT_TMN_CODE = ""
    [error] = payment_gateway_check(None)
    assert isinstance(error, Error) and error.id == "insurance.E012"
    assert "PAYMENT_GATEWAY_URL" in error.msg and "PAYMENT_TMN_CODE" in error.msg
    settings.PAYMENT_GATEWAY_URL = "http://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    settings.PAYMENT_TMN_CODE, settings.PAYMENT_HASH_SECRET = "2QXUI4J4", "s" * 32
    assert [e.id for e in payment_gateway_check(None)] == ["insurance.E013"]
    settings.PAYMENT_GATEWAY_URL = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    assert payment_gateway_check(None) == []


def test_the_dashboard_links_to_the_payment_services(signed_in):
    page = signed_in.get("/ca-nhan/").content.decode()
    for url in PAGES:
        assert f'href="{url}"' in page


def test_the_receipt_is_signed_and_verifiable_without_personal_data(signed_in, an_user):
    from insurance.models import IssuedDocument
    from insurance.verification import document_file_check

    payment = pending_payment(an_user)
    ipn(Client(), gateway_params(payment))
    pdf = signed_in.get(f"/ca-nhan/thanh-toan/{payment.code}/bien-lai.pdf").content
    document = IssuedDocument.objects.get(kind="payment_receipt")
    assert document.summary["payment_code"] == payment.code
    assert document.summary["amount"] == payment.amount
    assert document.valid_until is None
    assert document_file_check(data=pdf).result == "authentic"
    page = Client().get(f"/xac-thuc/{document.code}/").content.decode()
    assert "Hợp lệ, còn hiệu lực" in page and payment.code in page
    assert an_user.username not in page and (an_user.full_name or "@@") not in page
    altered = pdf.replace(b"/Producer", b"/Producex", 1)
    assert document_file_check(data=altered).result != "authentic"
