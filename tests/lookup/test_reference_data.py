from io import StringIO

from django.core.management import call_command

import pytest

from lookup.models import District, Office, Province

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    call_command("load_reference_data", stdout=open("/dev/null", "w"))


def test_every_province_office_is_loaded_with_its_bhxh_code(loaded):
    assert Province.objects.count() == 63
    assert Office.objects.filter(level=Office.Level.PROVINCE).count() == 63
    hcm = Office.objects.get(code="079")
    assert hcm.name == "BHXH Tp. Hồ Chí Minh"
    assert hcm.province.name == "Thành phố Hồ Chí Minh"
    assert Office.objects.get(code="001").name == "BHXH Tp. Hà Nội"
    assert Office.objects.get(code="089").name == "BHXH tỉnh An Giang"


def test_district_offices_of_hanoi_and_hcm_hang_under_their_province(loaded):
    quan4 = Office.objects.get(code="07914")
    assert quan4.name == "BHXH Quận 4"
    assert quan4.parent.code == "079"
    assert quan4.district.code == "773"
    assert Office.objects.filter(parent__code="079").count() == 22
    assert Office.objects.filter(parent__code="001").count() == 30
    assert Office.objects.get(district__code="005").name == "BHXH Quận Cầu Giấy"
    assert Office.objects.get(district__code="787").name == "BHXH huyện Cần Giờ"


def test_loading_twice_changes_nothing_and_a_corrected_name_is_restored(loaded):
    counts = (Province.objects.count(), District.objects.count(), Office.objects.count())
    Office.objects.filter(code="07914").update(name="sai tên")
    from io import StringIO

    out = StringIO()
    call_command("load_reference_data", stdout=out)
    assert (Province.objects.count(), District.objects.count(), Office.objects.count()) == counts
    assert "offices: 0 created, 1 updated" in out.getvalue()
    assert Office.objects.get(code="07914").name == "BHXH Quận 4"


def test_office_search_text_ignores_diacritics(loaded):
    assert Office.objects.filter(search_text__contains="quan 4").filter(code="07914").exists()


def test_facilities_employers_and_collection_points_are_loaded_marked_generated(loaded):
    from lookup.models import CollectionPoint, EmployerUnit, MedicalFacility

    assert MedicalFacility.objects.count() > 1000
    assert EmployerUnit.objects.count() >= 300
    assert CollectionPoint.objects.count() >= 500
    assert set(MedicalFacility.objects.values_list("province_id", flat=True).distinct()) == set(
        Province.objects.values_list("code", flat=True)
    )
    cho_ray = MedicalFacility.objects.get(name="Bệnh viện Chợ Rẫy")
    assert cho_ray.code.startswith("79") and cho_ray.is_generated
    assert cho_ray.search_text == "79001 benh vien cho ray"
    assert not MedicalFacility.objects.filter(is_generated=False).exists()
    assert CollectionPoint.objects.filter(
        kind="post_office", province_id="01", name="Bưu điện Quận Cầu Giấy"
    ).exists()
    quan4 = Office.objects.get(code="07914")
    assert quan4.address and quan4.phone and quan4.working_hours and quan4.contact_generated
    assert quan4.latitude is not None


def test_a_second_load_reports_every_new_row_unchanged(loaded):
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    for name in ["facilities", "employers", "collection_points", "offices"]:
        assert f"{name}: 0 created, 0 updated" in out.getvalue()


def test_a_corrected_facility_is_restored_with_its_search_text(loaded):
    from lookup.models import MedicalFacility

    MedicalFacility.objects.filter(code="79001").update(name="sai", search_text="sai")
    call_command("load_reference_data", stdout=StringIO())
    facility = MedicalFacility.objects.get(code="79001")
    assert (facility.name, facility.search_text) == ("Bệnh viện Chợ Rẫy", "79001 benh vien cho ray")


def test_the_data_files_are_small_and_the_generator_reproduces_them(tmp_path):
    import hashlib
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    data = Path(__file__).resolve().parents[2] / "lookup" / "data"
    assert sum(f.stat().st_size for f in data.iterdir() if f.is_file()) < 1_000_000
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    subprocess.run([sys.executable, str(copy / "generate.py")], check=True, capture_output=True)
    for name in [
        "office_contacts.json",
        "facilities.json",
        "employers.json",
        "collection_points.json",
    ]:
        assert (
            hashlib.sha256((copy / name).read_bytes()).digest()
            == hashlib.sha256((data / name).read_bytes()).digest()
        ), name
