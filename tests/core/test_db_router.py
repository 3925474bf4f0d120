"""The read-replica router (vssid_portal/db_router.py).

The ``replica`` alias mirrors the test database (``TEST: MIRROR``), so these
tests run on SQLite and on PostgreSQL alike; which alias ran a query is read
from each connection's captured queries. ``transaction=True``: in a plain
``django_db`` test every query runs inside the test's transaction, where the
router rightly keeps reads on the primary.
"""

from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

import pytest

from accounts.models import User
from declarations.models import Declaration
from insurance.models import Person
from lookup.models import MedicalFacility, Province
from tests.insurance.factories import CardFactory, CitizenFactory, PersonFactory
from vssid_portal.db_router import replica_reads_allowed

ALIASES = ["default", "replica"]
pytestmark = pytest.mark.django_db(transaction=True, databases=ALIASES)


@pytest.fixture
def with_replica(settings):
    settings.DATABASE_REPLICA_READS = True


class Captured:
    """Queries run on each alias while the block runs."""

    def __enter__(self):
        self.contexts = {alias: CaptureQueriesContext(connections[alias]) for alias in ALIASES}
        for context in self.contexts.values():
            context.__enter__()
        return self

    def __exit__(self, *exc):
        for context in self.contexts.values():
            context.__exit__(*exc)

    def sql(self, alias: str) -> str:
        return " ".join(q["sql"] for q in self.contexts[alias].captured_queries)


def test_without_a_replica_everything_reads_the_primary():
    with replica_reads_allowed():
        assert Person.objects.all().db == "default"
        assert MedicalFacility.objects.all().db == "default"


def test_registry_and_reference_reads_go_to_the_replica_when_the_request_allows(with_replica):
    with replica_reads_allowed():
        assert Person.objects.all().db == "replica"
        assert Province.objects.all().db == "replica"
        # Accounts, declarations: read where they were written.
        assert User.objects.all().db == "default"
        assert Declaration.objects.all().db == "default"
    # Outside a request (tasks, commands, the importer): the primary.
    assert Person.objects.all().db == "default"


def test_writes_and_reads_inside_a_transaction_use_the_primary(with_replica):
    with replica_reads_allowed():
        with transaction.atomic():
            person = PersonFactory()
            assert Person.objects.filter(pk=person.pk).db == "default"
            with Captured() as captured:
                assert Person.objects.get(pk=person.pk).full_name == person.full_name
        assert captured.sql("replica") == ""
        assert "insurance_person" in captured.sql("default")
        # Committed: a later read outside the transaction may use the replica.
        with Captured() as captured:
            assert Person.objects.filter(pk=person.pk).exists()
        assert "insurance_person" in captured.sql("replica")


def test_a_citizen_page_reads_the_registry_from_the_replica_and_the_session_from_the_primary(
    client, with_replica
):
    person = PersonFactory(full_name="Nguyễn Văn An")
    CardFactory(person=person)
    client.force_login(CitizenFactory(person=person))
    with Captured() as captured:
        response = client.get("/ca-nhan/the-bhyt/")
    assert response.status_code == 200
    assert "Nguyễn Văn An" in response.content.decode()
    assert "insurance_person" in captured.sql("replica")
    assert "insurance_healthinsurancecard" in captured.sql("replica")
    assert "django_session" not in captured.sql("replica")
    assert "accounts_user" not in captured.sql("replica")
    assert "accounts_user" in captured.sql("default")


def test_anonymous_lookups_read_from_the_replica(client, with_replica):
    Province.objects.create(code="79", name="Thành phố Hồ Chí Minh")
    with Captured() as captured:
        response = client.get("/tra-cuu/co-so-kcb/", {"q": "quan 4"})
    assert response.status_code == 200
    assert "lookup_" in captured.sql("replica")


def test_posts_and_sign_in_never_read_from_the_replica(client, with_replica):
    person = PersonFactory()
    CitizenFactory(person=person)
    with Captured() as captured:
        client.get("/dang-nhap/")
        client.post(
            "/dang-nhap/", {"username": person.insurance_number, "password": "sai-mat-khau"}
        )
        client.post("/tra-cuu/ma-so-bhxh/", {"full_name": "Nguyễn Văn An"})
    assert captured.sql("replica") == ""


def test_staff_pages_read_from_the_primary(client, with_replica):
    staff = User.objects.create_user(username="canbo01", password="x", is_staff=True)
    client.force_login(staff)
    with Captured() as captured:
        client.get("/can-bo/")
        client.get("/tra-cuu/co-so-kcb/", {"q": "quan 4"})  # a staff member's lookup too
    assert captured.sql("replica") == ""
