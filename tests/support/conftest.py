import io

import pytest
from PIL import Image

from accounts.models import StaffProfile, User
from lookup.models import Office, Province
from support.models import Topic


@pytest.fixture
def offices(db):
    hcm = Province.objects.create(code="79", name="Thành phố Hồ Chí Minh")
    hn = Province.objects.create(code="01", name="Thành phố Hà Nội")
    city = Office.objects.create(
        code="079", name="BHXH Thành phố Hồ Chí Minh", level="province", province=hcm
    )
    quan4 = Office.objects.create(
        code="07914", name="BHXH Quận 4", level="district", parent=city, province=hcm
    )
    hanoi = Office.objects.create(
        code="001", name="BHXH Thành phố Hà Nội", level="province", province=hn
    )
    return {"city": city, "quan4": quan4, "hanoi": hanoi}


def make_staff(username: str, office: Office | None, **profile) -> User:
    user = User.objects.create_user(
        username, password="mat-khau-can-bo", is_staff=True, full_name=f"Cán bộ {username}"
    )
    if office is not None:
        StaffProfile.objects.create(user=user, office=office, **profile)
    return user


@pytest.fixture
def clerk(offices) -> User:
    return make_staff("canbo.quan4", offices["quan4"])


@pytest.fixture
def hanoi_clerk(offices) -> User:
    return make_staff("canbo.hanoi", offices["hanoi"])


@pytest.fixture
def topic(db) -> Topic:
    return Topic.objects.get(slug="dang-nhap")


@pytest.fixture
def sent_messages(monkeypatch) -> list[dict]:
    """Every call the answer service makes to notifications' message_queue."""
    calls: list[dict] = []

    def record(**kwargs):
        calls.append(kwargs)

    monkeypatch.setattr("support.services.message_queue_for_answer", record)
    return calls


def image_bytes(size=(400, 300), fmt="JPEG", color=(30, 120, 200), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt, **save)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _private_media_in_tmp(settings, tmp_path):
    """Uploads land in a throw-away folder, never in the project's private_media/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
