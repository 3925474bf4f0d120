"""The real services CI provides: PostgreSQL, Redis and a Celery worker."""

from django.core.cache import caches

import pytest

from insurance.models import Person
from vssid_portal.celery import ping


@pytest.mark.postgres
def test_registry_is_stored_in_postgresql(postgres_db):
    Person.objects.create(
        insurance_number="7901234567",
        full_name="Nguyễn Văn An",
        date_of_birth="1990-05-15",
        gender="M",
    )
    with postgres_db.cursor() as cursor:
        cursor.execute(
            "SELECT full_name FROM insurance_person WHERE insurance_number = %s", ["7901234567"]
        )
        assert cursor.fetchone()[0] == "Nguyễn Văn An"
    assert postgres_db.vendor == "postgresql"


@pytest.mark.redis
def test_redis_cache_round_trips_vietnamese_text(redis_url, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "test",
        }
    }
    cache = caches.create_connection("default")
    cache.set("greeting", "Xin chào", 30)
    assert cache.get("greeting") == "Xin chào"
    cache.delete("greeting")


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.redis
def test_a_real_worker_runs_tasks_from_redis(celery_worker):
    result = ping.apply_async(queue=celery_worker.queue)
    assert result.id
    # No result backend: the worker's log shows the task succeeded.
    import time

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        log = celery_worker.log.read_text(errors="replace")
        if f"Task vssid_portal.ping[{result.id}] succeeded" in log:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the worker did not run the task:\n" + celery_worker.log.read_text()[-2000:])
