"""Demo records for registry people: careers, cards, benefits, visits.

Deterministic: each person's records come from a random generator seeded
with their mã số, and dates are relative to ``today`` only where the card's
validity state must stay meaningful (one card expiring, one expired).
Employer codes, names and facility codes are invented.
"""

import datetime as dt
import random
from dataclasses import dataclass

from .calculations import month_from_index, month_index
from .models import (
    BenefitPayment,
    HealthInsuranceCard,
    MedicalVisit,
    ParticipationPeriod,
    Person,
)

T = ParticipationPeriod.InsuranceType
# Total contribution rates (employee + employer), domain reference 5.
RATES = {T.BHXH: "25.00", T.BHTN: "2.00", T.BHTNLD: "0.50", T.BHYT: "4.50"}
BHTN_START = dt.date(2009, 1, 1)  # unemployment insurance began 01/2009
BHTNLD_START = dt.date(2016, 7, 1)  # accident fund split from BHXH 07/2016
BASE_SALARY = 2_340_000

EMPLOYERS = [
    ("TA0120A", "Công ty TNHH Điện tử Sao Việt", "Công nhân lắp ráp"),
    ("TB0245B", "Công ty CP Vận tải Biển Khánh Hội", "Nhân viên kế toán"),
    ("TC0311C", "Công ty TNHH Tư vấn Thuế An Phát", "Cộng tác viên kế toán"),
    ("TD0487D", "Công ty TNHH Phần mềm Sài Gòn Xanh", "Kế toán trưởng"),
    ("TE0522E", "Công ty CP Dệt may Bến Thành", "Công nhân may"),
    ("TF0618F", "Siêu thị Co.opmart Khánh Hội", "Nhân viên bán hàng"),
    ("TG0734G", "Công ty TNHH Cơ khí Tân Thuận", "Kỹ thuật viên"),
    ("TH0859H", "Trường Tiểu học Nguyễn Thái Học", "Giáo viên"),
    ("TK0963K", "Công ty CP Thực phẩm Nam Sài Gòn", "Nhân viên kho"),
    ("TL1071L", "Ngân hàng TMCP Phương Nam - CN Quận 4", "Giao dịch viên"),
]
FACILITIES = [
    ("79011", "Trung tâm Y tế Quận 4"),
    ("79024", "Bệnh viện Quận 7"),
    ("79035", "Bệnh viện Nhân dân Gia Định"),
    ("79001", "Bệnh viện Chợ Rẫy"),
    ("79015", "Bệnh viện Nhân dân 115"),
    ("79030", "Trạm Y tế Phường 9, Quận 4"),
]
PAYING_OFFICE = ("07914", "BHXH Quận 4")
ISSUE_PLACE = "Quận 4, Thành phố Hồ Chí Minh"


@dataclass
class Job:
    employer: tuple[str, str, str]
    start: dt.date
    end: dt.date
    salaries: list[tuple[dt.date, int]]  # (from month, salary), ascending
    owed_last: int = 0  # trailing months the employer has not paid


@dataclass
class Records:
    cards: list[HealthInsuranceCard]
    periods: list[ParticipationPeriod]
    benefits: list[BenefitPayment]
    visits: list[MedicalVisit]


def _month(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def _add_months(day: dt.date, months: int) -> dt.date:
    return month_from_index(month_index(day) + months)


def _month_end(day: dt.date) -> dt.date:
    return _add_months(day, 1) - dt.timedelta(days=1)


def _periods_for_job(person: Person, job: Job) -> list[ParticipationPeriod]:
    """Split a job at each salary change and owed tail, once per insurance type."""
    code, name, position = job.employer
    pieces: list[tuple[dt.date, dt.date, int, str]] = []
    owed_from = _add_months(job.end, -job.owed_last + 1) if job.owed_last else None
    for i, (start, salary) in enumerate(job.salaries):
        end = _add_months(job.salaries[i + 1][0], -1) if i + 1 < len(job.salaries) else job.end
        if owed_from and start <= owed_from <= end:
            if owed_from > start:
                pieces.append((start, _add_months(owed_from, -1), salary, "paid"))
            pieces.append((owed_from, end, salary, "owed"))
        else:
            pieces.append(
                (start, end, salary, "paid" if not owed_from or end < owed_from else "owed")
            )
    periods = []
    for insurance_type, rate in RATES.items():
        for start, end, salary, status in pieces:
            if insurance_type == T.BHTN:
                start = max(start, BHTN_START)
            if insurance_type == T.BHTNLD:
                start = max(start, BHTNLD_START)
            if start > end:
                continue
            periods.append(
                ParticipationPeriod(
                    person=person,
                    insurance_type=insurance_type,
                    from_month=start,
                    to_month=end,
                    employer_code=code,
                    employer_name=name,
                    position=position,
                    salary=salary,
                    rate=rate,
                    status=status,
                )
            )
    return periods


def _sickness(person: Person, start: dt.date, days: int, salary: int) -> BenefitPayment:
    # 75% of the monthly contribution salary, one day = monthly / 24.
    return BenefitPayment(
        person=person,
        kind=BenefitPayment.Kind.SICKNESS,
        period_from=start,
        period_to=start + dt.timedelta(days=days - 1),
        days=days,
        amount=round(salary * 0.75 / 24 * days),
        office_code=PAYING_OFFICE[0],
        office_name=PAYING_OFFICE[1],
    )


def _visit(person: Person, rng: random.Random, day: dt.date, level: int = 4) -> MedicalVisit:
    inpatient = rng.random() < 0.15
    code, name = rng.choice(FACILITIES)
    if inpatient:
        stay = rng.randint(2, 9)
        total = rng.randrange(3_000_000, 25_000_000, 1000)
    else:
        stay = 0
        total = rng.randrange(120_000, 1_800_000, 1000)
    share = {1: 1.0, 2: 1.0, 3: 0.95, 4: 0.8, 5: 1.0}[level]
    insurance = round(total * share)
    return MedicalVisit(
        person=person,
        claim_code=f"{person.insurance_number}-{day:%Y%m%d}-{code}",
        facility_code=code,
        facility_name=name,
        admitted_on=day,
        discharged_on=day + dt.timedelta(days=stay),
        kind=MedicalVisit.Kind.INPATIENT if inpatient else MedicalVisit.Kind.OUTPATIENT,
        total_cost=total,
        insurance_paid=insurance,
        patient_paid=total - insurance,
    )


def _card(person: Person, *, valid_from, valid_to, five_year_date, group="DN", old=False):
    number = f"{group}4{person.insurance_number[:2]}{person.insurance_number}"
    return HealthInsuranceCard(
        person=person,
        card_number=number if old else person.insurance_number,
        group=group,
        benefit_level=4,
        valid_from=valid_from,
        valid_to=valid_to,
        kcb_code=FACILITIES[0][0],
        kcb_name=FACILITIES[0][1],
        five_year_date=five_year_date,
        issued_on=valid_from - dt.timedelta(days=12),
        issue_place=ISSUE_PLACE,
    )


def records_for_first_person(person: Person, today: dt.date) -> Records:
    """Nguyễn Văn An's career: four employers, a gap, an overlap, raises, debts."""
    last = _add_months(_month(today.year, today.month), -1)
    e = EMPLOYERS
    jobs = [
        Job(
            e[0],
            _month(2008, 9),
            _month(2011, 6),
            [(_month(2008, 9), 1_800_000), (_month(2010, 1), 2_400_000)],
        ),
        Job(
            e[1],
            _month(2011, 10),
            _month(2016, 12),
            [
                (_month(2011, 10), 4_200_000),
                (_month(2013, 1), 5_000_000),
                (_month(2015, 1), 6_100_000),
            ],
        ),
        # A second, part-time contract overlapping the end of the previous one.
        Job(e[2], _month(2016, 9), _month(2017, 2), [(_month(2016, 9), 2_500_000)]),
        Job(
            e[3],
            _month(2017, 3),
            last,
            [
                (_month(2017, 3), 8_000_000),
                (_month(2019, 1), 9_500_000),
                (_month(2021, 1), 11_000_000),
                (_month(2023, 1), 13_000_000),
                (_month(2025, 1), 15_500_000),
            ],
            owed_last=2,
        ),
    ]
    jobs = [j for j in jobs if j.start <= j.end]
    for job in jobs:
        job.salaries = [s for s in job.salaries if s[0] <= job.end]
    periods = [p for job in jobs for p in _periods_for_job(person, job)]
    rng = random.Random(person.insurance_number)
    benefits = [
        BenefitPayment(
            person=person,
            kind=BenefitPayment.Kind.UNEMPLOYMENT,
            period_from=dt.date(2011, 7, 20),
            period_to=dt.date(2011, 10, 19),
            days=None,
            amount=3 * round(2_400_000 * 0.6),
            office_code=PAYING_OFFICE[0],
            office_name=PAYING_OFFICE[1],
        ),
        _sickness(person, dt.date(2019, 3, 4), 5, 9_500_000),
        _sickness(person, dt.date(2022, 7, 11), 4, 11_000_000),
        _sickness(person, dt.date(2024, 11, 18), 3, 13_000_000),
    ]
    visit_days = [
        dt.date(2019, 3, 4),
        dt.date(2020, 8, 17),
        dt.date(2021, 12, 2),
        dt.date(2022, 7, 11),
        dt.date(2023, 5, 23),
        dt.date(2024, 2, 6),
        dt.date(2024, 11, 18),
        dt.date(2025, 6, 9),
    ]
    visits = [_visit(person, rng, day) for day in visit_days if day <= today]
    card = _card(
        person,
        valid_from=_month(today.year, 1),
        valid_to=_month_end(_add_months(_month(today.year, today.month), 6)),
        five_year_date=dt.date(2013, 9, 1),
    )
    return Records([card], periods, benefits, visits)


def records_for_person(person: Person, index: int, today: dt.date) -> Records:
    """A plausible career from age ~21 until last month, with gaps and raises.

    ``index`` 1 gets a card expiring within 30 days, index 2 an expired
    old-format card; women get a maternity leave in a job held after 24.
    """
    rng = random.Random(person.insurance_number)
    last = _add_months(_month(today.year, today.month), -1)
    start = _add_months(_month(person.date_of_birth.year + 21, 1), rng.randint(0, 30))
    start = max(start, _month(1995, 1))
    jobs: list[Job] = []
    salary = 900_000 + 180_000 * max(0, start.year - 2000)
    employers = rng.sample(EMPLOYERS, k=len(EMPLOYERS))
    while start <= last and employers:
        length = rng.randint(18, 110)
        end = min(_add_months(start, length - 1), last)
        salaries = []
        month = start
        while month <= end:
            salaries.append((month, salary))
            salary = int(salary * rng.uniform(1.06, 1.18)) // 10_000 * 10_000
            month = _add_months(month, rng.choice([12, 12, 18, 24]))
        owed = rng.choice([0, 0, 0, 3]) if end == last else 0
        jobs.append(Job(employers.pop(), start, end, salaries, owed_last=owed))
        start = _add_months(end, 1 + rng.choice([0, 0, 1, 2, 5, 9]))
    periods = [p for job in jobs for p in _periods_for_job(person, job)]

    benefits = []
    for job in jobs:
        if rng.random() < 0.5 and job.end > job.start:
            day = job.start + dt.timedelta(days=rng.randint(40, (job.end - job.start).days + 20))
            benefits.append(_sickness(person, day, rng.randint(2, 6), job.salaries[0][1]))
    female = person.gender == Person.Gender.FEMALE
    mother_jobs = [
        j for j in jobs if months_of(j) >= 18 and j.start.year - person.date_of_birth.year >= 24
    ]
    if female and mother_jobs:
        job = mother_jobs[0]
        birth = job.start + dt.timedelta(days=400)
        salary = job.salaries[0][1]
        benefits.append(
            BenefitPayment(
                person=person,
                kind=BenefitPayment.Kind.MATERNITY,
                period_from=birth,
                period_to=birth + dt.timedelta(days=179),
                days=180,
                # 6 months at 100% of the average salary plus 2 x base salary.
                amount=6 * salary + 2 * BASE_SALARY,
                office_code=PAYING_OFFICE[0],
                office_name=PAYING_OFFICE[1],
            )
        )
    visits = []
    used = set()
    for _i in range(rng.randint(3, 10)):
        day = today - dt.timedelta(days=rng.randint(10, 6 * 365))
        if day not in used:
            used.add(day)
            visits.append(_visit(person, rng, day))

    this_year = _month(today.year, 1)
    if index == 1:
        card = _card(
            person,
            valid_from=this_year
            if this_year < today - dt.timedelta(days=30)
            else _add_months(this_year, -12),
            valid_to=today + dt.timedelta(days=18),
            five_year_date=_month(start.year + 5, 1),
        )
    elif index == 2:
        card = _card(
            person,
            valid_from=_add_months(this_year, -12),
            valid_to=today - dt.timedelta(days=45),
            five_year_date=_month(today.year + 2, 3),
            old=True,
        )
    else:
        card = _card(
            person,
            valid_from=this_year,
            valid_to=_month_end(_month(today.year, 12)),
            five_year_date=_month(max(today.year - 3, 2015), rng.randint(1, 12)),
        )
    return Records([card], periods, benefits, visits)


def months_of(job: Job) -> int:
    return month_index(job.end) - month_index(job.start) + 1


def records_for_child(person: Person, today: dt.date) -> Records:
    """A pupil's BHYT card (group HS, paid through school) and a few visits."""
    rng = random.Random(person.insurance_number)
    year_start = dt.date(today.year, 1, 1)
    card = _card(
        person,
        valid_from=year_start,
        valid_to=dt.date(today.year, 12, 31),
        five_year_date=dt.date(person.date_of_birth.year + 11, 1, 1),
        group="HS",
    )
    card.benefit_level = 4
    visits = [_visit(person, rng, today - dt.timedelta(days=days)) for days in (40, 220, 500)]
    return Records(cards=[card], periods=[], benefits=[], visits=visits)
