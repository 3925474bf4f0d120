"""Fixtures of the payment tests (insurance/payments): a person with a gap, a household."""

import datetime as dt

import pytest
import time_machine

from insurance.models import HealthInsuranceCard

from .factories import CardFactory, CitizenFactory, PeriodFactory, PersonFactory
from .payments import NOW


@pytest.fixture
def frozen():
    """05/12/2026 10:00 in Hà Nội time, standing still."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def an(db):
    """Nguyễn Văn An: BHXH 01/2015–06/2024 with one employer, nothing since (a gap)."""
    person = PersonFactory(insurance_number="7901234567", full_name="Nguyễn Văn An")
    PeriodFactory(person=person, from_month=dt.date(2015, 1, 1), to_month=dt.date(2024, 6, 1))
    CardFactory(person=person, valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2026, 12, 31))
    return person


@pytest.fixture
def an_user(an):
    user = CitizenFactory(person=an)
    user.phone = "+84901234567"
    user.email = "an@example.vn"
    user.save()
    return user


@pytest.fixture
def household(an, an_user):
    """An on a household card until 31/12/2026 and his daughter (an account he registered)."""
    HealthInsuranceCard.objects.filter(person=an).update(group="GD")
    child = PersonFactory(
        insurance_number="7920100101",
        full_name="Nguyễn Thị Bình",
        date_of_birth=dt.date(2010, 1, 1),
    )
    CardFactory(person=child, group="GD", valid_to=dt.date(2026, 12, 31))
    child_user = CitizenFactory(person=child)
    child_user.guardian = an_user
    child_user.save()
    return {"an": an, "child": child, "child_user": child_user}
