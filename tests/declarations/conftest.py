"""Fixtures for the registration: offices, a registry person, images, the outbox."""

import datetime as dt
import io
import sys
import types
from pathlib import Path

import pytest
from PIL import Image

from insurance.models import Person
from lookup.models import Office, Province


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path) -> Path:
    """Uploads go to a folder of this test, so leftover files can be counted."""
    root = tmp_path / "private_media"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root, "base_url": None},
        },
    }
    return root


def stored_files(root: Path) -> list[Path]:
    """Files the declarations app stored (e-mail attachments live in the outbox's folder)."""
    folders = [root / "declarations", root / "declaration-drafts"]
    return sorted(p for folder in folders for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def offices(db):
    hcm = Province.objects.create(code="79", name="Thành phố Hồ Chí Minh")
    hn = Province.objects.create(code="01", name="Thành phố Hà Nội")
    p079 = Office.objects.create(
        code="079", name="BHXH Tp. Hồ Chí Minh", level="province", province=hcm
    )
    q4 = Office.objects.create(
        code="07914",
        name="BHXH Quận 4",
        level="district",
        parent=p079,
        province=hcm,
        address="18 Đoàn Như Hài, Phường 12, Quận 4",
    )
    q1 = Office.objects.create(
        code="07901", name="BHXH Quận 1", level="district", parent=p079, province=hcm
    )
    p001 = Office.objects.create(code="001", name="BHXH Tp. Hà Nội", level="province", province=hn)
    cg = Office.objects.create(
        code="00105", name="BHXH Quận Cầu Giấy", level="district", parent=p001, province=hn
    )
    return types.SimpleNamespace(p079=p079, q4=q4, q1=q1, p001=p001, cau_giay=cg)


# The registry person most tests register as.
AN = {
    "insurance_number": "7901234567",
    "full_name": "Nguyễn Văn An",
    "date_of_birth": dt.date(1990, 5, 15),
    "gender": "M",
    "id_number": "079090001234",
}


@pytest.fixture
def person(db, offices) -> Person:
    return Person.objects.create(**AN, office=offices.q4)


def jpeg_bytes(width=800, height=600, *, gps=False, color=(200, 30, 30)) -> bytes:
    image = Image.new("RGB", (width, height), color)
    image.paste((20, 20, 200), (0, 0, width // 4, height // 4))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x0112] = 6
        exif[0x010F] = "PhoneMaker"
        exif[0x8825] = {1: "N", 2: (10.0, 45.0, 0.0), 3: "E", 4: (106.0, 42.0, 0.0)}
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def declarant_data(**overrides) -> dict:
    data = {
        "full_name": "nguyễn  văn AN",
        "insurance_number": "7901234567",
        "date_of_birth": "15/05/1990",
        "id_number": "079090001234",
        "contact_address": "12 Đường số 3, Phường 9, Quận 4, TP. Hồ Chí Minh",
        "contact_person": "Nguyễn Văn An",
        "email": "an@example.vn",
        "phone": "0912 345 678",
    }
    data.update(overrides)
    return data


class Outbox:
    """Notifications queued during a test, from the real outbox when it exists."""

    def __init__(self, fake_calls: list | None):
        self.fake_calls = fake_calls

    def messages(self, channel: str | None = None) -> list[dict]:
        if self.fake_calls is not None:
            rows = list(self.fake_calls)
        else:
            from notifications.models import Message

            rows = [
                {
                    "channel": m.channel,
                    "recipient": m.recipient,
                    "template": m.template,
                    "message": m,
                }
                for m in Message.objects.order_by("pk")
            ]
        return [row for row in rows if channel is None or row["channel"] == channel]


@pytest.fixture(autouse=True)
def outbox(monkeypatch) -> Outbox:
    """The real notifications outbox, or until it is merged a recorder with its signature."""
    try:
        import notifications.services  # noqa: F401

        return Outbox(None)
    except ImportError:
        calls: list[dict] = []

        def message_queue(
            *,
            channel,
            recipient,
            template,
            context,
            about=None,
            idempotency_key=None,
            sensitive=(),
            attachments=(),
        ):
            calls.append(
                {
                    "channel": channel,
                    "recipient": recipient,
                    "template": template,
                    "context": context,
                    "about": about,
                    "attachments": list(attachments),
                }
            )

        module = types.ModuleType("notifications.services")
        module.message_queue = message_queue
        monkeypatch.setitem(sys.modules, "notifications.services", module)
        return Outbox(calls)


@pytest.fixture(autouse=True)
def _vietnamese():
    """Messages are asserted in Vietnamese, whatever an earlier request activated."""
    from django.utils import translation

    with translation.override("vi"):
        yield
