"""A citizen with a registry person, a BHYT card and facilities, for the request tests.

Imported by the request test modules (``from .request_fixtures import *``)
next to the staff fixtures; the shared conftest stays as it is.
"""

import datetime as dt

import pytest

from accounts.models import User
from declarations.requests.models import ServiceRequest
from insurance.models import HealthInsuranceCard
from lookup.models import MedicalFacility
from tests.insurance.factories import PASSWORD, CardFactory, CitizenFactory

from .helpers import image_upload

__all__ = [
    "an",
    "an_card",
    "facilities",
    "file_request",
    "other_citizen",
    "request_data",
]

# What each kind's form needs, as typed on the page.
REQUEST_DATA = {
    "cap-lai-the": {"reason": "lost", "delivery": "at_office", "note": "Mất ví ngày 01/12"},
    "sua-thong-tin": {
        "wrong_fields": ["full_name", "date_of_birth"],
        "full_name": "Nguyễn Văn Ân",
        "date_of_birth": "16/05/1990",
        "document": "cccd",
    },
    "doi-noi-kcb": {"facility_code": "79022", "note": "Gần nhà mới"},
    "bao-sai-qua-trinh": {
        "from_month": "2024-03",
        "to_month": "2024-05",
        "problem": "owed",
        "employer": "Công ty TNHH Điện tử Sao Việt",
        "description": "Công ty đã trừ lương 3 tháng nhưng không thấy đóng.",
    },
}


def request_data(slug: str, **overrides) -> dict:
    data = {**REQUEST_DATA[slug], **overrides}
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def an(person, offices) -> User:
    """Nguyễn Văn An's account; his person is managed by BHXH Quận 4 (HCM)."""
    person.province = offices.q4.province
    person.address = "12 Đường số 3, Phường 9, Quận 4, TP. Hồ Chí Minh"
    person.save()
    return CitizenFactory(person=person, phone="+84912345678", email="an@example.vn")


@pytest.fixture
def an_card(person) -> HealthInsuranceCard:
    return CardFactory(
        person=person,
        kcb_code="79011",
        kcb_name="Trung tâm Y tế Quận 4",
        issued_on=dt.date(2025, 12, 20),
        issue_place="Quận 4, Thành phố Hồ Chí Minh",
    )


@pytest.fixture
def other_citizen(db) -> User:
    return CitizenFactory(username="7909999999")


@pytest.fixture
def facilities(offices) -> dict[str, MedicalFacility]:
    """In HCM: two that take initial registrations, a central hospital that does
    not, one without a BHYT contract; one in Hà Nội."""
    rows = [
        ("79011", "Trung tâm Y tế Quận 4", "district", "79", True, True),
        ("79022", "Trạm y tế Phường 9 Quận 4", "commune", "79", True, True),
        ("79001", "Bệnh viện Chợ Rẫy", "central", "79", True, False),
        ("79033", "Phòng khám tư Sài Gòn", "district", "79", False, False),
        ("01005", "Bệnh viện Đa khoa Cầu Giấy", "district", "01", True, True),
    ]
    made = {}
    for code, name, level, province, contract, initial in rows:
        made[code] = MedicalFacility.objects.create(
            code=code,
            name=name,
            level=level,
            province_id=province,
            has_bhyt_contract=contract,
            accepts_initial_registration=initial,
        )
    return made


def file_request(client, slug: str, data: dict, *, photo: bool = True, child=None):
    """Fill a kind's form, confirm, send; the request filed."""
    query = f"?con={child.pk}" if child is not None else ""
    files = {"attachment": image_upload("giay-to.jpg")} if photo else {}
    response = client.post(f"/ca-nhan/yeu-cau/moi/{slug}/{query}", {**data, **files})
    assert response.status_code == 302, response.content.decode()[:4000]
    assert response["Location"] == f"/ca-nhan/yeu-cau/moi/{slug}/xac-nhan/{query}"
    response = client.post(response["Location"], {"commitment": "on"})
    assert response.status_code == 302, response.content.decode()[:4000]
    code = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    return ServiceRequest.objects.get(reference_code=code)


__all__ += ["PASSWORD", "REQUEST_DATA"]
