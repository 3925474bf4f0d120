"""The figures contributions are computed from, by the date they took effect.

They change by decree: add a row with its start date and source, never edit
a past row, so a receipt drawn again later still shows what was charged.
Tags as in the domain reference: [R] read in a source, [I] inferred or
general knowledge (see docs/payments.md for the sources).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from .models import SupportCategory


@dataclass(frozen=True)
class Dated:
    since: dt.date
    value: int
    source: str


# Mức tham chiếu (Luật BHXH 2024) = lương cơ sở until a decree sets it apart:
# 2,340,000 đ/month since 01/07/2024 (domain reference §5 [R]; Nghị định
# 73/2024/NĐ-CP [I]).
REFERENCE_LEVEL = (Dated(dt.date(2024, 7, 1), 2_340_000, "Nghị định 73/2024/NĐ-CP"),)
# Chuẩn hộ nghèo khu vực nông thôn, the floor of the voluntary income:
# 1,500,000 đ/person/month for 2022–2025 (Nghị định 07/2021/NĐ-CP), kept for
# 2026 and raised to 2,200,000 đ from 2027 by Nghị định 351/2025/NĐ-CP [R].
RURAL_POVERTY_LINE = (
    Dated(dt.date(2022, 1, 1), 1_500_000, "Nghị định 07/2021/NĐ-CP; Nghị định 351/2025/NĐ-CP"),
    Dated(dt.date(2027, 1, 1), 2_200_000, "Nghị định 351/2025/NĐ-CP"),
)
# Voluntary BHXH: 22% of the chosen monthly income, between the rural poverty
# line and 20 × mức tham chiếu (domain reference §5 [R]).
VOLUNTARY_RATE = Decimal("22")
VOLUNTARY_INCOME_CAP_TIMES = 20
# The income is chosen in whole thousands of đồng, so 22% of it is a whole
# number of đồng [I: the office's calculator steps by 50,000 đ].
VOLUNTARY_INCOME_STEP = 1_000
# Household BHYT: 4.5% of mức tham chiếu per month; the 2nd, 3rd, 4th and
# 5th-and-later members pay 70/60/50/40% of the first's (domain reference §5;
# rate [R], reductions [I]).
HOUSEHOLD_RATE = Decimal("4.5")
HOUSEHOLD_SHARES = (100, 70, 60, 50, 40)


def value_on(table: tuple[Dated, ...], day: dt.date) -> Dated:
    """The row of ``table`` in force on ``day`` (the latest that started by then)."""
    current = None
    for row in table:
        if row.since <= day:
            current = row
    if current is None:
        raise ValueError(f"No rule in force on {day:%d/%m/%Y}.")
    return current


# The BHYT group code (mã đối tượng) that places a person in a category.
SUPPORT_GROUPS = {"HN": SupportCategory.POOR, "CN": SupportCategory.NEAR_POOR}


@dataclass(frozen=True)
class Rules:
    """Every figure a quote uses, as in force on one day."""

    day: dt.date
    reference_level: int
    poverty_line: int
    reference_source: str
    poverty_source: str

    @property
    def income_min(self) -> int:
        return self.poverty_line

    @property
    def income_max(self) -> int:
        return VOLUNTARY_INCOME_CAP_TIMES * self.reference_level

    def support_percent(self, category: str) -> Decimal:
        """The State's share of the poverty-line contribution (settings; [I])."""
        return Decimal(str(settings.PAYMENT_STATE_SUPPORT_PERCENT.get(category, 0)))


def rules_on(day: dt.date) -> Rules:
    reference = value_on(REFERENCE_LEVEL, day)
    poverty = value_on(RURAL_POVERTY_LINE, day)
    return Rules(
        day=day,
        reference_level=reference.value,
        poverty_line=poverty.value,
        reference_source=reference.source,
        poverty_source=poverty.source,
    )
