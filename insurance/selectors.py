"""Read-side queries for a citizen's records.

Every selector takes the ``person`` explicitly (never the request user), so
that a guardian viewing a child's records can reuse them. Each one costs a
fixed number of queries whatever the length of the history: rows are read
in one ordered query and grouped in Python, totals come from aggregates.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import ExtractYear

from .calculations import OneTimeEstimate, merge_month_ranges, month_index, one_time_estimate
from .models import (
    BenefitPayment,
    HealthInsuranceCard,
    MedicalVisit,
    ParticipationPeriod,
    Person,
)


def person_for_user(user) -> Person | None:
    """The registry person whose mã số is the citizen's username (one query).

    Staff and anonymous users have no records of their own.
    """
    if not getattr(user, "is_authenticated", False) or user.is_staff:
        return None
    # No joins: every records request runs this, and joining the office and
    # province tripled its cost (compiling and reading ~40 more columns); the
    # card image and QR read ``person.office`` with one more small query.
    return Person.objects.filter(insurance_number=user.username).first()


def card_for_person(*, person: Person) -> HealthInsuranceCard | None:
    """The current card: the one with the latest start date."""
    return person.cards.order_by("-valid_from", "-pk").first()


# PARTICIPATION HISTORY -------------------------------------------------------
@dataclass
class EmployerGroup:
    code: str
    name: str
    periods: list[ParticipationPeriod] = field(default_factory=list)
    months: int = 0
    owed_months: int = 0
    first_month: dt.date | None = None
    last_month: dt.date | None = None


@dataclass
class TypeHistory:
    insurance_type: str
    label: str
    employers: list[EmployerGroup] = field(default_factory=list)
    total_months: int = 0
    owed_months: int = 0
    periods_count: int = 0

    @property
    def years_and_months(self) -> tuple[int, int]:
        return divmod(self.total_months, 12)


@dataclass
class History:
    types: list[TypeHistory]

    @property
    def owed_months(self) -> int:
        return sum(t.owed_months for t in self.types)

    def for_type(self, insurance_type: str) -> TypeHistory | None:
        return next((t for t in self.types if t.insurance_type == insurance_type), None)


def periods_for_person(*, person: Person) -> QuerySet[ParticipationPeriod]:
    return ParticipationPeriod.objects.filter(person=person).order_by(
        "insurance_type", "from_month", "employer_code"
    )


def history_for_person(*, person: Person) -> History:
    """Participation per insurance type, grouped by employer, in one query.

    Total months per type are the union of the month ranges, so overlapping
    periods (two employers at once) count once and gaps count zero. Owed
    months are the union of the owed periods' ranges.
    """
    by_type: dict[str, list[ParticipationPeriod]] = defaultdict(list)
    for period in periods_for_person(person=person):
        by_type[period.insurance_type].append(period)
    types = []
    for value, label in ParticipationPeriod.InsuranceType.choices:
        periods = by_type.get(value)
        if not periods:
            continue
        history = TypeHistory(insurance_type=value, label=str(label), periods_count=len(periods))
        groups: dict[str, EmployerGroup] = {}
        for period in periods:
            group = groups.get(period.employer_code)
            if group is None:
                group = groups[period.employer_code] = EmployerGroup(
                    code=period.employer_code, name=period.employer_name
                )
            group.periods.append(period)
        for group in groups.values():
            group.months = _union_months(group.periods)
            group.owed_months = _union_months(
                [p for p in group.periods if p.status == ParticipationPeriod.Status.OWED]
            )
            group.first_month = min(p.from_month for p in group.periods)
            group.last_month = max(p.to_month for p in group.periods)
        history.employers = sorted(groups.values(), key=lambda g: (g.first_month, g.code))
        history.total_months = _union_months(periods)
        history.owed_months = _union_months(
            [p for p in periods if p.status == ParticipationPeriod.Status.OWED]
        )
        types.append(history)
    return History(types=types)


def _union_months(periods: list[ParticipationPeriod]) -> int:
    return sum(
        b - a + 1 for a, b in merge_month_ranges((p.from_month, p.to_month) for p in periods)
    )


def one_time_estimate_for_person(*, person: Person) -> OneTimeEstimate:
    """The one-time BHXH estimate from the person's paid BHXH periods (one query)."""
    paid, owed = [], []
    rows = ParticipationPeriod.objects.filter(
        person=person, insurance_type=ParticipationPeriod.InsuranceType.BHXH
    ).values_list("from_month", "to_month", "salary", "status")
    for start, end, salary, status in rows:
        (owed if status == ParticipationPeriod.Status.OWED else paid).append((start, end, salary))
    owed_indexes = {i for a, b, _s in owed for i in range(month_index(a), month_index(b) + 1)}
    paid_indexes = {i for a, b, _s in paid for i in range(month_index(a), month_index(b) + 1)}
    return one_time_estimate(paid, owed_months=len(owed_indexes - paid_indexes))


# BENEFITS --------------------------------------------------------------------
@dataclass
class BenefitGroup:
    kind: str
    label: str
    payments: list[BenefitPayment] = field(default_factory=list)
    total_amount: int = 0
    total_days: int = 0


@dataclass
class Benefits:
    groups: list[BenefitGroup]

    @property
    def total_amount(self) -> int:
        return sum(g.total_amount for g in self.groups)

    @property
    def count(self) -> int:
        return sum(len(g.payments) for g in self.groups)


def benefits_queryset(*, person: Person) -> QuerySet[BenefitPayment]:
    return BenefitPayment.objects.filter(person=person).order_by("kind", "-period_from")


def benefits_for_person(*, person: Person) -> Benefits:
    by_kind: dict[str, list[BenefitPayment]] = defaultdict(list)
    for payment in benefits_queryset(person=person):
        by_kind[payment.kind].append(payment)
    groups = []
    for value, label in BenefitPayment.Kind.choices:
        payments = by_kind.get(value)
        if payments:
            groups.append(
                BenefitGroup(
                    kind=value,
                    label=str(label),
                    payments=payments,
                    total_amount=sum(p.amount for p in payments),
                    total_days=sum(p.days or 0 for p in payments),
                )
            )
    return Benefits(groups=groups)


# MEDICAL VISITS --------------------------------------------------------------
def visits_for_person(*, person: Person, year: int | None = None) -> QuerySet[MedicalVisit]:
    visits = MedicalVisit.objects.filter(person=person)
    if year is not None:
        visits = visits.filter(admitted_on__year=year)
    return visits.order_by("-admitted_on", "-pk")


def visit_years_for_person(*, person: Person) -> list[int]:
    """Years with at least one visit, newest first, for the year filter."""
    return list(
        MedicalVisit.objects.filter(person=person)
        .annotate(year=ExtractYear("admitted_on"))
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )


def visit_totals(*, visits: QuerySet[MedicalVisit]) -> dict[str, int]:
    totals = visits.order_by().aggregate(
        count=Count("pk"),
        total_cost=Sum("total_cost", default=0),
        insurance_paid=Sum("insurance_paid", default=0),
        patient_paid=Sum("patient_paid", default=0),
    )
    return {key: int(value or 0) for key, value in totals.items()}
