import io

import pytest
from PIL import Image

from accounts.models import User
from declarations.models import Declaration, DeclarationDraft, DeclarationUpload

from .conftest import stored_files
from .helpers import (
    choose_office,
    fill_declarant,
    image_upload,
    start,
    submit,
    upload_images,
    walk_to_review,
)

pytestmark = pytest.mark.django_db


def test_citizen_walks_the_wizard_and_gets_a_reference_code(
    client, person, captcha_code, outbox, private_storage, django_capture_on_commit_callbacks
):
    walk_to_review(client)
    review = client.get("/dang-ky/xem-lai/")
    assert review.status_code == 200
    page = review.content.decode()
    assert "Nguyễn Văn An" in page
    assert "[07914] BHXH Quận 4" in page
    assert "0912 345 678" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client)
    assert response.status_code == 302
    assert response["Location"] == "/dang-ky/da-gui/"
    declaration = Declaration.objects.get()
    assert declaration.full_name == "Nguyễn Văn An"
    assert declaration.phone == "+84912345678"
    assert declaration.office.code == "07914"
    assert declaration.status == Declaration.Status.SUBMITTED
    assert declaration.reference_code.startswith("DK")

    done = client.get("/dang-ky/da-gui/")
    assert declaration.reference_code in done.content.decode()
    assert "/dang-ky/tai-to-khai/" in done.content.decode()

    # The resume link (sent once the tờ khai step passed), then the code.
    sms = outbox.messages("sms")
    assert [(m["recipient"], m["template"]) for m in sms] == [
        ("+84912345678", "declaration_resume"),
        ("+84912345678", "declaration_received"),
    ]
    emails = outbox.messages("email")
    assert [(m["recipient"], m["template"]) for m in emails] == [
        ("an@example.vn", "declaration_resume"),
        ("an@example.vn", "declaration_form_email"),
    ]
    # The draft and its files are gone; only the declaration's three images remain.
    assert not DeclarationDraft.objects.exists()
    files = stored_files(private_storage)
    assert len(files) == 3
    assert all(f.is_relative_to(private_storage / "declarations") for f in files)


def test_stored_images_have_no_exif_and_keep_no_user_file_name(client, person, captcha_code):
    walk_to_review(client)
    submit(client)
    declaration = Declaration.objects.get()
    for field in (declaration.portrait, declaration.id_front, declaration.id_back):
        data = field.open("rb").read()
        assert b"Exif" not in data and b"PhoneMaker" not in data
        assert not Image.open(io.BytesIO(data)).getexif()
        assert "truoc" not in field.name and "sau" not in field.name
    # Orientation 6 was applied before the EXIF was dropped.
    front = Image.open(declaration.id_front.open("rb"))
    assert front.size == (600, 800)


def test_going_back_keeps_what_was_typed_and_uploaded(client, person):
    start(client)
    fill_declarant(client)
    upload_images(client)
    # "Quay lại" from the office step, then from the uploads step.
    assert (
        client.post("/dang-ky/noi-nop/", {"action": "back", "province": "079"}).status_code == 302
    )
    uploads_page = client.get("/dang-ky/anh/").content.decode()
    assert uploads_page.count("/dang-ky/anh/portrait/") == 1
    assert client.post("/dang-ky/anh/", {"action": "back"})["Location"] == "/dang-ky/to-khai/"
    page = client.get("/dang-ky/to-khai/").content.decode()
    assert 'value="nguyễn  văn AN"' in page
    assert 'value="0912 345 678"' in page
    # Forward again: the uploads are still there, the province still chosen.
    assert fill_declarant(client)["Location"] == "/dang-ky/anh/"
    assert client.post("/dang-ky/anh/", {"action": "continue"})["Location"] == "/dang-ky/noi-nop/"
    assert 'value="079" selected' in client.get("/dang-ky/noi-nop/").content.decode()


def test_unfinished_typing_is_kept_when_going_back(client, person):
    start(client)
    client.post("/dang-ky/to-khai/", {"full_name": "Trần Thị B", "phone": "09", "action": "back"})
    page = client.get("/dang-ky/to-khai/").content.decode()
    assert 'value="Trần Thị B"' in page


def test_steps_cannot_be_skipped(client, person):
    # Without a draft in the session: the page that explains, not a step.
    page = client.get("/dang-ky/xem-lai/")
    assert page.status_code == 200 and 'id="session-expired"' in page.content.decode()
    assert 'href="/dang-ky/"' in page.content.decode()
    start(client)
    assert client.get("/dang-ky/xem-lai/")["Location"] == "/dang-ky/to-khai/"
    fill_declarant(client)
    assert client.get("/dang-ky/noi-nop/")["Location"] == "/dang-ky/anh/"
    assert client.post("/dang-ky/xem-lai/", {"commitment": "on"})["Location"] == "/dang-ky/anh/"


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"full_name": "Nguyễn Văn Ân"}, "không khớp với dữ liệu của cơ quan BHXH"),
        ({"date_of_birth": "16/05/1990"}, "không khớp với dữ liệu của cơ quan BHXH"),
        ({"insurance_number": "7909999999"}, "không khớp với dữ liệu của cơ quan BHXH"),
        ({"insurance_number": "79012345"}, "Mã số BHXH gồm đúng 10 chữ số."),
        ({"phone": "0123"}, "Số điện thoại di động không hợp lệ"),
        ({"phone": "+1 202 555 0100"}, "Số điện thoại di động không hợp lệ"),
        ({"id_number": "12345"}, "Số CMND/HC/CC không hợp lệ"),
        ({"date_of_birth": "31/02/1990"}, "Ngày sinh không hợp lệ"),
        ({"date_of_birth": "01/01/2999"}, "Ngày sinh không được sau ngày hôm nay"),
        ({"email": "khong-phai-email"}, "email"),
        ({"full_name": ""}, "Vui lòng nhập họ và tên."),
        ({"contact_address": "a\x00b"}, "Null"),
    ],
)
def test_bad_declarant_input_is_shown_next_to_the_field_and_kept(
    client, person, overrides, message
):
    start(client)
    response = fill_declarant(client, **overrides)
    assert response.status_code == 400
    page = response.content.decode()
    assert message.lower() in page.lower()
    if overrides.get("phone"):
        assert f'value="{overrides["phone"]}"' in page


def test_registry_mismatch_does_not_reveal_the_registered_name_or_date(client, person):
    start(client)
    page = fill_declarant(
        client, full_name="Nguyễn Văn Ba", contact_person="Nguyễn Văn Ba"
    ).content.decode()
    assert "Nguyễn Văn An" not in page  # not the registry's name
    assert "15/05/1990" in page  # what the citizen typed is kept
    unknown = fill_declarant(client, insurance_number="7909999999").content.decode()
    mismatch = "Họ tên, mã số BHXH hoặc ngày sinh không khớp"
    assert mismatch in page and mismatch in unknown


def test_number_with_an_account_is_sent_to_forgotten_password(client, person):
    User.objects.create_user(username="7901234567", password="x-Very-long-1")
    start(client)
    page = fill_declarant(client).content.decode()
    assert "đã có tài khoản giao dịch điện tử" in page
    assert 'href="/quen-mat-khau/"' in page


def test_second_registration_while_one_is_open_is_refused(client, person, captcha_code):
    walk_to_review(client)
    submit(client)
    other = client.__class__()
    start(other)
    page = fill_declarant(other).content.decode()
    assert "đã có một tờ khai đang chờ" in page
    assert 'href="/dang-ky/tra-cuu/"' in page


@pytest.mark.parametrize(
    "data,name,message",
    [
        (b"<?php echo 1; ?>", "anh.jpg", "không phải là ảnh hợp lệ"),
        (b"%PDF-1.4\n%%EOF", "anh.jpg", "không phải là ảnh hợp lệ"),
        (b"", "anh.jpg", "Tệp rỗng"),
    ],
)
def test_non_images_are_refused_with_a_clear_message(client, person, data, name, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    start(client)
    fill_declarant(client)
    response = upload_images(client, id_back=SimpleUploadedFile(name, data, "image/jpeg"))
    assert response.status_code == 400
    assert message.lower() in response.content.decode().lower()
    # The good images of the same request were kept.
    assert set(DeclarationUpload.objects.values_list("slot", flat=True)) == {"portrait", "id_front"}


def test_too_small_image_names_the_minimum(client, person):
    start(client)
    fill_declarant(client)
    response = upload_images(client, portrait=image_upload(width=100, height=100))
    assert response.status_code == 400
    assert "ít nhất 300 điểm ảnh" in response.content.decode()


def test_too_big_file_is_refused(client, person):
    from django.core.files.uploadedfile import SimpleUploadedFile

    start(client)
    fill_declarant(client)
    big = SimpleUploadedFile("to.jpg", b"\xff\xd8" + b"0" * (10 * 1024 * 1024 + 10), "image/jpeg")
    response = upload_images(client, portrait=big)
    assert response.status_code == 400
    assert "lớn hơn 10 MB" in response.content.decode()


def test_pixel_flood_is_refused(client, person):
    from django.core.files.uploadedfile import SimpleUploadedFile

    image = Image.new("1", (20000, 20000))
    out = io.BytesIO()
    image.save(out, "PNG")
    start(client)
    fill_declarant(client)
    response = upload_images(client, portrait=SimpleUploadedFile("bom.png", out.getvalue()))
    assert response.status_code == 400
    assert "kích thước quá lớn" in response.content.decode()


def test_missing_image_is_asked_for(client, person):
    start(client)
    fill_declarant(client)
    response = client.post(
        "/dang-ky/anh/", {"portrait": image_upload(width=600, height=800), "action": "continue"}
    )
    assert response.status_code == 400
    assert response.content.decode().count("Vui lòng chọn ảnh.") == 2


def test_preview_is_served_only_to_the_wizard_that_uploaded_it(client, person):
    start(client)
    fill_declarant(client)
    upload_images(client)
    response = client.get("/dang-ky/anh/portrait/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert response["X-Content-Type-Options"] == "nosniff"
    stranger = client.__class__()
    assert stranger.get("/dang-ky/anh/portrait/").status_code == 404
    start(stranger)
    assert stranger.get("/dang-ky/anh/portrait/").status_code == 404


def test_missing_commitment_is_an_error_next_to_the_checkbox(client, person, captcha_code):
    walk_to_review(client)
    response = submit(client, commitment="")
    assert response.status_code == 400
    assert "Vui lòng đánh dấu ô cam kết" in response.content.decode()
    assert not Declaration.objects.exists()


def test_wrong_captcha_is_refused_and_failures_are_rate_limited(client, person, captcha_code):
    walk_to_review(client)
    for _attempt in range(10):
        response = submit(client, captcha_1="ZZZZ")
        assert response.status_code == 400
        assert "Mã kiểm tra không đúng" in response.content.decode()
    assert submit(client).status_code == 429
    assert not Declaration.objects.exists()


def test_double_submit_creates_one_declaration(client, person, captcha_code, outbox):
    walk_to_review(client)
    first = submit(client)
    second = submit(client)  # the same form posted again: captcha already used
    assert first["Location"] == second["Location"] == "/dang-ky/da-gui/"
    assert Declaration.objects.count() == 1
    sent = [m["template"] for m in outbox.messages("sms")]
    assert sent == ["declaration_resume", "declaration_received"]


def test_send_by_email_needs_an_email(client, person):
    start(client)
    fill_declarant(client, email="")
    upload_images(client)
    response = choose_office(client)
    assert response.status_code == 400
    assert "chưa nhập địa chỉ thư điện tử" in response.content.decode()


def test_office_must_belong_to_the_chosen_province(client, person, offices):
    start(client)
    fill_declarant(client)
    upload_images(client)
    response = choose_office(client, office="00105", province="079")
    assert response.status_code == 400
    assert "Vui lòng chọn cơ quan BHXH trong danh sách." in response.content.decode()


def test_office_picker_without_javascript_lists_the_districts_after_choose(client, person):
    start(client)
    fill_declarant(client)
    upload_images(client)
    page = client.get("/dang-ky/noi-nop/").content.decode()
    assert "[07914] BHXH Quận 4" not in page
    client.post("/dang-ky/noi-nop/", {"province": "079", "action": "choose_province"})
    page = client.get("/dang-ky/noi-nop/").content.decode()
    assert "[079] BHXH Tp. Hồ Chí Minh" in page
    assert '<option value="07914">[07914] BHXH Quận 4</option>' in page


def test_offices_json_lists_the_province_office_and_its_districts(client, offices):
    data = client.get("/dang-ky/co-quan/?province=079").json()
    assert [o["code"] for o in data["offices"]] == ["079", "07901", "07914"]
    assert client.get("/dang-ky/co-quan/?province=x").status_code == 400


def test_wizard_speaks_english_when_asked(client, person):
    page = client.get("/dang-ky/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Individual" in page and "Continue" in page and "Step 1/5" in page
