"""Clerks, an administrator, a citizen and declarations for the staff tests.

Imported by the staff test modules (``from .staff_fixtures import *``) so
the shared conftest stays as it is.
"""

import pytest

from accounts.models import StaffProfile, User

from .factories import DeclarationFactory

__all__ = [
    "admin_user",
    "citizen_user",
    "clerk_q1",
    "clerk_q4",
    "declaration_q1",
    "declaration_q4",
    "make_clerk",
    "province_clerk",
]


def make_clerk(office, username: str, *, children: bool = False) -> User:
    user = User.objects.create_user(
        username, password="mat-khau-can-bo-1", is_staff=True, full_name=f"Cán bộ {username}"
    )
    StaffProfile.objects.create(user=user, office=office, includes_child_offices=children)
    return user


@pytest.fixture
def clerk_q4(offices) -> User:
    return make_clerk(offices.q4, "canbo.quan4")


@pytest.fixture
def clerk_q1(offices) -> User:
    return make_clerk(offices.q1, "canbo.quan1")


@pytest.fixture
def province_clerk(offices) -> User:
    return make_clerk(offices.p079, "canbo.hcm", children=True)


@pytest.fixture
def admin_user(db) -> User:
    return User.objects.create_superuser("quantri", "qt@example.vn", "mat-khau-quan-tri-1")


@pytest.fixture
def citizen_user(db) -> User:
    return User.objects.create_user("7900000009", password="mat-khau-cong-dan-1")


@pytest.fixture
def declaration_q4(person, offices):
    return DeclarationFactory(
        office=offices.q4,
        insurance_number=person.insurance_number,
        full_name=person.full_name,
        date_of_birth=person.date_of_birth,
        id_number=person.id_number,
        email="an@example.vn",
    )


@pytest.fixture
def declaration_q1(offices):
    return DeclarationFactory(office=offices.q1, full_name="Trần Thị Bình")
