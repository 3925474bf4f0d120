from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from .helpers import start
from .test_qr import BHYT_NEW, CCCD, qr_png

pytestmark = pytest.mark.django_db


def test_pasted_cccd_qr_prefills_the_form_for_review(client, person):
    start(client)
    response = client.post("/dang-ky/to-khai/", {"action": "qr", "qr_text": CCCD})
    assert response["Location"] == "/dang-ky/to-khai/"
    page = client.get("/dang-ky/to-khai/").content.decode()
    assert 'value="Nguyễn Văn An"' in page
    assert 'value="079090001234"' in page
    assert 'value="15/05/1990"' in page
    assert "Vui lòng kiểm tra lại từng ô" in page
    # Prefilled is not accepted: the next step still needs "Tiếp tục".
    assert client.get("/dang-ky/anh/")["Location"] == "/dang-ky/to-khai/"


def test_photo_of_bhyt_qr_prefills_the_insurance_number_and_keeps_typed_values(client, person):
    start(client)
    client.post("/dang-ky/to-khai/", {"phone": "0912345678", "action": "back"})
    upload = SimpleUploadedFile("qr.png", qr_png(BHYT_NEW), content_type="image/png")
    client.post("/dang-ky/to-khai/", {"action": "qr", "qr_image": upload})
    page = client.get("/dang-ky/to-khai/").content.decode()
    assert 'value="7901234567"' in page
    assert 'value="0912345678"' in page


def test_malformed_qr_is_a_message_not_a_crash(client, person):
    start(client)
    response = client.post("/dang-ky/to-khai/", {"action": "qr", "qr_text": "abc|def"})
    assert response.status_code == 400
    assert "Không nhận ra mã QR" in response.content.decode()
