"""The records pages and API kept per viewer (insurance/records_cache.py).

A repeated page reads no registry row; any change to the registry shows on
the next request; an entry is never served to another account, another
view of the same person, another language or another day.
"""

import datetime as dt
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
import time_machine

from accounts.models import User
from insurance.importer import registry_import

from .factories import (
    BenefitFactory,
    CardFactory,
    CitizenFactory,
    PeriodFactory,
    PersonFactory,
    VisitFactory,
)
from .test_import import CARD, PERSON, write_jsonl

pytestmark = pytest.mark.django_db

REGISTRY_TABLES = (
    "insurance_healthinsurancecard",
    "insurance_participationperiod",
    "insurance_benefitpayment",
    "insurance_medicalvisit",
)
CACHED_PAGES = [
    "/ca-nhan/",
    "/ca-nhan/the-bhyt/",
    "/ca-nhan/qua-trinh-tham-gia/",
    "/ca-nhan/huong-che-do/",
    "/ca-nhan/uoc-tinh-bhxh-1-lan/",
]
CACHED_API = [
    "/api/v1/me/card",
    "/api/v1/me/history",
    "/api/v1/me/history?page_size=1&page=2",
    "/api/v1/me/visits",
    "/api/v1/me/benefits",
]


def registry_queries(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if any(t in q["sql"] for t in REGISTRY_TABLES)]


def main_part(response) -> str:
    """The page without what changes on every request (CSRF token, CSP nonce)."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'nonce="[^"]+"', "", html)


def citizen(number: str, **person_fields):
    person = PersonFactory(insurance_number=number, **person_fields)
    card = CardFactory(person=person, card_number=number, kcb_name="Trung tâm Y tế Quận 4")
    PeriodFactory(person=person, employer_name=f"Công ty của {number}")
    PeriodFactory(person=person, employer_name=f"Công ty của {number}", insurance_type="bhyt")
    BenefitFactory(person=person)
    VisitFactory(person=person, facility_name=f"Phòng khám của {number}")
    return person, card, CitizenFactory(person=person)


@pytest.fixture
def an(client):
    person, card, user = citizen("7901234567", full_name="Nguyễn Văn An")
    client.force_login(user)
    return person, card, client


@pytest.mark.parametrize("url", CACHED_PAGES + CACHED_API)
def test_a_repeated_page_reads_no_registry_row(an, url):
    _person, _card, client = an
    first = client.get(url)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        again = client.get(url)
    assert again.status_code == 200
    assert registry_queries(ctx) == []
    if url.startswith("/api/"):
        assert again.json() == first.json()
    else:
        assert main_part(again) == main_part(first)


def test_a_card_changed_through_the_orm_shows_on_the_next_request(
    an, django_capture_on_commit_callbacks
):
    _person, card, client = an
    assert "Trung tâm Y tế Quận 4" in client.get("/ca-nhan/the-bhyt/").content.decode()
    assert client.get("/api/v1/me/card").json()["kcb_name"] == "Trung tâm Y tế Quận 4"
    with django_capture_on_commit_callbacks(execute=True):
        card.kcb_name = "Bệnh viện Quận 7"
        card.save()
    page = client.get("/ca-nhan/the-bhyt/").content.decode()
    assert "Bệnh viện Quận 7" in page and "Trung tâm Y tế Quận 4" not in page
    assert client.get("/api/v1/me/card").json()["kcb_name"] == "Bệnh viện Quận 7"


def test_a_deleted_period_disappears_from_the_history(an, django_capture_on_commit_callbacks):
    person, _card, client = an
    PeriodFactory(person=person, employer_name="Công ty Đã Xoá", from_month=dt.date(2010, 1, 1))
    assert "Công ty Đã Xoá" in client.get("/ca-nhan/qua-trinh-tham-gia/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        person.periods.filter(employer_name="Công ty Đã Xoá").delete()
    assert "Công ty Đã Xoá" not in client.get("/ca-nhan/qua-trinh-tham-gia/").content.decode()


def test_a_registry_import_shows_on_the_next_request(
    an, tmp_path, django_capture_on_commit_callbacks
):
    _person, _card, client = an
    assert "Trung tâm Y tế Quận 4" in client.get("/ca-nhan/the-bhyt/").content.decode()
    feed = [
        {**PERSON, "full_name": "Nguyễn Văn An"},
        {**CARD, "valid_to": "2099-12-31", "kcb_code": "79024", "kcb_name": "Bệnh viện Quận 7"},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        summary = registry_import(path=write_jsonl(tmp_path / "feed.jsonl", feed))
    assert summary.error_count == 0 and summary.counts["card"].updated == 1
    assert "Bệnh viện Quận 7" in client.get("/ca-nhan/the-bhyt/").content.decode()
    assert client.get("/api/v1/me/card").json()["kcb_name"] == "Bệnh viện Quận 7"


def test_an_uncommitted_change_does_not_start_a_new_generation(
    an, django_capture_on_commit_callbacks
):
    """A page drawn before the change commits must not be kept as the new data."""
    from insurance.records_cache import registry_generation

    _person, card, _client = an
    before = registry_generation()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        card.kcb_name = "Bệnh viện Quận 7"
        card.save()
        assert registry_generation() == before
    assert callbacks  # run by the commit
    callbacks[0]()
    assert registry_generation() != before


@pytest.mark.parametrize("url", ["/ca-nhan/the-bhyt/", "/api/v1/me/card"])
def test_citizens_with_the_same_data_each_get_their_own_entry(client, url):
    accounts = []
    for number in ("7901234567", "7901234568"):
        _person, _card, user = citizen(number, full_name="Nguyễn Văn An")
        accounts.append((number, user))
    for _round in range(2):
        for number, user in accounts:
            client.force_login(user)
            body = client.get(url).content.decode()
            other = next(n for n, _u in accounts if n != number)
            assert number in body
            assert other not in body


def test_a_guardian_and_the_child_see_the_child_their_own_way(client):
    parent = citizen("7901234567", full_name="Nguyễn Văn An")[2]
    _child_person, _card, child = citizen(
        "7920170902", full_name="Nguyễn Minh Khoa", date_of_birth=dt.date(2017, 9, 2)
    )
    User.objects.filter(pk=child.pk).update(guardian=parent)
    client.force_login(parent)
    as_guardian = client.get(f"/ca-nhan/con/{child.pk}/the-bhyt/").content.decode()
    assert f"/ca-nhan/con/{child.pk}/the-bhyt/the-bhyt.png" in as_guardian
    client.force_login(child)
    own = client.get("/ca-nhan/the-bhyt/").content.decode()
    assert "Nguyễn Minh Khoa" in own
    assert "/ca-nhan/con/" not in own
    assert 'src="/ca-nhan/the-bhyt/the-bhyt.png"' in own


def test_each_language_has_its_own_entry(an):
    _person, _card, client = an
    assert "<h1>Thẻ bảo hiểm y tế</h1>" in client.get("/ca-nhan/the-bhyt/").content.decode()
    english = client.get("/ca-nhan/the-bhyt/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>Health insurance card</h1>" in english
    api = client.get("/api/v1/me/card", HTTP_ACCEPT_LANGUAGE="en").json()
    assert api["validity_label"] != client.get("/api/v1/me/card").json()["validity_label"]


def test_the_days_left_follow_the_calendar(client):
    """Minutes apart across midnight in Hà Nội: the same generation, a new day."""
    person = PersonFactory(insurance_number="7901234567")
    CardFactory(person=person, valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2026, 12, 31))
    user = CitizenFactory(person=person)
    before_midnight = dt.datetime(2026, 12, 20, 16, 58, tzinfo=dt.UTC)  # 23:58 in UTC+7
    with time_machine.travel(before_midnight, tick=False):
        client.force_login(user)
        assert "còn 11 ngày" in client.get("/ca-nhan/the-bhyt/").content.decode()
        assert client.get("/api/v1/me/card").json()["days_left"] == 11
    with time_machine.travel(before_midnight + dt.timedelta(minutes=3), tick=False):
        assert "còn 10 ngày" in client.get("/ca-nhan/the-bhyt/").content.decode()
        assert client.get("/api/v1/me/card").json()["days_left"] == 10


def test_each_page_of_the_api_is_its_own_entry(an):
    _person, _card, client = an
    url = "/api/v1/me/history?page_size=1&page={}"
    pages = [client.get(url.format(n)).json()["results"] for n in (1, 2, 1, 2)]
    assert pages[0] == pages[2] and pages[1] == pages[3]
    assert pages[0] != pages[1]


def test_errors_are_not_kept(an):
    _person, _card, client = an
    for _round in range(2):
        response = client.get("/api/v1/me/visits?year=abc")
        assert response.status_code == 400
        assert "year" in response.json()
    # A citizen without a card: 404 now, the card once it exists.
    person = PersonFactory(insurance_number="7901234568")
    client.force_login(CitizenFactory(person=person))
    assert client.get("/api/v1/me/card").status_code == 404
    CardFactory(person=person)
    assert client.get("/api/v1/me/card").status_code == 200


def test_the_cache_can_be_turned_off(an, settings):
    settings.RECORDS_CACHE_SECONDS = 0
    _person, _card, client = an
    for url in ("/ca-nhan/the-bhyt/", "/api/v1/me/card"):
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        assert registry_queries(ctx)
