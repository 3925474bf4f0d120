"""What a voluntary BHXH or household BHYT payment costs: pure integer arithmetic.

Every amount is a whole number of đồng. A monthly figure is rounded once
(half up) and the total is that monthly figure times the months, so a
citizen checking the breakdown by hand finds the same numbers.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .rules import HOUSEHOLD_RATE, HOUSEHOLD_SHARES, VOLUNTARY_RATE, Rules


def percent_of(amount: int, *percents: Decimal | int) -> int:
    """``amount`` × each percent / 100, rounded half up to whole đồng once."""
    value = Decimal(amount)
    for percent in percents:
        value = value * Decimal(percent) / 100
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class VoluntaryAmount:
    """One person's voluntary BHXH for ``months`` months at one income."""

    income: int
    months: int
    rate: Decimal
    monthly_contribution: int  # 22% of the income
    support_percent: Decimal
    monthly_support: int  # the State's part: a share of 22% of the poverty line
    monthly_payable: int

    @property
    def contribution(self) -> int:
        return self.monthly_contribution * self.months

    @property
    def support(self) -> int:
        return self.monthly_support * self.months

    @property
    def amount(self) -> int:
        return self.monthly_payable * self.months


def voluntary_amount(
    *, income: int, months: int, support_percent: Decimal, rules: Rules
) -> VoluntaryAmount:
    """22% of ``income`` a month, less the State's support (Decree 134/2015 as amended, [I]).

    The support is ``support_percent`` of the contribution on the rural
    poverty line, whatever income is chosen; pass 0 where none applies
    (months paid back, see ``plans``).
    """
    contribution = percent_of(income, VOLUNTARY_RATE)
    support = min(percent_of(rules.poverty_line, VOLUNTARY_RATE, support_percent), contribution)
    return VoluntaryAmount(
        income=income,
        months=months,
        rate=VOLUNTARY_RATE,
        monthly_contribution=contribution,
        support_percent=Decimal(support_percent),
        monthly_support=support,
        monthly_payable=contribution - support,
    )


@dataclass(frozen=True)
class MemberAmount:
    """One member's part of a household BHYT renewal."""

    position: int  # 1 for the first member
    share: int  # percent of the first member's contribution
    base: int  # mức tham chiếu
    rate: Decimal
    months: int
    monthly: int

    @property
    def amount(self) -> int:
        return self.monthly * self.months


def household_share(position: int) -> int:
    """100% for the 1st member, 70/60/50% for the 2nd–4th, 40% from the 5th."""
    return HOUSEHOLD_SHARES[min(position, len(HOUSEHOLD_SHARES)) - 1]


def household_amounts(*, members: int, months: int, rules: Rules) -> list[MemberAmount]:
    """4.5% of mức tham chiếu a month per member, reduced from the 2nd member on."""
    return [
        MemberAmount(
            position=position,
            share=household_share(position),
            base=rules.reference_level,
            rate=HOUSEHOLD_RATE,
            months=months,
            monthly=percent_of(rules.reference_level, HOUSEHOLD_RATE, household_share(position)),
        )
        for position in range(1, members + 1)
    ]
