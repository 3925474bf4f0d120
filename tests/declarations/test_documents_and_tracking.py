import io

import pytest
import time_machine
from pypdf import PdfReader

from accounts.models import StaffProfile, User
from declarations import documents

from .factories import DeclarationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def declaration(offices):
    return DeclarationFactory(
        office=offices.q4,
        full_name="Trần Thị Ngọc Hương",
        contact_address="45 Nguyễn Tất Thành, Phường 13, Quận 4",
        email="huong@example.vn",
        send_form_by_email=True,
        submission_mode="by_post",
    )


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_has_every_field_with_diacritics_office_mode_and_signature_box(declaration):
    text = pdf_text(documents.declaration_pdf(declaration=declaration))
    for expected in [
        "TỜ KHAI ĐĂNG KÝ",
        "Trần Thị Ngọc Hương",
        declaration.insurance_number,
        "15/05/1990",
        "079090001234",
        "45 Nguyễn Tất Thành, Phường 13, Quận 4",
        "huong@example.vn",
        "0912 345 678",
        "[07914] BHXH Quận 4",
        "Nộp qua dịch vụ bưu chính công ích",
        "Người kê khai",
        "(Ký, ghi rõ họ tên)",
        declaration.reference_code,
    ]:
        assert expected in text, expected


def test_signed_link_downloads_the_pdf_and_expires_after_30_days(client, declaration):
    path = documents.download_path(declaration=declaration)
    assert declaration.reference_code not in path
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert "Trần Thị Ngọc Hương" in pdf_text(response.content)
    with time_machine.travel(declaration.created_at + documents.DOWNLOAD_LINK_MAX_AGE * 1.1):
        expired = client.get(path)
    assert expired.status_code == 404
    assert "hết hạn" in expired.content.decode()


def test_tampered_or_bare_code_links_download_nothing(client, declaration):
    path = documents.download_path(declaration=declaration)
    assert client.get(path[:-3] + "xx/").status_code == 404
    assert client.get(f"/dang-ky/tai-to-khai/{declaration.reference_code}/").status_code == 404


def track(client, code, phone):
    return client.post("/dang-ky/tra-cuu/", {"reference_code": code, "phone": phone})


def test_tracking_shows_the_status_for_code_and_phone(client, offices):
    declaration = DeclarationFactory(office=offices.q4, rejected=True)
    page = track(client, declaration.reference_code.lower(), "0912.345.678").content.decode()
    assert "Bị từ chối" in page
    assert "Ảnh mặt trước bị mờ." in page


def test_tracking_gives_the_same_answer_for_a_wrong_phone_and_an_unknown_code(client, offices):
    declaration = DeclarationFactory(office=offices.q4)
    wrong_phone = track(client, declaration.reference_code, "0987654321")
    unknown = track(client, "DK250101ABCDEFGH", "0912345678")
    assert wrong_phone.status_code == unknown.status_code == 400
    message = "Không tìm thấy hồ sơ với mã hồ sơ và số điện thoại này."
    assert message in wrong_phone.content.decode() and message in unknown.content.decode()
    assert "Đã nộp" not in wrong_phone.content.decode()


def test_tracking_is_rate_limited(client, offices):
    for _attempt in range(20):
        track(client, "DK250101ABCDEFGH", "0912345678")
    response = track(client, "DK250101ABCDEFGH", "0912345678")
    assert response.status_code == 429
    assert "Retry-After" in response


def test_declaration_images_are_for_the_receiving_office_and_administrators(client, offices):
    declaration = DeclarationFactory(office=offices.q4)
    url = f"/dang-ky/ho-so/{declaration.reference_code}/anh/id_front/"
    assert client.get(url).status_code == 404  # anonymous

    citizen = User.objects.create_user(username="7901234567", password="x")
    client.force_login(citizen)
    assert client.get(url).status_code == 404

    other_clerk = User.objects.create_user(username="canbo.q1", password="x", is_staff=True)
    StaffProfile.objects.create(user=other_clerk, office=offices.q1)
    client.force_login(other_clerk)
    assert client.get(url).status_code == 404

    clerk = User.objects.create_user(username="canbo.q4", password="x", is_staff=True)
    StaffProfile.objects.create(user=clerk, office=offices.q4)
    client.force_login(clerk)
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]

    province_clerk = User.objects.create_user(username="canbo.hcm", password="x", is_staff=True)
    StaffProfile.objects.create(
        user=province_clerk, office=offices.p079, includes_child_offices=True
    )
    client.force_login(province_clerk)
    assert client.get(url).status_code == 200

    admin = User.objects.create_superuser(username="admin", password="x", email="a@b.vn")
    client.force_login(admin)
    assert client.get(url).status_code == 200


def test_admin_lists_declarations_read_only(client, offices):
    declaration = DeclarationFactory(office=offices.q4)
    admin = User.objects.create_superuser(username="admin", password="x", email="a@b.vn")
    client.force_login(admin)
    listing = client.get("/admin/declarations/declaration/?q=" + declaration.insurance_number)
    assert declaration.reference_code in listing.content.decode()
    page = client.get(f"/admin/declarations/declaration/{declaration.pk}/change/")
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    assert client.get("/admin/declarations/declaration/add/").status_code == 403
