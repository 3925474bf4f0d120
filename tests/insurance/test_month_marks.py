"""Gap → action on the history: each BHXH month paid, owed by the employer or
with nobody paying, what it means in plain Vietnamese, and the matching action."""

import datetime as dt
import html as html_lib

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
import time_machine

from accounts.models import User
from insurance.models import ParticipationPeriod
from insurance.month_marks import GAP, OWED, PAID, month_marks

from .factories import CardFactory, CitizenFactory, PeriodFactory, PersonFactory

pytestmark = pytest.mark.django_db
m = dt.date
TODAY = dt.datetime(2026, 6, 15, 10, 0)
OWED_STATUS = ParticipationPeriod.Status.OWED


def period(first, last, *, status="paid", employer="Công ty TNHH Điện tử Sao Việt", kind="bhxh"):
    return ParticipationPeriod(
        insurance_type=kind,
        from_month=first,
        to_month=last,
        employer_code="X",
        employer_name=employer,
        salary=1,
        rate=1,
        status=status,
    )


def states(marks) -> list[tuple[str, str, str]]:
    return [(r.state, f"{r.first:%Y-%m}", f"{r.last:%Y-%m}") for r in marks.ranges]


def test_each_month_is_paid_owed_or_a_gap_up_to_last_month():
    marks = month_marks(
        periods=[
            period(m(2024, 1, 1), m(2024, 6, 1)),
            period(m(2024, 4, 1), m(2024, 9, 1), status=OWED_STATUS, employer="Công ty Biển Xanh"),
            period(m(2025, 1, 1), m(2025, 3, 1)),
            period(m(2023, 1, 1), m(2026, 12, 1), kind="bhyt"),  # not BHXH: ignored
        ],
        today=m(2026, 6, 15),
    )
    assert states(marks) == [
        (PAID, "2024-01", "2024-06"),  # paid by one employer while another owed
        (OWED, "2024-07", "2024-09"),
        (GAP, "2024-10", "2024-12"),
        (PAID, "2025-01", "2025-03"),
        (GAP, "2025-04", "2026-05"),  # until last month, not this one
    ]
    assert (marks.paid_months, marks.owed_months, marks.gap_months) == (9, 3, 17)
    owed = marks.ranges[1]
    assert owed.employers == ["Công ty Biển Xanh"]
    assert owed.explanation == (
        "Đơn vị chưa đóng đủ: thời gian này chưa được tính hưởng cho đến khi đơn vị đóng."
    )
    assert [(a.kind, a.label) for a in owed.actions] == [("report", "Báo cơ quan BHXH")]
    assert owed.actions[0].url == (
        "/ca-nhan/yeu-cau/moi/bao-sai-qua-trinh/?thang=2024-07&thang=2024-09&van-de=owed"
    )
    gap = marks.ranges[2]
    assert gap.explanation == "Những tháng này không có ai đóng BHXH cho bạn."
    assert [(a.kind, a.url) for a in gap.actions] == [
        ("voluntary", "/ca-nhan/dong-bhxh-tu-nguyen/?tu-thang=2024-10"),
        (
            "report",
            "/ca-nhan/yeu-cau/moi/bao-sai-qua-trinh/?thang=2024-10&thang=2024-12&van-de=missing",
        ),
    ]
    assert [r.state for r in marks.attention] == [GAP, GAP, OWED]  # newest first
    assert marks.years[0].year == 2024 and marks.years[-1].year == 2026
    assert marks.years[-1].cells == [GAP] * 5 + [""] * 7


def test_a_single_gap_month_reads_as_one_month():
    marks = month_marks(
        periods=[period(m(2025, 1, 1), m(2025, 2, 1)), period(m(2025, 4, 1), m(2026, 5, 1))],
        today=m(2026, 6, 1),
    )
    gap = marks.attention[0]
    assert (gap.first, gap.last, gap.months) == (m(2025, 3, 1), m(2025, 3, 1), 1)
    assert gap.explanation == "Tháng này không có ai đóng BHXH cho bạn."
    assert [a.label for a in gap.actions] == ["Đóng BHXH tự nguyện cho tháng này", "Báo sai"]
    assert gap.actions[1].url.endswith("?thang=2025-03&van-de=missing")


def test_no_bhxh_no_marks_and_a_child_is_offered_only_the_report():
    assert (
        month_marks(
            periods=[period(m(2024, 1, 1), m(2024, 2, 1), kind="bhyt")], today=m(2026, 1, 1)
        )
        is None
    )
    marks = month_marks(
        periods=[period(m(2025, 1, 1), m(2025, 1, 1))], today=m(2025, 4, 1), child_id=7
    )
    assert [(a.kind, a.url) for a in marks.attention[0].actions] == [
        (
            "report",
            "/ca-nhan/yeu-cau/moi/bao-sai-qua-trinh/?thang=2025-02&thang=2025-03&van-de=missing&con=7",
        )
    ]


@pytest.fixture
def an(client):
    person = PersonFactory(insurance_number="7901234567", full_name="Nguyễn Văn An")
    CardFactory(person=person)
    user = CitizenFactory(person=person)
    client.force_login(user)
    PeriodFactory(person=person, from_month=m(2024, 1, 1), to_month=m(2024, 6, 1))
    PeriodFactory(
        person=person,
        employer_code="TB0245B",
        employer_name="Công ty CP Vận tải Biển Khánh Hội",
        from_month=m(2024, 7, 1),
        to_month=m(2024, 9, 1),
        status=OWED_STATUS,
    )
    PeriodFactory(person=person, from_month=m(2025, 1, 1), to_month=m(2026, 5, 1))
    return person


def page(client, url="/ca-nhan/qua-trinh-tham-gia/") -> str:
    with time_machine.travel(TODAY, tick=False):
        response = client.get(url)
    assert response.status_code == 200
    return html_lib.unescape(response.content.decode())


def test_the_history_page_marks_the_debt_and_the_gap_with_their_actions(client, an):
    html = page(client)
    assert "Tình trạng đóng BHXH từng tháng" in html
    assert (
        "Đơn vị chưa đóng đủ: thời gian này chưa được tính hưởng cho đến khi đơn vị đóng." in html
    )
    assert "Những tháng này không có ai đóng BHXH cho bạn." in html
    assert (
        'href="/ca-nhan/yeu-cau/moi/bao-sai-qua-trinh/?thang=2024-07&thang=2024-09&van-de=owed"'
        in html
    )
    assert ">Báo cơ quan BHXH<" in html
    assert 'href="/ca-nhan/dong-bhxh-tu-nguyen/?tu-thang=2024-10"' in html
    assert "Đóng BHXH tự nguyện từ tháng 10/2024" in html and ">Báo sai<" in html
    assert "Đã đóng: 23 tháng" in html and "Đơn vị chưa đóng đủ: 3 tháng" in html
    assert "Không có ai đóng: 3 tháng" in html


def test_the_report_action_opens_the_form_with_the_months_filled_in(client, an):
    html = page(client)
    start = html.index("/ca-nhan/yeu-cau/moi/bao-sai-qua-trinh/?thang=2024-07")
    link = html[start : html.index('"', start)]
    form = page(client, link)
    assert 'value="2024-07"' in form and 'value="2024-09"' in form
    assert 'value="owed" checked' in form or "checked" in form.split('value="owed"')[1][:40]


def test_a_guardian_sees_the_childs_marks_without_the_voluntary_payment(client, an):
    guardian = User.objects.get(username="7901234567")
    child_person = PersonFactory(insurance_number="7912345670", full_name="Nguyễn Minh Khôi")
    child = CitizenFactory(person=child_person, guardian=guardian)
    PeriodFactory(person=child_person, from_month=m(2025, 1, 1), to_month=m(2025, 12, 1))
    html = page(client, f"/ca-nhan/con/{child.pk}/qua-trinh-tham-gia/")
    assert f"van-de=missing&con={child.pk}" in html
    assert "dong-bhxh-tu-nguyen" not in html


def test_the_history_api_carries_the_marks_and_keeps_its_fields(client, an):
    with time_machine.travel(TODAY, tick=False):
        data = client.get("/api/v1/me/history").json()
    assert {"count", "next", "previous", "totals", "results"} <= set(data)
    assert data["marks"]["months"] == {"paid": 23, "owed": 3, "gap": 3}
    owed = next(r for r in data["marks"]["ranges"] if r["state"] == "owed")
    assert owed["from_month"] == "2024-07" and owed["to_month"] == "2024-09"
    assert owed["employers"] == ["Công ty CP Vận tải Biển Khánh Hội"]
    assert owed["actions"] == [
        {
            "kind": "report",
            "label": "Báo cơ quan BHXH",
            "url": "/ca-nhan/yeu-cau/moi/bao-sai-qua-trinh/?thang=2024-07&thang=2024-09&van-de=owed",
        }
    ]


def test_the_marks_cost_no_query_per_month_or_period(client, an, settings):
    settings.RECORDS_CACHE_SECONDS = 0  # measure the drawing itself

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            page(client)
        return len(ctx.captured_queries)

    page(client)  # per-account values the layout caches (the unread count)
    few = queries()
    for year in range(2000, 2020):
        PeriodFactory(
            person=an,
            employer_code=f"E{year}",
            from_month=m(year, 1, 1),
            to_month=m(year, 5, 1),
            status=OWED_STATUS if year % 2 else ParticipationPeriod.Status.PAID,
        )
    assert queries() == few


def test_the_marks_read_in_english(client, an):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = page(client)
    assert "Social insurance month by month" in html
    assert "The employer has not paid in full: this time does not count towards benefits" in html
    assert "Tell the social insurance office" in html and "Pay voluntary social insurance" in html
