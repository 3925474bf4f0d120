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
