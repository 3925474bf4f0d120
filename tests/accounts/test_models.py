from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError

import pytest

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_citizen_username_must_be_a_mã_số_bhxh():
    user = User(username="khong-phai-so", email="a@example.vn")
    with pytest.raises(ValidationError) as info:
        user.full_clean()
    assert "Mã số BHXH gồm đúng 10 chữ số." in info.value.message_dict["username"]


def test_staff_may_have_any_username():
    user = User(username="canbo.quan4", is_staff=True, password="x")
    user.full_clean()


def test_phone_is_stored_in_e164():
    user = User(username="7901234567", phone="0912 345 678", password="x")
    user.full_clean()
    assert user.phone == "+84912345678"


def test_passwords_are_hashed_with_argon2(settings):
    from vssid_portal import settings as project_settings

    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    assert make_password("mat-khau-dai-du").startswith("argon2")
