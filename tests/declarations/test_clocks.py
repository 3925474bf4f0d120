"""Office clocks: 8 working hours to acknowledge, across weekends and holidays."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from declarations.review import declaration_mark_checked, declaration_return_for_correction
from lookup.models import PublicHoliday
from lookup.working_time import working_deadline, working_hours_between

from .factories import DeclarationFactory
from .staff_fixtures import *  # noqa: F403
from .staff_fixtures import make_clerk
from .test_services import submit

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VN)


# Friday 4 September 2026, 16:00; Monday 7 September made a holiday below.
FRIDAY_4PM = at(2026, 9, 4, 16, 0)


def test_eight_working_hours_skip_the_weekend():
    # 1 h on Friday, 4 h Monday morning, 3 h Monday afternoon.
    assert working_deadline(FRIDAY_4PM, 8) == at(2026, 9, 7, 16, 0)


def test_eight_working_hours_skip_a_holiday_too():
    PublicHoliday.objects.create(date=dt.date(2026, 9, 7), name="Nghỉ bù Quốc khánh")
    assert working_deadline(FRIDAY_4PM, 8) == at(2026, 9, 8, 16, 0)


def test_submitted_outside_working_hours_counts_from_the_next_opening():
    saturday_night = at(2026, 9, 5, 22, 30)
    assert working_deadline(saturday_night, 8) == at(2026, 9, 7, 17, 0)
    lunch = at(2026, 9, 8, 12, 0)
    assert working_deadline(lunch, 1) == at(2026, 9, 8, 14, 0)


def test_working_hours_setting_is_read_when_computing(settings):
    settings.WORKING_HOURS = "08:00-12:00,13:30-17:30"
    assert working_deadline(at(2026, 9, 8, 8, 0), 8) == at(2026, 9, 8, 17, 30)


def test_hours_between_count_only_working_time():
    PublicHoliday.objects.create(date=dt.date(2026, 9, 7), name="Nghỉ bù")
    assert working_hours_between(FRIDAY_4PM, at(2026, 9, 8, 9, 30)) == pytest.approx(3.0)
    assert working_hours_between(at(2026, 9, 8, 9, 30), FRIDAY_4PM) == 0


def test_a_declaration_is_overdue_only_after_a_weekend_and_a_holiday(
    person, offices, clerk_q4, client
):
    PublicHoliday.objects.create(date=dt.date(2026, 9, 7), name="Nghỉ bù Quốc khánh")
    with time_machine.travel(FRIDAY_4PM, tick=False):
        declaration = submit(offices)
    assert declaration.submitted_at == FRIDAY_4PM
    assert declaration.acknowledge_due_at == at(2026, 9, 8, 16, 0)
    client.force_login(clerk_q4)
    for moment, late in [
        (at(2026, 9, 6, 12, 0), False),  # Sunday
        (at(2026, 9, 7, 17, 0), False),  # the holiday, after hours
        (at(2026, 9, 8, 15, 59), False),
        (at(2026, 9, 8, 16, 1), True),
    ]:
        with time_machine.travel(moment, tick=False):
            declaration.refresh_from_db()
            assert declaration.is_overdue() is late, moment
            queue = client.get("/can-bo/to-khai/", {"trang-thai": "overdue"})
            codes = [d.reference_code for d in queue.context["page_obj"]]
            assert codes == ([declaration.reference_code] if late else []), moment
            home = client.get("/can-bo/")
            assert home.context["overdue_count"] == int(late)
    with time_machine.travel(at(2026, 9, 8, 16, 30), tick=False):
        html = client.get("/can-bo/to-khai/").content.decode()
        assert "Quá hạn" in html
        declaration_mark_checked(declaration=declaration, actor=clerk_q4, ip=None)
        declaration.refresh_from_db()
        assert declaration.acknowledged_at == at(2026, 9, 8, 16, 30)
        assert not declaration.is_overdue()
        assert client.get("/can-bo/").context["overdue_count"] == 0


def test_a_correction_request_acknowledges_and_a_resubmission_restarts_the_clock(
    person, offices, clerk_q4
):
    with time_machine.travel(at(2026, 9, 8, 9, 0), tick=False):
        declaration = submit(offices)
    with time_machine.travel(at(2026, 9, 8, 10, 0), tick=False):
        declaration_return_for_correction(
            declaration=declaration,
            actor=clerk_q4,
            ip=None,
            items=[{"field": "contact_person", "reason": "incomplete"}],
        )
    declaration.refresh_from_db()
    assert declaration.acknowledged_at == at(2026, 9, 8, 10, 0)
    assert not declaration.is_overdue(at(2026, 9, 20, 10, 0))  # waiting for the citizen


def test_staff_home_counts_overdue_per_office(offices, client):
    province = make_clerk(offices.p079, "canbo.tinh", children=True)
    past = at(2026, 9, 1, 8, 0)
    DeclarationFactory.create_batch(2, office=offices.q4, acknowledge_due_at=past)
    DeclarationFactory(office=offices.q4, acknowledge_due_at=at(2099, 1, 1, 8, 0))
    DeclarationFactory(office=offices.q1, acknowledge_due_at=past)
    DeclarationFactory(office=offices.q1, received=True, acknowledge_due_at=past)
    DeclarationFactory(office=offices.cau_giay, acknowledge_due_at=past)  # another province
    client.force_login(province)
    response = client.get("/can-bo/")
    rows = [(c.office.code, c.waiting, c.overdue) for c in response.context["office_clocks"]]
    assert rows == [("07914", 3, 2), ("07901", 2, 1)]
    html = response.content.decode()
    assert 'data-office="07914"' in html and 'data-office="00105"' not in html
    queue = client.get("/can-bo/to-khai/", {"sap-xep": "due"}).context["page_obj"]
    dues = [d.acknowledge_due_at for d in queue]
    assert dues == sorted(dues)
