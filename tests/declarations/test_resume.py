"""Save and resume the wizard: the link sent after the tờ khai step, the page
shown when the session is gone, the 7-day life of a saved draft and its photos."""

import datetime as dt
import re
from urllib.parse import urlsplit

from django.test import Client
from django.utils import timezone

import pytest
import time_machine

from declarations.models import DeclarationDraft
from declarations.services import drafts_purge_abandoned
from notifications.models import Message

from .conftest import stored_files
from .helpers import choose_office, fill_declarant, start, submit, upload_images

pytestmark = pytest.mark.django_db


def resume_link() -> str:
    text = Message.objects.filter(template="declaration_resume", channel="sms").latest("pk").text
    return urlsplit(re.search(r"https?://\S+", text).group(0)).path


def test_the_tờ_khai_step_sends_a_resume_link_once(client, person):
    start(client)
    response = fill_declarant(client)
    assert response["Location"] == "/dang-ky/anh/"
    page = client.get("/dang-ky/anh/").content.decode()
    assert "Đường dẫn để tiếp tục điền trong 7 ngày đã được gửi qua SMS đến số 0912 345 678" in page
    sms = Message.objects.get(template="declaration_resume", channel="sms")
    assert sms.recipient == "+84912345678" and "/dang-ky/tiep-tuc/" in sms.text
    for personal in ("Nguyễn Văn An", "7901234567", "15/05/1990", "079090001234"):
        assert personal not in sms.text
    assert Message.objects.filter(template="declaration_resume", channel="email").count() == 1
    draft = DeclarationDraft.objects.get()
    assert draft.resumable_until > timezone.now() + dt.timedelta(days=6)
    # Back and forward again with the same phone: no second SMS.
    fill_declarant(client)
    assert Message.objects.filter(template="declaration_resume", channel="sms").count() == 1
    fill_declarant(client, phone="0987654321")
    assert Message.objects.filter(template="declaration_resume", channel="sms").count() == 2


def test_a_new_browser_resumes_at_the_step_reached_with_the_photos(client, person, captcha_code):
    start(client)
    fill_declarant(client)
    upload_images(client)
    link = resume_link()
    other = Client()  # the tab closed, the session gone: another browser
    response = other.get(link)
    assert response.status_code == 302 and response["Location"] == "/dang-ky/noi-nop/"
    page = other.get("/dang-ky/noi-nop/").content.decode()
    assert "Tiếp tục từ bước 4: Nơi nộp" in page
    declarant = other.get("/dang-ky/to-khai/").content.decode()
    assert 'value="079090001234"' in declarant
    assert other.get("/dang-ky/anh/portrait/")["Content-Type"] == "image/jpeg"
    assert choose_office(other).status_code == 302
    assert submit(other).status_code == 302
    # Submitted: the link has done its work.
    assert Client().get(link).status_code == 404


def test_an_expired_session_gets_a_clear_page_and_can_ask_for_the_link_again(client, person):
    start(client)
    fill_declarant(client)
    client.session.flush()
    client.cookies.clear()
    page = client.get("/dang-ky/anh/")
    html = page.content.decode()
    assert page.status_code == 200 and "Phiên đăng ký đã hết hạn" in html
    assert "Gửi lại đường dẫn tiếp tục" in html and 'href="/dang-ky/"' in html
    unknown = client.post("/dang-ky/tiep-tuc/", {"phone": "0977 000 111"})
    known = client.post("/dang-ky/tiep-tuc/", {"phone": "0912 345 678"})
    for response in (unknown, known):
        assert response.status_code == 200
        assert "Nếu số điện thoại này có tờ khai đang điền" in response.content.decode()
    sent = Message.objects.filter(template="declaration_resume", channel="sms")
    assert [m.recipient for m in sent.order_by("pk")] == ["+84912345678", "+84912345678"]
    bad = client.post("/dang-ky/tiep-tuc/", {"phone": "12"})
    assert bad.status_code == 400 and 'value="12"' in bad.content.decode()
    response = client.get(resume_link())
    assert response["Location"] == "/dang-ky/anh/"


def test_a_saved_draft_and_its_photos_live_seven_days(
    client, person, private_storage, django_capture_on_commit_callbacks
):
    start(client)
    fill_declarant(client)
    upload_images(client)
    link = resume_link()
    assert len(stored_files(private_storage)) == 3
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        assert drafts_purge_abandoned() == 0  # untouched 3 days, but saved
        assert Client().get(link).status_code == 302
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, minutes=5)):
        assert Client().get(link).status_code == 404
        with django_capture_on_commit_callbacks(execute=True):
            assert drafts_purge_abandoned() == 1
    assert not DeclarationDraft.objects.exists() and stored_files(private_storage) == []


def test_a_draft_without_a_link_still_goes_after_a_day(client, person, private_storage):
    start(client)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=25)):
        assert drafts_purge_abandoned() == 1


def test_a_forged_or_expired_link_explains_itself(client):
    response = client.get("/dang-ky/tiep-tuc/khong-hop-le/")
    assert response.status_code == 404
    assert "Đường dẫn tiếp tục không còn hiệu lực" in response.content.decode()


def test_a_guardian_finds_the_child_wizard_again_after_signing_in_again(client, offices):
    from accounts.models import User
    from insurance.models import Person

    from .conftest import AN

    guardian_person = Person.objects.create(**AN, office=offices.q4)
    Person.objects.create(
        insurance_number="7920170902",
        full_name="Nguyễn Minh Khoa",
        date_of_birth=timezone.localdate().replace(year=timezone.localdate().year - 5),
        gender="M",
        office=offices.q4,
    )
    guardian = User.objects.create_user(
        username=guardian_person.insurance_number,
        password="mat-khau-giam-ho-1",
        phone="+84912345678",
        full_name=guardian_person.full_name,
    )
    client.force_login(guardian)
    response = client.post(
        "/ca-nhan/dang-ky-cho-con/",
        {"insurance_number": "7920170902", "full_name": "Nguyễn Minh Khoa", "action": "continue"},
    )
    assert response.status_code == 302
    client.logout()
    client.force_login(guardian)
    response = client.get("/ca-nhan/dang-ky-cho-con/noi-nop/")
    assert response["Location"] == "/ca-nhan/dang-ky-cho-con/anh/"
    page = client.get("/ca-nhan/dang-ky-cho-con/").content.decode()
    assert "7920170902" in page
