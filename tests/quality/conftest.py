"""Data for the quality gates: reference data and the demo registry."""

import datetime as dt

from django.utils import timezone

import pytest


@pytest.fixture
def demo_citizen(transactional_db):
    """Nguyễn Văn An of the demo registry, signed up, with records and a card."""
    from accounts.models import User
    from insurance.demo import demo_seed
    from lookup.services import reference_data_load

    reference_data_load()
    demo_seed(citizens=2, random_passwords=True)
    citizen = User.objects.get(username="7901234567")
    citizen.set_password("Mat-khau-fuzz-2026")
    citizen.phone = "+84901234567"
    citizen.must_change_password = False
    citizen.password_changed_at = timezone.now() - dt.timedelta(days=1)
    citizen.save()
    return citizen
