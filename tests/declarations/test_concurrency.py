"""Two "Gửi" at the same moment, on PostgreSQL with real concurrent transactions."""

import threading

from django.core.exceptions import ValidationError
from django.db import connection, connections

import pytest

from declarations.models import Declaration
from tests.conftest import service_unavailable

from .test_services import submit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(offices, keys):
    barrier = threading.Barrier(len(keys))
    results = []

    def run(key):
        try:
            barrier.wait()
            results.append(submit(offices, key=key).pk)
        except ValidationError as exc:
            results.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.fixture
def on_postgres(transactional_db):
    if connection.vendor != "postgresql":
        service_unavailable("PostgreSQL", f"DATABASE_URL points to {connection.vendor}")


def test_concurrent_double_submit_creates_one_declaration(on_postgres, person, offices):
    results = race(offices, ["same", "same", "same"])
    assert Declaration.objects.count() == 1
    assert results == [Declaration.objects.get().pk] * 3


def test_concurrent_submissions_for_one_number_leave_one_open(on_postgres, person, offices):
    results = race(offices, ["a", "b", "c"])
    assert Declaration.objects.count() == 1
    assert sorted(map(str, results)).count("open_declaration") == 2


def test_two_guardians_registering_one_child_at_once_leave_one_open(on_postgres, offices):
    """Both parents press "Đồng ý" at the same moment: one tờ khai, one clear refusal."""
    import datetime as dt

    from django.core.files.base import ContentFile

    from accounts.models import User
    from declarations.children import child_declaration_submit
    from insurance.models import Person

    from .conftest import jpeg_bytes

    Person.objects.create(
        insurance_number="7920170902",
        full_name="Nguyễn Minh Khoa",
        date_of_birth=dt.date.today().replace(year=dt.date.today().year - 8),
        gender="M",
    )
    parents = [
        User.objects.create_user(username=f"790000000{i}", password="x", phone=f"+8491234567{i}")
        for i in (1, 2)
    ]
    barrier = threading.Barrier(2)
    results = []

    def run(parent):
        try:
            barrier.wait()
            declaration = child_declaration_submit(
                guardian=parent,
                insurance_number="7920170902",
                full_name="Nguyễn Minh Khoa",
                office=offices.q4,
                submission_mode="at_office",
                images={
                    "portrait": ContentFile(jpeg_bytes(), name="a.jpg"),
                    "birth_certificate": ContentFile(jpeg_bytes(), name="b.jpg"),
                },
                submission_key=f"key-{parent.pk}",
            )
            results.append(declaration.guardian_id)
        except ValidationError as exc:
            results.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(parent,)) for parent in parents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert Declaration.objects.count() == 1
    assert sorted(map(str, results)).count("open_declaration") == 1
