"""The correction round trip on the web: the clerk's form, the citizen's link,
the correction page, keeping what was typed and chosen, the closed link."""

import re
from urllib.parse import urlsplit

import pytest

from declarations.models import Declaration
from notifications.models import Message

from .helpers import image_upload
from .staff_fixtures import *  # noqa: F403
from .test_children import child, guardian, register_child  # noqa: F401  (fixtures)
from .test_services import submit

pytestmark = pytest.mark.django_db


def staff_return(client, declaration, **marks):
    data = {"action": "return", "note": "Vui lòng bổ sung."}
    for field, (reason, note) in marks.items():
        data.update({f"mark_{field}": "on", f"reason_{field}": reason, f"note_{field}": note})
    return client.post(f"/can-bo/to-khai/{declaration.reference_code}/", data)


def sms_link(template="declaration_returned") -> str:
    """The path of the link in the last SMS of ``template``."""
    text = Message.objects.filter(template=template, channel="sms").latest("pk").text
    return urlsplit(re.search(r"https?://\S+", text).group(0)).path


@pytest.fixture
def returned(person, offices, clerk_q4, client):
    declaration = submit(offices)
    client.force_login(clerk_q4)
    response = staff_return(
        client,
        declaration,
        phone=("unreachable", "Số này không liên lạc được"),
        id_back=("unreadable", ""),
    )
    assert response.status_code == 302
    client.logout()
    declaration.refresh_from_db()
    return declaration


def test_clerk_form_requires_a_marked_field_and_keeps_what_was_typed(
    person, offices, clerk_q4, client
):
    declaration = submit(offices)
    client.force_login(clerk_q4)
    page = client.get(f"/can-bo/to-khai/{declaration.reference_code}/").content.decode()
    assert "Yêu cầu bổ sung" in page and 'name="mark_id_back"' in page
    assert 'name="mark_insurance_number"' not in page
    response = client.post(
        f"/can-bo/to-khai/{declaration.reference_code}/",
        {"action": "return", "note": "Ghi chú giữ lại", "reason_phone": "other"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "ít nhất một" in html and "Ghi chú giữ lại" in html
    response = staff_return(client, declaration, phone=("other", ""))
    assert response.status_code == 400
    assert "ghi rõ lý do" in response.content.decode()
    declaration.refresh_from_db()
    assert declaration.status == "submitted"


def test_round_trip_through_the_sms_link(returned, client, clerk_q4):
    link = sms_link()
    assert "/dang-ky/bo-sung/lien-ket/" in link
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == "/dang-ky/bo-sung/"
    page = client.get("/dang-ky/bo-sung/")
    html = page.content.decode()
    assert page.status_code == 200
    assert returned.reference_code in html
    assert "Số này không liên lạc được" in html and "Không liên lạc được theo thông tin này" in html
    assert 'id="fix-phone"' in html and 'id="fix-id_back"' in html
    assert 'id="fix-full_name"' not in html  # not marked: shown as sent
    assert "Nguyễn Văn An" in html
    # The photo as sent is shown to this browser only.
    assert client.get("/dang-ky/bo-sung/anh/id_back/")["Content-Type"] == "image/jpeg"
    response = client.post(
        "/dang-ky/bo-sung/",
        {
            "phone": "0987 654 321",
            "id_back": image_upload("sau-moi.jpg", color=(0, 90, 0)),
            "commitment": "on",
            # Not marked: ignored, whatever a crafted form sends.
            "full_name": "Người Khác",
            "email": "khac@example.vn",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/dang-ky/bo-sung/da-gui/"
    done = client.get("/dang-ky/bo-sung/da-gui/").content.decode()
    assert returned.reference_code in done and "Đã gửi bổ sung" in done
    returned.refresh_from_db()
    assert returned.status == "submitted" and returned.phone == "+84987654321"
    assert returned.full_name == "Nguyễn Văn An" and returned.email == "an@example.vn"
    # The clerk sees the resubmission in the queue and the history.
    client.force_login(clerk_q4)
    detail = client.get(f"/can-bo/to-khai/{returned.reference_code}/").content.decode()
    assert "Nộp bổ sung" in detail and "Đã sửa: Điện thoại di động, Ảnh mặt sau" in detail
    client.logout()
    # The old link now says the round is over, and the page is closed.
    closed = client.get(link)
    assert closed.status_code == 410 and "không còn chờ bổ sung" in closed.content.decode()


def test_an_error_keeps_what_was_typed_and_the_photo_chosen(returned, client):
    client.get(sms_link())
    response = client.post(
        "/dang-ky/bo-sung/",
        {"phone": "12345", "id_back": image_upload("sau-moi.jpg"), "commitment": "on"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="12345"' in html and "Đã chọn ảnh mới" in html
    new = client.get("/dang-ky/bo-sung/anh/id_back/?moi=1")
    assert new.status_code == 200 and "no-store" in new["Cache-Control"]
    chosen = b"".join(new.streaming_content)
    response = client.post("/dang-ky/bo-sung/", {"phone": "0987654321", "commitment": "on"})
    assert response.status_code == 302
    returned.refresh_from_db()
    assert returned.status == "submitted"
    assert returned.id_back.read() == chosen


def test_the_page_needs_a_grant_and_another_browser_sees_nothing(returned, client):
    response = client.get("/dang-ky/bo-sung/")
    assert response.status_code == 302 and response["Location"] == "/dang-ky/tra-cuu/"
    assert client.get("/dang-ky/bo-sung/anh/id_back/").status_code == 404
    assert client.get("/dang-ky/bo-sung/lien-ket/gia-mao/").status_code == 404


def test_tracking_with_code_and_phone_shows_the_request_and_opens_the_page(returned, client):
    response = client.post(
        "/dang-ky/tra-cuu/", {"reference_code": returned.reference_code, "phone": "0912345678"}
    )
    html = response.content.decode()
    assert "Chờ bổ sung" in html and "Ảnh mờ, thiếu góc hoặc không đọc được" in html
    assert 'href="/dang-ky/bo-sung/"' in html and "Tiếp nhận lúc" in html
    assert client.get("/dang-ky/bo-sung/").status_code == 200


def test_a_guardian_corrects_a_child_declaration_from_the_account(
    guardian,  # noqa: F811
    child,  # noqa: F811
    clerk_q4,
    client,
):
    client.force_login(guardian)
    assert register_child(client).status_code == 302
    declaration = Declaration.objects.get(kind="child_account")
    client.force_login(clerk_q4)
    assert (
        staff_return(client, declaration, birth_certificate=("unreadable", "")).status_code == 302
    )
    page = client.get(f"/can-bo/to-khai/{declaration.reference_code}/").content.decode()
    assert 'name="mark_phone"' not in page  # a child's form has no such field to correct
    client.force_login(guardian)
    detail = client.get(f"/ca-nhan/to-khai/{declaration.reference_code}/").content.decode()
    assert "Ảnh giấy khai sinh" in detail and "Bổ sung hồ sơ" in detail
    response = client.post(f"/ca-nhan/to-khai/{declaration.reference_code}/bo-sung/")
    assert response["Location"] == "/dang-ky/bo-sung/"
    response = client.post(
        "/dang-ky/bo-sung/",
        {"birth_certificate": image_upload("khai-sinh.jpg"), "commitment": "on"},
    )
    assert response.status_code == 302
    assert Declaration.objects.get(pk=declaration.pk).status == "submitted"


def test_another_citizen_or_clerk_cannot_open_the_correction(
    returned, client, citizen_user, clerk_q1
):
    code = returned.reference_code
    for user in (citizen_user, clerk_q1):
        client.force_login(user)
        assert client.post(f"/ca-nhan/to-khai/{code}/bo-sung/").status_code in (403, 404)
        assert client.get("/dang-ky/bo-sung/").status_code == 302  # no grant: to tracking
        assert client.get("/dang-ky/bo-sung/anh/id_back/").status_code == 404
