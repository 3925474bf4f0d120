"""PostgreSQL only: trigram indexes exist and serve the folded search."""

import pytest

from lookup import selectors

pytestmark = pytest.mark.postgres


def test_trigram_indexes_exist_on_every_search_column(postgres_db):
    with postgres_db.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%gin_trgm_ops%'"
            " AND tablename LIKE 'lookup_%' ORDER BY 1"
        )
        names = [row[0] for row in cursor.fetchall()]
    assert names == [
        "lookup_collectionpoint_search_trgm",
        "lookup_employerunit_search_trgm",
        "lookup_medicalfacility_search_trgm",
        "lookup_office_search_trgm",
    ]


def test_a_name_search_can_use_the_trigram_index(postgres_db, reference_data):
    with postgres_db.cursor() as cursor:
        cursor.execute("ANALYZE lookup_medicalfacility")
        # 1,100 rows fit in a few pages, where a scan is cheaper; forbid it to
        # see that the GIN index can answer (bench/lookups.py shows 15,000).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = selectors.facility_search(q="cho ray").explain()
    assert "lookup_medicalfacility_search_trgm" in plan, plan


def test_did_you_mean_uses_the_trigram_operator(postgres_db, reference_data):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert selectors.search_suggestion(scope=selectors.facility_search(), q="benh vien cho rai")
    assert any("%>" in q["sql"] for q in queries.captured_queries)
