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
