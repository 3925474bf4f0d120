import pytest

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_sign_in_page_uses_the_portal_wording(client):
    html = client.get("/dang-nhap/").content.decode()
    assert '<label for="id_username">Mã số BHXH' in html
    assert '<label for="id_password">Mật khẩu' in html
    assert 'type="password"' in html
    assert ">Đăng nhập</button>" in html


def test_wrong_password_gives_a_clear_error_and_keeps_the_number(client):
    User.objects.create_user("7901234567", password="dung-mat-khau-roi")
    response = client.post("/dang-nhap/", {"username": "7901234567", "password": "sai"})
    html = response.content.decode()
    assert "Mã số BHXH hoặc mật khẩu không đúng." in html
    assert 'value="7901234567"' in html
    assert "_auth_user_id" not in client.session


def test_right_password_signs_in(client):
    User.objects.create_user("7901234567", password="dung-mat-khau-roi")
    response = client.post(
        "/dang-nhap/", {"username": "7901234567", "password": "dung-mat-khau-roi"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"]
