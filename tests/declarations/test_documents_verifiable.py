"""The tờ khai PDF is a verifiable document: code, QR, signature; a correction supersedes it."""

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from declarations import documents
from declarations.services import declaration_pdf_email_queue
from insurance.models import IssuedDocument
from insurance.verification import document_code_display
from notifications.models import Message
from tests.insurance.pdf_tools import pdf_text, qr_texts

from .factories import DeclarationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def declaration(offices):
    return DeclarationFactory(
        office=offices.q4,
        insurance_number="7901234567",
        full_name="Trần Thị Ngọc Hương",
        email="huong@example.vn",
    )


def test_the_form_carries_its_check_code_and_qr(declaration):
    pdf = documents.declaration_pdf(declaration=declaration)
    record = IssuedDocument.objects.get(kind="declaration")
    assert record.subject == declaration
    assert document_code_display(record.code) in pdf_text(pdf)
    assert qr_texts(pdf) == [f"http://127.0.0.1:8000/xac-thuc/{record.code}/"]
    assert record.valid_until is None  # a filed form does not expire


def test_the_verification_page_shows_the_form_masked(client, declaration):
    documents.declaration_pdf(declaration=declaration)
    record = IssuedDocument.objects.get()
    html = client.get(f"/xac-thuc/{record.code}/").content.decode()
    assert "Hợp lệ, còn hiệu lực" in html
    assert "Tờ khai đăng ký giao dịch điện tử" in html
    for shown in ["Trần T*** N*** H***", "79******67", declaration.reference_code, "[07914]"]:
        assert shown in html
    for hidden in ["Ngọc Hương", "7901234567", "079090001234", "huong@example.vn", "0912"]:
        assert hidden not in html


def test_a_corrected_form_supersedes_the_printed_copy(client, declaration):
    documents.declaration_pdf(declaration=declaration)
    record = IssuedDocument.objects.get()
    # What the correction service does once the citizen answers the clerk.
    declaration.contact_address = "99 Khánh Hội, Phường 3, Quận 4"
    declaration.save()
    html = client.get(f"/xac-thuc/{record.code}/").content.decode()
    assert "Đã được thay thế bởi dữ liệu mới" in html
    # A new copy is current again.
    documents.declaration_pdf(declaration=declaration)
    newest = IssuedDocument.objects.order_by("-issued_at", "-pk").first()
    assert "Hợp lệ, còn hiệu lực" in client.get(f"/xac-thuc/{newest.code}/").content.decode()


def test_the_emailed_copy_is_the_signed_issued_file(client, declaration):
    declaration_pdf_email_queue(declaration=declaration, email="huong@example.vn")
    attachment = Message.objects.get(channel="email").attachments.get()
    data = attachment.file.read()
    upload = SimpleUploadedFile("to-khai.pdf", data, content_type="application/pdf")
    body = client.post("/api/v1/documents/verify-file/", {"file": upload}).json()
    assert body["result"] == "authentic"
    assert body["document"]["kind"] == "declaration"


def test_the_signed_link_serves_a_verifiable_copy(client, declaration):
    response = client.get(documents.download_path(declaration=declaration))
    record = IssuedDocument.objects.get()
    assert document_code_display(record.code) in pdf_text(response.content)
