"""The notices of a request point to it and carry no personal data; an SMS fits
in two segments with the real site address; every notice has a message-centre
text in Vietnamese and English."""

from django.utils import translation

import pytest

from notifications.rendering import message_render

KEYS = [
    "service_request_submitted",
    "service_request_returned",
    "service_request_approved",
    "service_request_rejected",
]
CODE = "YC26120512345678"
URL = f"https://dichvucong.baohiemxahoi.gov.vn/ca-nhan/yeu-cau/{CODE}/"
PERSONAL = {
    "username": "7901234567",
    "full_name": "Nguyễn Văn An",
    "date_of_birth": "15/05/1990",
    "id_number": "079090001234",
    "address": "12 Đường số 3, Phường 9, Quận 4",
}


def context() -> dict:
    return {
        **PERSONAL,
        "reference_code": CODE,
        "kind_label": "Cấp lại thẻ BHYT",
        "request_url": URL,
    }


def ucs2_segments(text: str) -> int:
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else -(-units // 67)


@pytest.mark.parametrize("key", KEYS)
def test_sms_and_email_point_to_the_request_only(key, settings):
    settings.SITE_URL = "https://dichvucong.baohiemxahoi.gov.vn"
    sms = message_render(channel="sms", template=key, context=context()).text
    assert sms.startswith("BHXH: ") and CODE in sms and sms.endswith(URL)
    assert ucs2_segments(sms) <= 2, len(sms)
    email = message_render(channel="email", template=key, context=context())
    for text in (sms, email.subject, email.text):
        for value in PERSONAL.values():
            assert value not in text, (key, value)
    assert URL in email.text


@pytest.mark.parametrize("key", KEYS)
def test_every_notice_has_a_message_centre_text_in_both_languages(key):
    from django.template.loader import render_to_string

    texts = {}
    for language in ("vi", "en"):
        with translation.override(language):
            texts[language] = render_to_string(
                f"notifications/inbox/{key}.subject.txt", {"reference_code": CODE}
            ) + render_to_string(f"notifications/inbox/{key}.txt", {"reference_code": CODE})
    assert CODE in texts["vi"] and CODE in texts["en"]
    assert texts["vi"] != texts["en"]
    assert not any(
        ch in texts["en"] for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
    )
