"""Fixtures for the account tests: offices, a citizen with a registry entry,
clerks, and a recorder of queued notices."""

import datetime as dt
import sys
import types
from dataclasses import dataclass, field

from django.utils import timezone

import pytest

from accounts.models import StaffProfile, User
from insurance.models import Person
from lookup.models import Office, Province

PASSWORD = "Mat-khau-rat-dai-2026"
NUMBER = "7901234567"
PHONE = "+84912345678"


@dataclass
class Notices:
    """Notices queued through ``notifications.services.message_queue``."""

    calls: list[dict] = field(default_factory=list)

    def __call__(self, **kwargs):
        self.calls.append(kwargs)
        return types.SimpleNamespace(pk=len(self.calls), **kwargs)

    def templates(self, channel: str | None = None) -> list[str]:
        return [c["template"] for c in self.calls if channel in (None, c["channel"])]

    def last_code(self) -> str:
        return [c for c in self.calls if c["template"] == "otp"][-1]["context"]["code"]

    def to(self, recipient: str) -> list[str]:
        return [c["template"] for c in self.calls if c["recipient"] == recipient]


@pytest.fixture(autouse=True)
def notices(monkeypatch) -> Notices:
    """Record every notice instead of writing outbox rows.

    ``notifications`` is built in parallel; until it is merged this stands
    in for ``notifications.services`` so the account rules can be tested.
    """
    recorder = Notices()
    try:
        import notifications.services as real  # noqa: F401

        monkeypatch.setattr("notifications.services.message_queue", recorder)
    except ImportError:
        module = types.ModuleType("notifications.services")
        module.message_queue = recorder
        monkeypatch.setitem(sys.modules, "notifications.services", module)
    return recorder


@pytest.fixture
def codes(monkeypatch) -> list[str]:
    """OTP codes handed out, in order (``accounts.otp.generate_code`` patched)."""
    issued: list[str] = []
    counter = iter(range(100000, 999999, 111))

    def generate():
        code = f"{next(counter):06d}"
        issued.append(code)
        return code

    monkeypatch.setattr("accounts.otp.generate_code", generate)
    return issued


@pytest.fixture
def offices(db) -> dict[str, Office]:
    hcm = Province.objects.create(code="79", name="Thành phố Hồ Chí Minh")
    hn = Province.objects.create(code="01", name="Thành phố Hà Nội")
    province = Office.objects.create(
        code="079", name="BHXH Tp. Hồ Chí Minh", level="province", province=hcm
    )
    quan4 = Office.objects.create(
        code="07914", name="BHXH Quận 4", level="district", parent=province, province=hcm
    )
    quan1 = Office.objects.create(
        code="07901", name="BHXH Quận 1", level="district", parent=province, province=hcm
    )
    hanoi = Office.objects.create(code="001", name="BHXH Tp. Hà Nội", level="province", province=hn)
    return {"079": province, "07914": quan4, "07901": quan1, "001": hanoi}


def make_citizen(username=NUMBER, password=PASSWORD, phone=PHONE, **fields) -> User:
    user = User.objects.create_user(
        username,
        password=password,
        phone=phone,
        full_name=fields.pop("full_name", "Nguyễn Văn An"),
        email=fields.pop("email", "an@example.vn"),
        **fields,
    )
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password_changed_at"])
    return user


@pytest.fixture
def citizen(offices) -> User:
    Person.objects.create(
        insurance_number=NUMBER,
        full_name="Nguyễn Văn An",
        date_of_birth=dt.date(1990, 5, 15),
        gender="M",
        office=offices["07914"],
    )
    return make_citizen()


def make_clerk(office: Office, username="canbo", **profile) -> User:
    user = User.objects.create_user(username, password="canbo-mat-khau-dai", is_staff=True)
    StaffProfile.objects.create(user=user, office=office, **profile)
    return user


@pytest.fixture
def clerk(offices) -> User:
    return make_clerk(offices["07914"], "canbo.quan4")


@pytest.fixture
def other_clerk(offices) -> User:
    return make_clerk(offices["07901"], "canbo.quan1")


def sign_in(client, username=NUMBER, password=PASSWORD, **extra):
    return client.post("/dang-nhap/", {"username": username, "password": password, **extra})
