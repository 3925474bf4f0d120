import datetime as dt
import io

import pytest
import time_machine
from pypdf import PdfReader

from accounts.models import User
from insurance.models import ParticipationPeriod

from .factories import (
    BenefitFactory,
    CardFactory,
    CitizenFactory,
    PeriodFactory,
    PersonFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db

PAGES = [
    "/ca-nhan/",
    "/ca-nhan/the-bhyt/",
    "/ca-nhan/qua-trinh-tham-gia/",
    "/ca-nhan/huong-che-do/",
    "/ca-nhan/lich-su-kcb/",
    "/ca-nhan/uoc-tinh-bhxh-1-lan/",
]
FILES = [
    "/ca-nhan/the-bhyt/the-bhyt.png",
    "/ca-nhan/the-bhyt/xac-nhan.pdf",
    "/ca-nhan/qua-trinh-tham-gia/trich-xuat.pdf",
]


@pytest.fixture
def an(client):
    person = PersonFactory(insurance_number="7901234567", full_name="Nguyễn Văn An")
    CardFactory(person=person)
    user = CitizenFactory(person=person)
    client.force_login(user)
    return person


@pytest.fixture
def other():
    person = PersonFactory(insurance_number="7909999999", full_name="Trần Thị Bích")
    CardFactory(person=person, kcb_code="79024", kcb_name="Bệnh viện Quận 7")
    PeriodFactory(person=person, employer_name="Công ty Bí Mật Của Người Khác")
    BenefitFactory(person=person, amount=7_777_777)
    VisitFactory(person=person, facility_name="Phòng khám Của Người Khác")
    return person


@pytest.mark.parametrize("url", PAGES + FILES)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/?next=")


@pytest.mark.parametrize("url", PAGES + FILES)
def test_staff_cannot_open_citizen_pages_even_with_a_matching_username(client, url):
    PersonFactory(insurance_number="7901111111")
    staff = User.objects.create_user("7901111111", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES + FILES)
def test_an_account_without_registry_records_gets_not_found(client, url):
    client.force_login(User.objects.create_user("7902222222", password="x"))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", PAGES)
def test_a_citizen_never_sees_another_persons_records(client, an, other, url):
    PeriodFactory(person=an)
    html = client.get(url, {"person": other.pk})
    html = html.content.decode().replace("\xa0", " ")
    assert other.full_name not in html
    assert other.insurance_number not in html
    for secret in ["Bí Mật Của Người Khác", "7.777.777", "Của Người Khác", "Bệnh viện Quận 7"]:
        assert secret not in html


def test_there_is_no_url_to_guess_for_another_persons_card(client, an, other):
    assert client.get(f"/ca-nhan/the-bhyt/{other.insurance_number}.png").status_code == 404
    assert client.get(f"/ca-nhan/{other.pk}/the-bhyt/").status_code == 404


def test_card_image_is_private_and_downloadable(client, an):
    response = client.get("/ca-nhan/the-bhyt/the-bhyt.png")
    assert response["Content-Type"] == "image/png"
    assert "private" in response["Cache-Control"]
    assert "Content-Disposition" not in response
    download = client.get("/ca-nhan/the-bhyt/the-bhyt.png?tai-ve=1")
    assert download["Content-Disposition"] == 'attachment; filename="the-bhyt-7901234567.png"'
    assert download.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_card_page_shows_the_card_facts(client, an):
    html = client.get("/ca-nhan/the-bhyt/").content.decode().replace("\xa0", " ")
    assert "79 012 34567" in html
    assert "79 - 011 · Trung tâm Y tế Quận 4" in html
    assert 'href="/ca-nhan/the-bhyt/the-bhyt.png?tai-ve=1"' in html
    assert "01/01/2028" in html  # the 5-year date


def test_card_page_without_a_card_says_so(client):
    user = CitizenFactory()
    client.force_login(user)
    html = client.get("/ca-nhan/the-bhyt/").content.decode().replace("\xa0", " ")
    assert "Chưa có thông tin thẻ BHYT" in html
    assert client.get("/ca-nhan/the-bhyt/the-bhyt.png").status_code == 404


def test_history_groups_by_employer_totals_months_and_warns_about_debts(client, an):
    m = dt.date
    PeriodFactory(person=an, from_month=m(2015, 1, 1), to_month=m(2016, 12, 1), salary=5_000_000)
    PeriodFactory(
        person=an,
        employer_code="TB0245B",
        employer_name="Công ty CP Vận tải Biển Khánh Hội",
        from_month=m(2016, 7, 1),
        to_month=m(2017, 6, 1),
    )
    PeriodFactory(
        person=an,
        employer_code="TB0245B",
        employer_name="Công ty CP Vận tải Biển Khánh Hội",
        from_month=m(2017, 7, 1),
        to_month=m(2017, 9, 1),
        status=ParticipationPeriod.Status.OWED,
    )
    PeriodFactory(
        person=an,
        insurance_type=ParticipationPeriod.InsuranceType.BHYT,
        from_month=m(2015, 1, 1),
        to_month=m(2015, 12, 1),
    )
    html = client.get("/ca-nhan/qua-trinh-tham-gia/").content.decode().replace("\xa0", " ")
    # BHXH: 01/2015-12/2016 and 07/2016-09/2017 overlap -> 01/2015-09/2017 = 33.
    assert "2 năm 9 tháng" in html and "(33 tháng)" in html
    assert "Bảo hiểm y tế" in html and "1 năm" in html
    # Employers in the timeline in order of their first month (the month
    # marks above it name the employer that owes).
    timeline = html[html.index('class="timeline"') :]
    assert timeline.index("Công ty TNHH Điện tử Sao Việt") < timeline.index(
        "Vận tải Biển Khánh Hội"
    )
    assert "Đơn vị còn nợ 3 tháng." in html
    assert 'role="alert"' in html


def test_history_without_periods_shows_an_empty_state(client, an):
    html = client.get("/ca-nhan/qua-trinh-tham-gia/").content.decode().replace("\xa0", " ")
    assert "Chưa có dữ liệu quá trình tham gia" in html


def test_history_pdf_has_vietnamese_text(client, an):
    PeriodFactory(person=an, employer_name="Công ty TNHH Điện tử Sao Việt")
    response = client.get("/ca-nhan/qua-trinh-tham-gia/trich-xuat.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert "qua-trinh-tham-gia-7901234567.pdf" in response["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for words in ["Nguyễn Văn An", "Bảo hiểm xã hội", "Điện tử Sao Việt", "01/2020", "5.000.000"]:
        assert words in text


def test_benefits_are_grouped_by_kind_with_totals(client, an):
    BenefitFactory(person=an, amount=1_000_000, days=5)
    BenefitFactory(
        person=an,
        amount=500_000,
        days=2,
        period_from=dt.date(2025, 1, 6),
        period_to=dt.date(2025, 1, 7),
    )
    BenefitFactory(
        person=an, kind="maternity", amount=40_000_000, days=180, period_to=dt.date(2024, 8, 30)
    )
    html = client.get("/ca-nhan/huong-che-do/").content.decode().replace("\xa0", " ")
    assert "Ốm đau" in html and "1.500.000 đ" in html and "7 ngày" in html
    assert "Thai sản" in html and "40.000.000 đ" in html
    assert "41.500.000 đ" in html


def test_visits_filter_by_year_with_totals(client, an):
    VisitFactory(person=an, admitted_on=dt.date(2023, 5, 2), discharged_on=dt.date(2023, 5, 2))
    VisitFactory(
        person=an,
        admitted_on=dt.date(2024, 2, 6),
        discharged_on=dt.date(2024, 2, 9),
        kind="inpatient",
        total_cost=10_000_000,
        insurance_paid=8_000_000,
        patient_paid=2_000_000,
    )
    html = client.get("/ca-nhan/lich-su-kcb/").content.decode().replace("\xa0", " ")
    assert "10.350.000 đ" in html and "8.280.000 đ" in html and "2.070.000 đ" in html
    html = (
        client.get("/ca-nhan/lich-su-kcb/", {"nam": "2024"}).content.decode().replace("\xa0", " ")
    )
    assert "06/02/2024 – 09/02/2024" in html and "02/05/2023" not in html
    assert "8.000.000 đ" in html and '<option value="2024" selected>' in html
    response = client.get("/ca-nhan/lich-su-kcb/", {"nam": "19<b>"})
    assert response.status_code == 200
    assert "Không có lần khám chữa bệnh nào trong năm 19&lt;b" in response.content.decode().replace(
        "\xa0", " "
    )


def test_visits_are_paginated(client, an):
    for i in range(25):
        VisitFactory(person=an, admitted_on=dt.date(2024, 1, 1) + dt.timedelta(days=i))

    page1 = client.get("/ca-nhan/lich-su-kcb/").content.decode().replace("\xa0", " ")
    assert "Trang 1/2" in page1 and "25/01/2024" in page1 and "01/01/2024" not in page1
    page2 = (
        client.get("/ca-nhan/lich-su-kcb/", {"trang": "2"}).content.decode().replace("\xa0", " ")
    )
    assert "01/01/2024" in page2
    assert client.get("/ca-nhan/lich-su-kcb/", {"trang": "abc"}).status_code == 200


def test_one_time_estimate_page_explains_the_steps_and_that_it_is_an_estimate(client, an):
    PeriodFactory(person=an, from_month=dt.date(2010, 1, 1), to_month=dt.date(2013, 12, 1))
    PeriodFactory(
        person=an,
        employer_code="TB0245B",
        from_month=dt.date(2014, 1, 1),
        to_month=dt.date(2016, 6, 1),
        salary=8_000_000,
    )
    PeriodFactory(
        person=an,
        employer_code="TB0245B",
        from_month=dt.date(2016, 7, 1),
        to_month=dt.date(2016, 9, 1),
        salary=8_000_000,
        status=ParticipationPeriod.Status.OWED,
    )
    html = client.get("/ca-nhan/uoc-tinh-bhxh-1-lan/").content.decode().replace("\xa0", " ")
    assert "chỉ là số ước tính" in html
    assert "chưa được điều chỉnh theo hệ số trượt giá" in html
    assert "Không tính 3 tháng đơn vị còn nợ." in html
    assert "6.153.846 đ" in html  # the average of the worked example
    assert "= <strong>11</strong>" in html
    assert "67.692.306 đ" in html


def test_dashboard_links_every_records_page(client, an):
    html = client.get("/ca-nhan/").content.decode().replace("\xa0", " ")
    for url in PAGES[1:] + ["/ca-nhan/qua-trinh-tham-gia/trich-xuat.pdf"]:
        assert f'href="{url}"' in html


def _long_history(person, years: int, visits: int):
    m = dt.date
    for type_ in ParticipationPeriod.InsuranceType.values:
        for year in range(1986, 1986 + years):
            PeriodFactory(
                person=person,
                insurance_type=type_,
                employer_code=f"E{year % 7}",
                employer_name=f"Đơn vị {year % 7}",
                from_month=m(year, 1, 1),
                to_month=m(year, 12, 1),
                status="owed" if year % 9 == 0 else "paid",
            )
    for i in range(visits):
        VisitFactory(person=person, admitted_on=m(2020, 1, 1) + dt.timedelta(days=i))
    for i in range(max(1, visits // 10)):
        BenefitFactory(
            person=person,
            period_from=m(2000, 1, 1) + dt.timedelta(days=30 * i),
            period_to=m(2000, 1, 1) + dt.timedelta(days=30 * i + 2),
        )


@pytest.mark.parametrize("url", PAGES + FILES)
def test_query_count_does_not_grow_with_history(client, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for years, visits in [(1, 1), (40, 200)]:  # 12 months vs 480 months
        person = PersonFactory()
        CardFactory(person=person)
        _long_history(person, years, visits)
        client.force_login(CitizenFactory(person=person))
        with django_assert_max_num_queries(8), CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_time_is_local_to_vietnam_for_card_state(client, an):
    # 31/12/2026 23:30 in Hà Nội is still the card's last day.
    with time_machine.travel(dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC), tick=False):
        client.force_login(User.objects.get(username="7901234567"))
        html = client.get("/ca-nhan/the-bhyt/").content.decode().replace("\xa0", " ")
    assert "state-expiring" in html
