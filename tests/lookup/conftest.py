import datetime as dt

from django.core.management import call_command

import pytest

from insurance.models import Person
from lookup.models import District, Office, Province


@pytest.fixture
def reference_data(db):
    """The full reference data of lookup/data/ (provinces … collection points)."""
    call_command("load_reference_data", stdout=open("/dev/null", "w"))


@pytest.fixture
def hcm(db):
    """TP.HCM with BHXH Tp. Hồ Chí Minh and BHXH Quận 4, nothing else."""
    province = Province.objects.create(code="79", name="Thành phố Hồ Chí Minh")
    district = District.objects.create(code="773", name="Quận 4", province=province)
    parent = Office.objects.create(
        code="079", name="BHXH Tp. Hồ Chí Minh", level=Office.Level.PROVINCE, province=province
    )
    quan4 = Office.objects.create(
        code="07914",
        name="BHXH Quận 4",
        level=Office.Level.DISTRICT,
        parent=parent,
        province=province,
        district=district,
    )
    return {"province": province, "district": district, "office": quan4, "parent": parent}


@pytest.fixture
def person_factory(hcm):
    counter = iter(range(1, 10_000))

    def make(**overrides) -> Person:
        values = {
            "insurance_number": f"79{next(counter):08d}",
            "full_name": "Nguyễn Thị Hoa",
            "date_of_birth": dt.date(1990, 5, 15),
            "gender": Person.Gender.FEMALE,
            "id_number": "079190001234",
            "province": hcm["province"],
            "office": hcm["office"],
            "parent_name": "Nguyễn Văn Bình",
        }
        values.update(overrides)
        person = Person(**values)
        person.save()
        return person

    return make
