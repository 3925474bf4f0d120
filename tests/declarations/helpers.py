from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import captcha_post_data

from .conftest import declarant_data, jpeg_bytes


def image_upload(name="anh.jpg", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(**kwargs), content_type="image/jpeg")


def start(client):
    return client.post("/dang-ky/", {"kind": "own_account", "action": "continue"})


def fill_declarant(client, **overrides):
    return client.post("/dang-ky/to-khai/", {**declarant_data(**overrides), "action": "continue"})


def upload_images(client, **overrides):
    files = {
        "portrait": image_upload("chan-dung.jpg", width=600, height=800),
        "id_front": image_upload("truoc.jpg", gps=True),
        "id_back": image_upload("sau.jpg"),
    }
    files.update(overrides)
    return client.post("/dang-ky/anh/", {**files, "action": "continue"})


def choose_office(client, office="07914", **overrides):
    data = {
        "province": office[:3],
        "office": office,
        "submission_mode": "at_office",
        "send_form_by_email": "on",
        "action": "continue",
    }
    data.update(overrides)
    return client.post("/dang-ky/noi-nop/", data)


def submit(client, **overrides):
    data = {"commitment": "on", "action": "continue", **captcha_post_data()}
    data.update(overrides)
    return client.post("/dang-ky/xem-lai/", data)


def walk_to_review(client):
    assert start(client).status_code == 302
    response = fill_declarant(client)
    assert response.status_code == 302, response.content.decode()[:3000]
    response = upload_images(client)
    assert response.status_code == 302, response.content.decode()[:3000]
    response = choose_office(client)
    assert response.status_code == 302, response.content.decode()[:3000]
