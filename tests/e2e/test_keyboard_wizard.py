"""The registration wizard (/dang-ky/) completed with the keyboard alone, on a phone.

Only ``page.keyboard`` moves focus and acts (Tab, Shift+Tab, Space, Enter,
arrow keys, typing); every step, error states included, is a screenshot and an
axe-core check (``journey`` in tests/e2e/conftest.py). After a refused step the
focus must land, visibly, on the first error.
"""

import pytest

from declarations.models import Declaration
from tests.conftest import PHONE
from tests.declarations.test_e2e import photos, registry  # noqa: F401 - fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def focused(page, selector: str) -> bool:
    return page.evaluate("(s) => document.activeElement.matches(s)", selector)


def tab_to(page, selector: str, *, back: bool = False, limit: int = 80) -> None:
    """Press Tab (Shift+Tab) until ``selector`` has the focus, and check it shows."""
    key = "Shift+Tab" if back else "Tab"
    for _ in range(limit):
        if focused(page, selector):
            break
        page.keyboard.press(key)
    else:
        raise AssertionError(f"{selector} never got the focus with {key}")
    assert page.evaluate("() => document.activeElement.matches(':focus-visible')"), selector


def retype(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def arrow_to_value(page, selector: str, value: str, *, limit: int = 80) -> None:
    """Choose an option of the focused <select> or radio group with the arrow keys."""
    for _ in range(limit):
        if page.evaluate(
            "(s) => { const e = document.activeElement;"
            " return e.matches(s) && (e.type === 'radio' ? e.checked : true);}",
            selector,
        ) and page.evaluate("(v) => document.activeElement.value === v", value):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{selector}: {value} not reached with the arrow keys")


def submit(page, value: str = "continue") -> None:
    """Tab to the step's button and press Enter; wait for the next page."""
    tab_to(page, f"form button[value={value}]")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_registration_with_the_keyboard_only(
    journey,
    live_server,
    photos,  # noqa: F811  (the fixture imported above)
    registry,  # noqa: F811
    captcha_code,
):
    j = journey("dang-ky-ban-phim", PHONE)
    page = j.page()
    page.goto(live_server.url + "/dang-ky/")

    # 1. Đối tượng: the radio group takes Space and the arrow keys.
    tab_to(page, "input[name=kind]")
    page.keyboard.press("Space")
    arrow_to_value(page, "input[name=kind]", Declaration.Kind.OWN_ACCOUNT)
    j.step(page, "1-doi-tuong")
    submit(page)

    # 2. Tờ khai: an empty step first; focus lands on the first field in error.
    assert page.locator("h1").inner_text().startswith("Bước 2/5")
    j.step(page, "2-to-khai")
    submit(page)
    assert focused(page, "#id_full_name[aria-invalid=true]")
    assert page.evaluate("() => document.activeElement.matches(':focus-visible')")
    j.step(page, "2-to-khai-loi-trong")

    # A birth date that does not match the registry: focus on the error summary.
    fields = {
        "full_name": "Nguyễn Văn An",
        "insurance_number": "7901234567",
        "date_of_birth": "16/05/1990",
        "id_number": "079090001234",
        "contact_address": "12 Đường số 3, Phường 9, Quận 4, TP. Hồ Chí Minh",
        "contact_person": "Nguyễn Văn An",
        "email": "an@example.vn",
        "phone": "0912 345 678",
    }
    for name, value in fields.items():
        retype(page, f"#id_{name}", value)
    submit(page)
    summary = page.locator(".form-errors[role=alert]")
    assert "không khớp với dữ liệu của cơ quan BHXH" in summary.inner_text()
    assert focused(page, ".form-errors")
    assert page.evaluate("() => document.activeElement.matches(':focus-visible')")
    j.step(page, "2-to-khai-loi-khong-khop")
    assert page.input_value("#id_phone") == "0912 345 678"  # kept
    retype(page, "#id_date_of_birth", "15/05/1990")
    submit(page)

    # 3. Ảnh: each file input is reached with Tab. The operating system's file
    # dialog that Space/Enter opens cannot be driven from a test, so the file is
    # set on the focused input with set_input_files, as the dialog would.
    assert page.locator("h1").inner_text().startswith("Bước 3/5")
    j.step(page, "3-anh")
    for slot, path in photos.items():
        tab_to(page, f"#id_{slot}")
        page.locator(":focus").set_input_files(path)
    j.step(page, "3-anh-da-chon")
    submit(page)

    # 4. Nơi nộp: selects and radios with the arrow keys, the checkbox with Space.
    assert page.locator("h1").inner_text().startswith("Bước 4/5")
    j.step(page, "4-noi-nop")
    tab_to(page, "#id_province")
    arrow_to_value(page, "#id_province", "079")
    page.wait_for_selector("#id_office option[value='07914']", state="attached")
    tab_to(page, "#id_office")
    arrow_to_value(page, "#id_office", "07914")
    tab_to(page, "input[name=submission_mode]")
    page.keyboard.press("Space")
    tab_to(page, "#id_send_form_by_email")
    page.keyboard.press("Space")
    assert page.is_checked("#id_send_form_by_email")
    j.step(page, "4-noi-nop-da-chon")
    submit(page)

    # 5. Xem lại: "Gửi" without the commitment is refused; focus on the checkbox.
    assert page.locator("h1").inner_text().startswith("Bước 5/5")
    j.step(page, "5-xem-lai")
    submit(page)
    assert focused(page, "#id_commitment[aria-invalid=true]")
    j.step(page, "5-xem-lai-loi-cam-ket")
    page.keyboard.press("Space")
    retype(page, "#id_captcha_1", captcha_code)
    # Back up to the commitment with Shift+Tab: still ticked.
    tab_to(page, "#id_commitment", back=True)
    assert page.is_checked("#id_commitment")
    submit(page)

    page.wait_for_url("**/dang-ky/da-gui/")
    j.step(page, "6-da-gui")
    declaration = Declaration.objects.get()
    assert page.locator("#reference-code").inner_text().strip() == declaration.reference_code
    assert declaration.office.code == "07914" and declaration.send_form_by_email
