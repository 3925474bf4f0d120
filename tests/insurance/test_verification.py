"""Verifiable PDFs: issued with code, QR and signature; told apart on /xac-thuc/ and the API.

A third party (employer, bank, clinic) holds a paper or a file. The page
must say which of these it is: valid and current, valid but expired,
superseded by newer registry data, unknown code (forged); and for a file:
exactly the issued one, altered after signing (bytes changed, something
appended, signed again by someone else), or not the portal's at all.
"""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

import pytest
import time_machine

from insurance.models import IssuedDocument
from insurance.pdf import card_attestation_issue, history_extract_issue
from insurance.verification import (
    document_code_display,
    document_code_normalise,
    document_supersede,
    mask_card_number,
    mask_insurance_number,
    mask_name,
)

from .factories import CardFactory, CitizenFactory, PeriodFactory, PersonFactory
from .pdf_tools import (
    bytes_changed,
    info_changed,
    other_signer,
    pdf_text,
    qr_texts,
    signed_by,
)

pytestmark = pytest.mark.django_db

VALID = "Hợp lệ, còn hiệu lực"
EXPIRED = "Hợp lệ nhưng đã hết hạn"
SUPERSEDED = "Đã được thay thế bởi dữ liệu mới"
NOT_FOUND = "Không tìm thấy mã"
AUTHENTIC = "Chữ ký hợp lệ, đúng bản đã cấp"
ALTERED = "Tệp đã bị sửa sau khi ký"
FORGED = "Không phải tài liệu do cổng cấp"
PERSONAL = ["Nguyễn Văn An", "7901234567", "079090001234", "Đường số 3", "15/05/1990"]


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def an():
    person = PersonFactory(insurance_number="7901234567", full_name="Nguyễn Văn An")
    CardFactory(
        person=person,
        valid_from=today() - dt.timedelta(days=30),
        valid_to=today() + dt.timedelta(days=200),
    )
    PeriodFactory(person=person, from_month=dt.date(2019, 1, 1), to_month=dt.date(2020, 12, 1))
    PeriodFactory(
        person=person,
        from_month=dt.date(2021, 1, 1),
        to_month=dt.date(2021, 3, 1),
        employer_code="NO0001",
        employer_name="Công ty Cổ phần Vận tải Biển Khánh Hội",
        status="owed",
    )
    return person


@pytest.fixture
def signed_in(client, an):
    client.force_login(CitizenFactory(person=an))
    return client


def extract(person) -> tuple[IssuedDocument, bytes]:
    return history_extract_issue(person=person, today=today())


def attestation(person) -> tuple[IssuedDocument, bytes]:
    return card_attestation_issue(card=person.cards.get(), person=person, today=today())


def page(client, code: str) -> tuple[int, str]:
    response = client.get(f"/xac-thuc/{code}/")
    return response.status_code, response.content.decode().replace("\xa0", " ")


def upload(client, data: bytes, name: str = "tai-lieu.pdf"):
    return client.post(
        "/xac-thuc/kiem-tra-tep/",
        {"tep": SimpleUploadedFile(name, data, content_type="application/pdf")},
    )


def upload_api(client, data: bytes):
    return client.post(
        "/api/v1/documents/verify-file/",
        {"file": SimpleUploadedFile("x.pdf", data, content_type="application/pdf")},
    )


# MASKING AND CODES -----------------------------------------------------------
def test_masking_keeps_the_family_name_initials_and_the_ends_of_numbers():
    assert mask_name("Nguyễn Văn An") == "Nguyễn V*** A***"
    assert mask_name("Nguyễn Thị Ngọc Hương") == "Nguyễn T*** N*** H***"
    assert mask_name("Y Moan") == "Y M***"
    assert mask_insurance_number("7901234567") == "79******67"
    assert mask_card_number("DN4790123456789") == "DN47901******89"
    assert mask_card_number("7901234567") == "79******67"


def test_codes_are_twelve_unambiguous_characters_read_with_or_without_dashes(an):
    record, _pdf = extract(an)
    assert len(record.code) == 12
    assert not set(record.code) & set("01ILOU")
    display = document_code_display(record.code)
    assert display.count("-") == 2
    assert document_code_normalise(display.lower().replace("-", " ")) == record.code
    assert document_code_normalise("ABCD-EFGH-JKM0") is None  # a zero is never in a code
    assert document_code_normalise("ABCD") is None


# ISSUING EACH KIND -----------------------------------------------------------
@pytest.mark.parametrize("issue", [extract, attestation], ids=["extract", "card"])
def test_each_pdf_carries_the_code_and_a_qr_leading_to_its_page(an, issue):
    record, pdf = issue(an)
    text = pdf_text(pdf)
    assert document_code_display(record.code) in text
    assert "TÀI LIỆU ĐIỆN TỬ CÓ MÃ XÁC THỰC" in text
    assert qr_texts(pdf) == [f"http://127.0.0.1:8000/xac-thuc/{record.code}/"]
    assert "Nguyễn Văn An" in text  # the document itself is complete; only the page masks


def test_each_download_is_a_new_document_with_its_own_code(signed_in, an):
    first = signed_in.get("/ca-nhan/the-bhyt/xac-nhan.pdf")
    second = signed_in.get("/ca-nhan/the-bhyt/xac-nhan.pdf")
    assert first["Content-Type"] == "application/pdf"
    assert "xac-nhan-the-bhyt-7901234567.pdf" in first["Content-Disposition"]
    assert "private" in first["Cache-Control"]
    assert IssuedDocument.objects.filter(kind="card_attestation").count() == 2
    assert qr_texts(first.content) != qr_texts(second.content)


def test_card_attestation_lists_the_card_and_is_valid_while_the_card_is(signed_in, an):
    response = signed_in.get("/ca-nhan/the-bhyt/xac-nhan.pdf")
    text = pdf_text(response.content)
    for words in ["GIẤY XÁC NHẬN THÔNG TIN THẺ BẢO HIỂM Y TẾ", "79 012 34567", "79 - 011"]:
        assert words in text
    record = IssuedDocument.objects.get()
    assert record.valid_until == an.cards.get().valid_to
    assert record.subject == an.cards.get()


def test_the_card_page_offers_the_attestation(signed_in):
    html = signed_in.get("/ca-nhan/the-bhyt/").content.decode()
    assert 'href="/ca-nhan/the-bhyt/xac-nhan.pdf"' in html
    assert "Giấy xác nhận thẻ BHYT (PDF)" in html


def test_no_card_no_attestation(client):
    client.force_login(CitizenFactory(person=PersonFactory(insurance_number="7911111111")))
    assert client.get("/ca-nhan/the-bhyt/xac-nhan.pdf").status_code == 404
    assert client.get("/api/v1/me/card/attestation").status_code == 404
    assert not IssuedDocument.objects.exists()


def test_api_serves_both_pdfs_to_the_citizen(signed_in):
    card = signed_in.get("/api/v1/me/card/attestation")
    history = signed_in.get("/api/v1/me/history/extract")
    assert card["Content-Type"] == history["Content-Type"] == "application/pdf"
    assert "GIẤY XÁC NHẬN" in pdf_text(card.content)
    assert "TRÍCH XUẤT" in pdf_text(history.content)
    kinds = set(IssuedDocument.objects.values_list("kind", flat=True))
    assert kinds == {"card_attestation", "participation_extract"}


# VERIFYING BY CODE ------------------------------------------------------------
def test_a_valid_extract_shows_its_masked_facts_and_nothing_personal(client, an):
    record, _pdf = extract(an)
    status, html = page(client, record.code)
    assert status == 200
    assert VALID in html
    assert "Trích xuất quá trình tham gia BHXH, BHYT, BHTN" in html
    for shown in ["Nguyễn V*** A***", "79******67", "1990", "2 năm 3 tháng", "3 tháng"]:
        assert shown in html, shown
    assert "Công ty Cổ phần Vận tải Biển Khánh Hội" in html  # the latest employer
    for secret in PERSONAL:
        assert secret not in html, secret
    assert "noindex" in client.get(f"/xac-thuc/{record.code}/")["X-Robots-Tag"]


def test_the_api_gives_the_same_verdict_as_json(client, an):
    record, _pdf = attestation(an)
    body = client.get(f"/api/v1/documents/{record.code}/").json()
    assert body["status"] == "valid" and body["verdict"] == VALID
    assert body["kind"] == "card_attestation" and body["code"] == document_code_display(record.code)
    facts = {fact["key"]: fact["value"] for fact in body["facts"]}
    assert facts["holder_name"] == "Nguyễn V*** A***"
    assert facts["card_number"] == "79******67"
    assert facts["kcb_facility"] == "79 - 011 · Trung tâm Y tế Quận 4"
    assert body["valid_until"] == record.valid_until.isoformat()
    for secret in PERSONAL:
        assert secret not in str(body)


def test_the_page_answers_in_english_too(client, an):
    record, _pdf = extract(an)
    client.cookies["django_language"] = "en"
    response = client.get(f"/xac-thuc/{record.code}/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert "Valid and in force" in html
    assert "Extract of social, health and unemployment insurance participation" in html
    assert "Year of birth" in html


def test_a_code_typed_in_lower_case_with_spaces_leads_to_the_same_page(client, an):
    record, _pdf = extract(an)
    typed = document_code_display(record.code).lower().replace("-", " ")
    response = client.get("/xac-thuc/", {"ma": typed})
    assert response.status_code == 302 and response["Location"] == f"/xac-thuc/{record.code}/"
    lowered = client.get(f"/xac-thuc/{document_code_display(record.code).lower()}/")
    assert lowered.status_code == 302 and lowered["Location"] == f"/xac-thuc/{record.code}/"


def test_a_malformed_code_is_a_field_error_that_keeps_what_was_typed(client):
    response = client.get("/xac-thuc/", {"ma": "ABC-12"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Mã xác thực gồm 12 chữ cái và chữ số" in html
    assert 'value="ABC-12"' in html


def test_a_forged_code_is_not_found_on_the_page_and_the_api(client, an):
    extract(an)
    status, html = page(client, "ABCDEFGHJKMN")
    assert status == 404
    assert NOT_FOUND in html and "không do cổng cấp" in html
    api = client.get("/api/v1/documents/ABCD-EFGH-JKMN/")
    assert api.status_code == 404
    assert api.json()["status"] == "not_found" and api.json()["verdict"] == NOT_FOUND


def test_an_expired_extract_is_told_apart(client, an):
    record, _pdf = extract(an)
    assert record.valid_until == today() + dt.timedelta(days=90)
    with time_machine.travel(timezone.now() + dt.timedelta(days=91)):
        status, html = page(client, record.code)
        api = client.get(f"/api/v1/documents/{record.code}/").json()
    assert status == 200 and EXPIRED in html and VALID not in html
    assert api["status"] == "expired" and api["verdict"] == EXPIRED


def test_an_attestation_expires_with_the_card(client, an):
    card = an.cards.get()
    card.valid_to = today() + dt.timedelta(days=10)
    card.save()
    record, _pdf = attestation(an)
    with time_machine.travel(timezone.now() + dt.timedelta(days=11)):
        assert EXPIRED in page(client, record.code)[1]


def test_an_extract_is_superseded_when_the_employer_pays_its_debt(client, an):
    record, _pdf = extract(an)
    owed = an.periods.get(status="owed")
    owed.status = "paid"
    owed.save()
    status, html = page(client, record.code)
    assert status == 200 and SUPERSEDED in html and VALID not in html
    assert client.get(f"/api/v1/documents/{record.code}/").json()["status"] == "superseded"


def test_an_extract_stays_current_while_a_running_period_grows(client, an):
    this_month = today().replace(day=1)
    running = PeriodFactory(
        person=an, from_month=dt.date(2022, 1, 1), to_month=this_month, employer_code="RUN01"
    )
    record, _pdf = extract(an)
    running.to_month = (this_month + dt.timedelta(days=40)).replace(day=1)  # next month's import
    running.save()
    assert VALID in page(client, record.code)[1]
    running.salary += 1  # but a corrected salary makes the extract outdated
    running.save()
    assert SUPERSEDED in page(client, record.code)[1]


def test_an_attestation_is_superseded_when_the_card_is_reissued(client, an):
    record, _pdf = attestation(an)
    card = an.cards.get()
    card.issued_on = today()
    card.kcb_code, card.kcb_name = "79024", "Bệnh viện Quận 7"
    card.save()
    assert SUPERSEDED in page(client, record.code)[1]


def test_an_attestation_is_superseded_by_a_newer_card(client, an):
    record, _pdf = attestation(an)
    old = an.cards.get()
    CardFactory(
        person=an,
        card_number="GD4797901234567",
        valid_from=old.valid_from + dt.timedelta(days=1),
        valid_to=old.valid_to,
    )
    assert SUPERSEDED in page(client, record.code)[1]


def test_a_withdrawn_document_shows_as_superseded(client, an):
    record, _pdf = attestation(an)
    assert document_supersede(kind="card_attestation", subject=an.cards.get()) == 1
    assert SUPERSEDED in page(client, record.code)[1]


# VERIFYING A FILE -------------------------------------------------------------
def test_the_issued_file_is_recognised_with_its_status(client, an):
    record, pdf = extract(an)
    response = upload(client, pdf)
    html = response.content.decode()
    assert response.status_code == 200
    assert AUTHENTIC in html and VALID in html
    assert document_code_display(record.code) in html
    body = upload_api(client, pdf).json()
    assert body["result"] == "authentic" and body["verdict"] == AUTHENTIC
    assert body["document"]["status"] == "valid"
    assert body["document"]["pdf_sha256"] == record.pdf_sha256


def test_an_issued_file_of_outdated_data_is_authentic_but_superseded(client, an):
    _record, pdf = extract(an)
    an.periods.filter(status="owed").update(status="paid")  # a bulk import, no signal
    html = upload(client, pdf).content.decode()
    assert AUTHENTIC in html and SUPERSEDED in html


def test_bytes_changed_after_signing_are_detected(client, an):
    _record, pdf = attestation(an)
    altered = bytes_changed(pdf)
    html = upload(client, altered).content.decode()
    assert ALTERED in html and AUTHENTIC not in html
    body = upload_api(client, altered).json()
    assert body["result"] == "altered" and body["verdict"] == ALTERED
    assert body["document"] is None


def test_an_update_appended_after_signing_is_detected(client, an):
    _record, pdf = attestation(an)
    assert upload_api(client, info_changed(pdf)).json()["result"] == "altered"


def test_a_copy_signed_again_with_another_key_is_detected(client, an, tmp_path):
    _record, pdf = attestation(an)
    resigned = signed_by(pdf, other_signer(tmp_path / "forger"))
    html = upload(client, resigned).content.decode()
    assert ALTERED in html
    assert upload_api(client, resigned).json()["result"] == "altered"


def test_a_document_signed_only_by_another_key_is_not_the_portals(client, an, tmp_path):
    """A forger draws the same layout (a real code even) and signs it with their own key."""
    from insurance.pdf import card_attestation_pdf
    from insurance.verification import VerificationMark

    record, _pdf = attestation(an)
    mark = VerificationMark(code=record.code, issued_at=record.issued_at, valid_until=None)
    fake = card_attestation_pdf(card=an.cards.get(), person=an, today=today(), mark=mark)
    forged = signed_by(fake, other_signer(tmp_path / "forger"), field="VssIDPortal")
    html = upload(client, forged).content.decode()
    assert FORGED in html
    assert upload_api(client, forged).json()["result"] == "forged"
    assert upload_api(client, fake).json()["result"] == "forged"  # no signature at all


def test_a_file_that_is_not_a_pdf_is_a_field_error_not_a_500(client):
    response = upload(client, b"\x89PNG\r\n\x1a\n not a pdf", name="anh.png")
    assert response.status_code == 400
    assert "Tệp tải lên không phải tệp PDF." in response.content.decode()
    api = upload_api(client, b"%PDF-1.7 truncated garbage")
    assert api.status_code == 400
    assert "file" in api.json()
    assert client.post("/api/v1/documents/verify-file/", {}).status_code == 400


def test_a_file_check_stores_nothing(client, an, settings, tmp_path):
    _record, pdf = extract(an)
    count = IssuedDocument.objects.count()
    upload(client, pdf)
    upload(client, bytes_changed(pdf))
    assert IssuedDocument.objects.count() == count


# RATE LIMITS -----------------------------------------------------------------
def test_code_lookups_are_limited_per_ip(client, an, settings):
    settings.VERIFICATION_RATE_LIMITS = {
        **settings.VERIFICATION_RATE_LIMITS,
        "code_ip": {"limit": 3, "window": 600},
    }
    record, _pdf = extract(an)
    for _ in range(3):
        assert page(client, record.code)[0] == 200
    limited = client.get(f"/xac-thuc/{record.code}/")
    assert limited.status_code == 429 and "Retry-After" in limited
    assert client.get(f"/api/v1/documents/{record.code}/").status_code == 429
    other_ip = client.get(f"/xac-thuc/{record.code}/", REMOTE_ADDR="10.0.0.9")
    assert other_ip.status_code == 200


def test_guessing_codes_is_cut_off_even_for_a_real_code_afterwards(client, an, settings):
    """Enumeration: after too many unknown codes even a right one answers 429."""
    settings.VERIFICATION_RATE_LIMITS = {
        **settings.VERIFICATION_RATE_LIMITS,
        "miss_ip": {"limit": 5, "window": 3600},
    }
    record, _pdf = extract(an)
    for guess in ["ABCDEFGHJKM2", "ABCDEFGHJKM3", "ABCDEFGHJKM4", "ABCDEFGHJKM5", "ABCDEFGHJKM6"]:
        assert client.get(f"/api/v1/documents/{guess}/").status_code == 404
    assert client.get(f"/xac-thuc/{record.code}/").status_code == 429
    assert client.get(f"/api/v1/documents/{record.code}/").status_code == 429


def test_file_checks_are_limited_per_ip(client, an, settings):
    settings.VERIFICATION_RATE_LIMITS = {
        **settings.VERIFICATION_RATE_LIMITS,
        "file_ip": {"limit": 2, "window": 600},
    }
    _record, pdf = extract(an)
    assert upload(client, pdf).status_code == 200
    assert upload_api(client, pdf).status_code == 200
    assert upload(client, pdf).status_code == 429
    assert upload_api(client, pdf).status_code == 429


# THE PUBLIC PAGE -------------------------------------------------------------
def test_the_verification_page_is_public_and_linked_from_the_lookups(client):
    html = client.get("/xac-thuc/").content.decode()
    assert "Nhập mã xác thực" in html and "Kiểm tra tệp PDF" in html
    assert 'enctype="multipart/form-data"' in html
    assert 'href="/xac-thuc/"' in client.get("/tra-cuu/").content.decode()
    assert client.get("/xac-thuc/kiem-tra-tep/").status_code == 302
