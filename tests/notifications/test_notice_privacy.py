"""What SMS and e-mail may carry (docs/security.md, "What SMS and e-mail carry").

Every SMS and e-mail template, found in the template folders (so one added
later is covered without touching this file), is rendered with a context
full of a known citizen's personal data; none of it may come out, except
the one-time code and the initial password where they are the point of the
message. The real account flows are then driven and their SMS read from
the outbox.
"""

import datetime as dt
import re
from pathlib import Path

from django.conf import settings
from django.template.utils import get_app_template_dirs
from django.test import Client
from django.utils import translation

import pytest
import time_machine

from accounts.services import password_rotation_reminders_queue
from notifications.inbox import inbox_template_exists
from notifications.models import InboxEntry, Message
from notifications.rendering import inbox_render, message_render
from tests.accounts import conftest as accounts_fixtures
from tests.accounts.conftest import NUMBER, PASSWORD, PHONE, sign_in
from tests.conftest import captcha_post_data

# The account tests' citizen (with a registry person) and OTP codes, without
# their recorder of notices: these tests read the real outbox.
offices = accounts_fixtures.offices
citizen = accounts_fixtures.citizen
codes = accounts_fixtures.codes

NAME = "Nguyễn Văn An"
DOB = dt.date(1990, 5, 15)
CCCD = "079090001234"
ADDRESS = "12 Đường số 3, Phường 9, Quận 4"
CARD = "DN4797901234567"
OTP = "604213"
INITIAL_PASSWORD = "8273649105"
# Where the one-time code and the initial password may appear.
ALLOWED = {
    "otp": {OTP},
    "account_approved": {INITIAL_PASSWORD},
    "initial_password": {INITIAL_PASSWORD},
}
# Messages that are not notices kept in the message centre: one-time codes,
# the tờ khai sent as a PDF at the citizen's request (to any address), and
# the answer to a question asked without an account.
NOT_KEPT = {
    "otp",
    "declaration_resume",  # a link back to an unsent form: nobody's account yet
    "declaration_form_email",
    "child_declaration_form_email",
    "declaration_form_copy",
    "question_answered",
}


def personal_context(**overrides) -> dict:
    """Every value a notice's context might hold, about one citizen."""
    context = {
        "username": NUMBER,
        "insurance_number": NUMBER,
        "full_name": NAME,
        "contact_person": NAME,
        "date_of_birth": DOB,
        "id_number": CCCD,
        "phone": PHONE,
        "contact_address": ADDRESS,
        "address": ADDRESS,
        "card_number": CARD,
        "valid_to": dt.date(2026, 12, 31),
        "reference_code": "DK2611230000AAAA",
        "office_name": "BHXH Quận 4",
        "reason": f"Ảnh của {NAME}, mã số {NUMBER}, sinh {DOB:%d/%m/%Y}, bị mờ.",
        "download_url": "http://127.0.0.1:8000/dang-ky/tai-to-khai/c2lnbmVk/",
        "answer_url": "http://127.0.0.1:8000/hoi-dap/tra-loi/?ma=HD-2026-ACDE-FGHJ",
        "code": OTP,
        "password": INITIAL_PASSWORD,
        "purpose_label": "đổi mật khẩu",
        "minutes": 5,
        "days": 30,
        "days_left": 14,
        "phone_changed": True,
        "email_changed": True,
        "inbox_url": "http://127.0.0.1:8000/ca-nhan/thong-bao/42/",
    }
    context.update(overrides)
    return context


def forbidden() -> list[str]:
    """The citizen's personal data in the spellings a template could print."""
    digits = PHONE.removeprefix("+84")
    return [
        NAME,
        NAME.upper(),
        "Nguyen Van An",  # the ASCII spelling of SMS without diacritics
        NUMBER,
        CCCD,
        ADDRESS,
        CARD,
        f"0{digits}",
        digits,
        f"{DOB:%d/%m/%Y}",
        f"{DOB:%Y-%m-%d}",
        f"{DOB:%d-%m-%Y}",
        f"{DOB:%d.%m.%Y}",
        "15/5/1990",
    ]


def template_keys(channel: str) -> list[str]:
    suffix = ".txt" if channel == "sms" else ".subject.txt"
    dirs = [*settings.TEMPLATES[0]["DIRS"], *get_app_template_dirs("templates")]
    return sorted(
        {
            path.name.removesuffix(suffix)
            for folder in dirs
            for path in (Path(folder) / "notifications" / channel).glob(f"*{suffix}")
        }
    )


SMS_KEYS = template_keys("sms")
EMAIL_KEYS = template_keys("email")


def test_the_templates_are_found():
    """The discovery itself: the known notices are among what is walked."""
    assert {"account_approved", "account_locked", "otp", "declaration_received"} <= set(SMS_KEYS)
    assert {"account_approved", "contact_changed", "declaration_form_copy"} <= set(EMAIL_KEYS)


def leaks(text: str, key: str) -> list[str]:
    found = [value for value in forbidden() if value in text]
    secrets = {OTP, INITIAL_PASSWORD} - ALLOWED.get(key, set())
    return found + [value for value in secrets if value in text]


@pytest.mark.parametrize("key", SMS_KEYS)
def test_no_sms_carries_a_name_birth_date_or_number(key):
    rendered = message_render(channel="sms", template=key, context=personal_context())
    assert leaks(rendered.text, key) == [], rendered.text
    for value in ALLOWED.get(key, ()):  # the code or password is what it is for
        assert value in rendered.text


@pytest.mark.parametrize("key", EMAIL_KEYS)
def test_no_email_carries_a_name_birth_date_or_number(key):
    rendered = message_render(channel="email", template=key, context=personal_context())
    text = " ".join([rendered.subject, rendered.text, rendered.html])
    assert leaks(text, key if key == "otp" else "") == [], text


def sms_segments(text: str) -> int:
    """Segments of a concatenated SMS: UCS-2 (70/67) as soon as one character is not GSM-7."""
    gsm = (
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
        "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
    )
    if all(ch in gsm for ch in text):
        return 1 if len(text) <= 160 else -(-len(text) // 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else -(-units // 67)


@pytest.mark.parametrize("key", SMS_KEYS)
def test_every_sms_fits_in_two_segments_with_a_real_site_address(settings, key):
    settings.SITE_URL = "https://dichvucong.baohiemxahoi.gov.vn"
    context = personal_context(inbox_url=settings.SITE_URL + "/ca-nhan/thong-bao/1234567/")
    text = message_render(channel="sms", template=key, context=context).text
    assert sms_segments(text) <= 2, (len(text), text)


def test_a_pointer_sms_reads_as_the_issue_asks():
    context = personal_context()
    for key in ("account_unlocked", "password_rotation_reminder", "card_expiry_reminder"):
        text = message_render(channel="sms", template=key, context=context).text
        assert text == f"Bạn có thông báo mới từ BHXH, xem tại {context['inbox_url']}"


# THE MESSAGE CENTRE'S TEXTS ------------------------------------------------------
def test_every_notice_has_a_message_centre_text():
    """A notice template added later fails here until its inbox text exists."""
    missing = [
        key
        for key in sorted(set(SMS_KEYS) | set(EMAIL_KEYS))
        if key not in NOT_KEPT and not inbox_template_exists(key)
    ]
    assert missing == [], (
        "add notifications/inbox/<key>.subject.txt and .txt (translated) for these notices"
    )


VIETNAMESE = re.compile(
    r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", re.I
)


@pytest.mark.parametrize("key", sorted(set(SMS_KEYS + EMAIL_KEYS) - NOT_KEPT))
def test_every_inbox_text_reads_in_both_languages_without_secrets(key):
    # ASCII values, so that any Vietnamese left in English is the template's.
    context = personal_context(
        full_name="Tran Thi Binh", office_name="Office 4", reason="Blurred photo"
    )
    del context["password"], context["code"]  # never stored (sensitive)
    with translation.override("vi"):
        vi = inbox_render(kind=key, context=context)
    with translation.override("en"):
        en = inbox_render(kind=key, context=context)
    assert vi.title and vi.body and vi.title != en.title
    assert not VIETNAMESE.search(en.title + en.body), en
    assert INITIAL_PASSWORD not in vi.body and OTP not in vi.body


# THE REAL FLOWS ------------------------------------------------------------------
def sms_to_phone(template: str) -> Message:
    return Message.objects.filter(channel="sms", recipient=PHONE, template=template).latest("pk")


def assert_no_personal_data(message: Message) -> None:
    assert leaks(message.text + message.subject, message.template) == [], message.text


@pytest.mark.django_db
def test_lockout_keeps_a_notice_and_texts_only_the_hotline(client, citizen, captcha_code):
    for _i in range(5):
        sign_in(client, password="sai-mat-khau", **captcha_post_data())
    citizen.refresh_from_db()
    assert citizen.locked_at is not None
    sms = sms_to_phone("account_locked")
    assert_no_personal_data(sms)
    assert "1900.9068" in sms.text and "khoá" in sms.text
    entry = InboxEntry.objects.get(user=citizen, kind="account_locked")
    assert NUMBER in inbox_render(kind=entry.kind, context=entry.context).body


@pytest.mark.django_db
def test_password_change_keeps_a_notice(client, citizen, codes):
    client.force_login(citizen)
    client.post(
        "/ca-nhan/tai-khoan/doi-mat-khau/",
        {
            "old_password": PASSWORD,
            "new_password1": "Mot-cau-mat-khau-moi-2026",
            "new_password2": "Mot-cau-mat-khau-moi-2026",
        },
    )
    otp_sms = sms_to_phone("otp")
    assert codes[0] in otp_sms.text
    assert_no_personal_data(otp_sms)
    client.post("/xac-nhan-otp/", {"code": codes[0]})
    sms = sms_to_phone("password_changed")
    assert_no_personal_data(sms)
    entry = InboxEntry.objects.get(user=citizen)
    assert entry.kind == "password_changed"  # the OTP is not a notice
    html = client.get(f"/ca-nhan/thong-bao/{entry.pk}/").content.decode()
    assert "Mật khẩu đã được thay đổi" in html and codes[0] not in html


@pytest.mark.django_db
def test_device_takeover_keeps_a_notice(citizen, codes):
    device_a, device_b = Client(), Client()
    sign_in(device_a)
    sign_in(device_b)
    device_b.post("/dang-nhap/thiet-bi-khac/", {"continue": "1"})
    device_b.post("/xac-nhan-otp/", {"code": codes[0]})
    assert "_auth_user_id" in device_b.session
    sms = sms_to_phone("device_takeover")
    assert_no_personal_data(sms)
    entry = InboxEntry.objects.get(user=citizen, kind="device_takeover")
    html = device_b.get("/ca-nhan/thong-bao/").content.decode()
    assert f'href="/ca-nhan/thong-bao/{entry.pk}/"' in html
    assert "Đăng nhập trên thiết bị mới" in html


@pytest.mark.django_db
def test_a_rotation_reminder_is_one_notice_for_sms_and_email_and_kept_once(citizen):
    changed = citizen.password_changed_at
    with time_machine.travel(changed + dt.timedelta(days=169, hours=1)):
        assert password_rotation_reminders_queue() == 1
        password_rotation_reminders_queue()  # the beat runs again: nothing new
    entry = InboxEntry.objects.get(user=citizen)
    assert entry.kind == "password_rotation_reminder" and entry.context["days_left"] == 14
    sms = sms_to_phone("password_rotation_reminder")
    email = Message.objects.get(channel="email", template="password_rotation_reminder")
    url = f"{settings.SITE_URL}/ca-nhan/thong-bao/{entry.pk}/"
    assert sms.text == f"Bạn có thông báo mới từ BHXH, xem tại {url}"
    assert url in email.text
    for message in (sms, email):
        assert_no_personal_data(message)
    with translation.override("vi"):
        body = inbox_render(kind=entry.kind, context=entry.context).body
    assert "hết hạn sau 14 ngày" in body
    assert entry.link == "/ca-nhan/tai-khoan/doi-mat-khau/"
