"""A citizen's choice checked against the registry and priced: a ``Plan``.

The web forms and the API build the same plan; ``services.payment_create``
builds it again under a lock before writing, so what is charged is what
the rules and the registry allow at that moment. Errors are
``ValidationError`` with a message per form field.
"""

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.selectors import guardian_children

from ..calculations import merge_month_ranges, month_from_index, month_index
from ..formatting import group_digits
from ..models import HealthInsuranceCard, ParticipationPeriod, Person
from ..selectors import card_for_person, person_for_user
from .amounts import household_amounts, voluntary_amount
from .models import HOLDING_STATUSES, Payment, PaymentKind, PaymentLine, VoluntaryMethod
from .rules import (
    SUPPORT_GROUPS,
    VOLUNTARY_INCOME_STEP,
    Rules,
    SupportCategory,
    rules_on,
)

# Voluntary BHXH began on 01/01/2008 (Luật BHXH 2006): no earlier month can be paid back.
VOLUNTARY_FIRST_MONTH = dt.date(2008, 1, 1)
VOLUNTARY_MIN_AGE = 15
# How far ahead a periodic payment may start.
START_AHEAD_MONTHS = 12
YEARS_AHEAD = range(2, 6)
HOUSEHOLD_MONTHS = (3, 6, 12)
# A card that ended up to this many days ago is renewed from the day paid;
# after a longer break the new card is valid 30 days after payment (Luật BHYT
# Art. 12 as amended in 2014 [I]).
CONTINUITY_DAYS = 90
WAITING_DAYS = 30
CHILD_FREE_CARD_YEARS = 6


@dataclass
class Plan:
    kind: str
    rules: Rules
    months: int
    lines: list[PaymentLine] = field(default_factory=list)  # unsaved until paid for
    method: str = ""
    income: int | None = None
    support_category: str = ""
    support_percent: Decimal = Decimal(0)

    @property
    def amount(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def support(self) -> int:
        return sum(line.support for line in self.lines)

    @property
    def contribution(self) -> int:
        return sum(line.contribution for line in self.lines)

    @property
    def persons(self) -> list[Person]:
        return [line.person for line in self.lines]

    @property
    def method_label(self) -> str:
        return str(VoluntaryMethod(self.method).label) if self.method else ""


def add_months(month: dt.date, count: int) -> dt.date:
    return month_from_index(month_index(month) + count)


def month_label(month: dt.date) -> str:
    return f"{month:%m/%Y}"


def plan_line(
    *,
    person: Person,
    position: int,
    from_month: dt.date,
    months: int,
    base: int,
    rate: Decimal,
    monthly_amount: int,
    monthly_support: int = 0,
    share: int = 100,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> PaymentLine:
    """A priced line, not saved: the payment's own line once the citizen pays."""
    return PaymentLine(
        person=person,
        position=position,
        from_month=from_month,
        to_month=add_months(from_month, months - 1),
        months=months,
        base=base,
        rate=rate,
        share=share,
        monthly_amount=monthly_amount,
        monthly_support=monthly_support,
        amount=(monthly_amount - monthly_support) * months,
        valid_from=valid_from,
        valid_to=valid_to,
    )


# VOLUNTARY BHXH --------------------------------------------------------------
def support_category_for(*, card: HealthInsuranceCard | None) -> str:
    """Poor and near-poor households are known by their BHYT group (HN, CN)."""
    if card is None:
        return SupportCategory.OTHER
    return SUPPORT_GROUPS.get(card.group, SupportCategory.OTHER)


def bhxh_months(*, person: Person) -> list[tuple[int, int]]:
    """The person's BHXH months (paid or owed) as merged (first, last) indexes, one query."""
    rows = ParticipationPeriod.objects.filter(
        person=person, insurance_type=ParticipationPeriod.InsuranceType.BHXH
    ).values_list("from_month", "to_month")
    return merge_month_ranges(rows)


def _covered(spans: list[tuple[int, int]], index: int) -> bool:
    return any(first <= index <= last for first, last in spans)


def gap_run(*, person: Person, start: dt.date, today: dt.date) -> int:
    """Months from ``start`` with no BHXH at all, in a row, before the current month."""
    spans = bhxh_months(person=person)
    current = month_index(today)
    index = month_index(start)
    count = 0
    while index < current and not _covered(spans, index):
        count += 1
        index += 1
    return count


def holding_payment(
    *, person: Person, kind: str, first: dt.date, last: dt.date, exclude: int | None = None
) -> Payment | None:
    """A pending or paid payment of ``kind`` covering any month of ``first``–``last``."""
    lines = PaymentLine.objects.filter(
        person=person,
        payment__kind=kind,
        payment__status__in=HOLDING_STATUSES,
        from_month__lte=last,
        to_month__gte=first,
    )
    if exclude is not None:
        lines = lines.exclude(payment_id=exclude)
    line = lines.select_related("payment").order_by("from_month").first()
    return line.payment if line is not None else None


def _taken_message(payment: Payment) -> str:
    if payment.status == Payment.Status.PAID:
        return _("Các tháng này đã được thanh toán trong giao dịch {code}.").format(
            code=payment.code
        )
    return _("Các tháng này đang chờ thanh toán trong giao dịch {code}.").format(code=payment.code)


def voluntary_plan(
    *,
    person: Person,
    income: int,
    method: str,
    start_month: dt.date,
    today: dt.date,
    years: int | None = None,
    months: int | None = None,
    exclude_payment: int | None = None,
) -> Plan:
    """Price ``person``'s voluntary BHXH choice, or raise ``ValidationError`` per field."""
    rules = rules_on(today)
    errors: dict[str, list[str]] = {}
    current = today.replace(day=1)
    start_month = start_month.replace(day=1)

    if income < rules.income_min or income > rules.income_max:
        errors.setdefault("income", []).append(
            _("Mức thu nhập phải từ {low} đồng đến {high} đồng.").format(
                low=group_digits(rules.income_min), high=group_digits(rules.income_max)
            )
        )
    elif income % VOLUNTARY_INCOME_STEP:
        errors.setdefault("income", []).append(
            _("Mức thu nhập làm tròn đến nghìn đồng, ví dụ {example}.").format(
                example=group_digits(income - income % VOLUNTARY_INCOME_STEP)
            )
        )

    if method == VoluntaryMethod.BACKPAY:
        count = months or 0
        if start_month >= current:
            errors.setdefault("start_month", []).append(
                _("Đóng bù chỉ cho các tháng đã qua, trước tháng {month}.").format(
                    month=month_label(current)
                )
            )
        elif start_month < VOLUNTARY_FIRST_MONTH:
            errors.setdefault("start_month", []).append(
                _("BHXH tự nguyện bắt đầu từ tháng 01/2008.")
            )
        if count < 1:
            errors.setdefault("months", []).append(_("Nhập số tháng cần đóng bù."))
        elif start_month < current and add_months(start_month, count - 1) >= current:
            errors.setdefault("months", []).append(
                _(
                    "Đóng bù đến hết tháng {month}; các tháng từ tháng này trở đi chọn "
                    "phương thức đóng khác."
                ).format(month=month_label(add_months(current, -1)))
            )
    elif method == VoluntaryMethod.YEARS_AHEAD:
        if years not in YEARS_AHEAD:
            errors.setdefault("years", []).append(_("Chọn từ 2 đến 5 năm."))
        count = (years or 0) * 12
    elif method in (
        VoluntaryMethod.MONTHLY,
        VoluntaryMethod.QUARTERLY,
        VoluntaryMethod.HALF_YEARLY,
        VoluntaryMethod.YEARLY,
    ):
        count = int(method)
    else:
        errors.setdefault("method", []).append(_("Chọn phương thức đóng."))
        count = 0

    if method != VoluntaryMethod.BACKPAY and (
        start_month < current or start_month > add_months(current, START_AHEAD_MONTHS)
    ):
        errors.setdefault("start_month", []).append(
            _("Tháng bắt đầu từ {first} đến {last}; tháng đã qua chọn “Đóng bù”.").format(
                first=month_label(current),
                last=month_label(add_months(current, START_AHEAD_MONTHS)),
            )
        )

    age_month = add_months(person.date_of_birth.replace(day=1), VOLUNTARY_MIN_AGE * 12)
    if start_month < age_month and "start_month" not in errors:
        errors.setdefault("start_month", []).append(
            _("Người tham gia BHXH tự nguyện phải từ đủ 15 tuổi (từ tháng {month}).").format(
                month=month_label(age_month)
            )
        )

    if count >= 1 and not errors:
        last = add_months(start_month, count - 1)
        spans = bhxh_months(person=person)
        busy = [
            month_from_index(i)
            for i in range(month_index(start_month), month_index(last) + 1)
            if _covered(spans, i)
        ]
        if busy:
            errors.setdefault("start_month", []).append(
                _("Tháng {month} đã có quá trình đóng BHXH; chọn các tháng chưa đóng.").format(
                    month=month_label(busy[0])
                )
            )
        else:
            taken = holding_payment(
                person=person,
                kind=PaymentKind.VOLUNTARY_BHXH,
                first=start_month,
                last=last,
                exclude=exclude_payment,
            )
            if taken is not None:
                errors.setdefault("start_month", []).append(_taken_message(taken))
    if errors:
        raise ValidationError(errors)

    category = support_category_for(card=card_for_person(person=person))
    # Months paid back get no support [I]: it helps people join now.
    percent = Decimal(0) if method == VoluntaryMethod.BACKPAY else rules.support_percent(category)
    amount = voluntary_amount(income=income, months=count, support_percent=percent, rules=rules)
    line = plan_line(
        person=person,
        position=1,
        from_month=start_month,
        months=count,
        base=income,
        rate=amount.rate,
        monthly_amount=amount.monthly_contribution,
        monthly_support=amount.monthly_support,
    )
    return Plan(
        kind=PaymentKind.VOLUNTARY_BHXH,
        rules=rules,
        months=count,
        lines=[line],
        method=method,
        income=income,
        support_category=category,
        support_percent=percent,
    )


# HOUSEHOLD BHYT --------------------------------------------------------------
@dataclass
class Member:
    """A person the account may renew household BHYT for, and whether it can now."""

    person: Person
    is_self: bool
    card: HealthInsuranceCard | None
    reason: str = ""  # why not, when not eligible
    valid_from: dt.date | None = None  # when a card bought today would start

    @property
    def eligible(self) -> bool:
        return not self.reason


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def renewal_start(
    *, person: Person, card: HealthInsuranceCard | None, today: dt.date
) -> tuple[dt.date | None, str]:
    """When a household card bought today would be valid from, or why it cannot be bought."""
    if today < _add_years(person.date_of_birth, CHILD_FREE_CARD_YEARS):
        return None, _("Trẻ em dưới 6 tuổi được cấp thẻ BHYT miễn phí, không cần gia hạn.")
    if card is None:
        return None, _(
            "Chưa có thẻ BHYT: lần đầu tham gia theo hộ gia đình, đăng ký tại cơ quan BHXH "
            "hoặc đại lý thu."
        )
    household = card.group == HealthInsuranceCard.Group.GD
    if card.valid_to is None or card.valid_to >= today:
        if not household:
            if card.valid_to is None:
                return None, _("Đang có thẻ BHYT nhóm {group} còn hiệu lực.").format(
                    group=card.group
                )
            return None, _("Đang có thẻ BHYT nhóm {group} còn hạn đến {date}.").format(
                group=card.group, date=card.valid_to.strftime("%d/%m/%Y")
            )
        # Continuous: the new months follow the current card.
        return card.valid_to + dt.timedelta(days=1), ""
    if (today - card.valid_to).days <= CONTINUITY_DAYS:
        return today, ""
    return today + dt.timedelta(days=WAITING_DAYS), ""


def household_members(*, user, today: dt.date) -> list[Member]:
    """The account's own person, then its children's (insurance.access), with eligibility."""
    persons: list[tuple[Person, bool]] = []
    own = person_for_user(user)
    if own is not None:
        persons.append((own, True))
    children = list(guardian_children(guardian=user).values_list("username", flat=True))
    if children:
        by_number = Person.objects.in_bulk(children, field_name="insurance_number")
        persons += [(by_number[n], False) for n in children if n in by_number]
    members = []
    for person, is_self in persons:
        card = card_for_person(person=person)
        start, reason = renewal_start(person=person, card=card, today=today)
        members.append(
            Member(person=person, is_self=is_self, card=card, reason=reason, valid_from=start)
        )
    return members


def _valid_to(valid_from: dt.date, months: int) -> dt.date:
    """The day before the same day ``months`` months later (clamped to a short month)."""
    first = add_months(valid_from.replace(day=1), months)
    last_day = calendar.monthrange(first.year, first.month)[1]
    return first.replace(day=min(valid_from.day, last_day)) - dt.timedelta(days=1)


def household_plan(
    *,
    user,
    insurance_numbers: list[str],
    months: int,
    today: dt.date,
    exclude_payment: int | None = None,
) -> Plan:
    """Price a household renewal for the chosen members, or raise per field."""
    rules = rules_on(today)
    errors: dict[str, list[str]] = {}
    if months not in HOUSEHOLD_MONTHS:
        errors["months"] = [_("Chọn 3, 6 hoặc 12 tháng.")]
    members = household_members(user=user, today=today)
    by_number = {m.person.insurance_number: m for m in members}
    chosen = [by_number.get(n) for n in dict.fromkeys(insurance_numbers)]
    if not insurance_numbers:
        errors["members"] = [_("Chọn ít nhất một người để gia hạn.")]
    elif any(m is None for m in chosen):
        errors["members"] = [_("Chỉ chọn bản thân hoặc con do bạn đăng ký tài khoản.")]
    else:
        problems = [
            _("{name}: {reason}").format(name=m.person.full_name, reason=m.reason)
            for m in chosen
            if not m.eligible
        ]
        if problems:
            errors["members"] = problems
    if errors:
        raise ValidationError(errors)

    # The account's own person first, then the children in the listed order.
    chosen_ids = {id(m) for m in chosen}
    ordered = [m for m in members if id(m) in chosen_ids]
    lines = []
    for member, share in zip(
        ordered, household_amounts(members=len(ordered), months=months, rules=rules), strict=True
    ):
        valid_from = member.valid_from
        assert valid_from is not None
        first_month = valid_from.replace(day=1)
        last_month = add_months(first_month, months - 1)
        taken = holding_payment(
            person=member.person,
            kind=PaymentKind.HOUSEHOLD_BHYT,
            first=first_month,
            last=last_month,
            exclude=exclude_payment,
        )
        if taken is not None:
            errors.setdefault("members", []).append(
                _("{name}: {reason}").format(
                    name=member.person.full_name, reason=_taken_message(taken)
                )
            )
            continue
        lines.append(
            plan_line(
                person=member.person,
                position=share.position,
                from_month=first_month,
                months=months,
                base=share.base,
                rate=share.rate,
                share=share.share,
                monthly_amount=share.monthly,
                valid_from=valid_from,
                valid_to=_valid_to(valid_from, months),
            )
        )
    if errors:
        raise ValidationError(errors)
    return Plan(kind=PaymentKind.HOUSEHOLD_BHYT, rules=rules, months=months, lines=lines)
