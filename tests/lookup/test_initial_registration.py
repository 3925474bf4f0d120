"""Which facilities take initial KCB registrations (KCB ban đầu): the flag, its
default from the reference data, and the lookup filters for it."""

import pytest

from lookup.models import MedicalFacility, Province
from lookup.services import accepts_initial_registration_default, reference_data_load

pytestmark = pytest.mark.django_db


def test_the_reference_data_marks_primary_and_provincial_facilities_with_a_contract():
    assert accepts_initial_registration_default(level="commune", has_bhyt_contract=True)
    assert accepts_initial_registration_default(level="district", has_bhyt_contract=True)
    assert accepts_initial_registration_default(level="province", has_bhyt_contract=True)
    assert not accepts_initial_registration_default(level="central", has_bhyt_contract=True)
    assert not accepts_initial_registration_default(level="district", has_bhyt_contract=False)
    reference_data_load()
    bach_mai = MedicalFacility.objects.get(code="01001")  # a central hospital
    assert not bach_mai.accepts_initial_registration
    accepting = MedicalFacility.objects.filter(accepts_initial_registration=True)
    assert accepting.exists()
    assert not accepting.filter(has_bhyt_contract=False).exists()
    assert not accepting.filter(level="central").exists()


@pytest.fixture
def two(db):
    hcm = Province.objects.create(code="79", name="Thành phố Hồ Chí Minh")
    yes = MedicalFacility.objects.create(
        code="79022",
        name="Trạm y tế Phường Tân Định",
        level="commune",
        province=hcm,
        has_bhyt_contract=True,
        accepts_initial_registration=True,
    )
    no = MedicalFacility.objects.create(
        code="79001",
        name="Bệnh viện Thống Nhất",
        level="central",
        province=hcm,
        has_bhyt_contract=True,
    )
    for facility in (yes, no):
        facility.refresh_search_text()
        facility.save()
    return yes, no


def test_the_lookup_page_and_api_filter_on_it(client, two):
    html = client.get("/tra-cuu/co-so-kcb/", {"initial": "1"}).content.decode()
    assert "Trạm y tế Phường Tân Định" in html and "Thống Nhất" not in html
    assert "Nhận đăng ký KCB ban đầu" in html
    data = client.get("/api/v1/lookup/facilities/", {"accepts_initial_registration": "true"}).json()
    assert [r["code"] for r in data["results"]] == ["79022"]
    assert data["results"][0]["accepts_initial_registration"] is True
