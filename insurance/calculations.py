"""Month arithmetic and the one-time BHXH estimate (domain reference 5).

Pure functions over plain values so that the rules can be tested with
worked examples and reused by the page, the API and the PDF.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

ONE_TIME_SPLIT = dt.date(2014, 1, 1)
MONTHS_PER_YEAR_BEFORE_2014 = Decimal("1.5")
MONTHS_PER_YEAR_FROM_2014 = Decimal("2")
SHORT_CONTRIBUTION_RATE = Decimal("0.22")


def month_index(day: dt.date) -> int:
    """Months since year 0, so that consecutive months differ by one."""
    return day.year * 12 + day.month - 1


def month_from_index(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(start: dt.date, end: dt.date) -> int:
    """Inclusive count of months from ``start``'s month to ``end``'s month."""
    return month_index(end) - month_index(start) + 1


def merge_month_ranges(ranges: Iterable[tuple[dt.date, dt.date]]) -> list[tuple[int, int]]:
    """Union of inclusive month ranges as sorted, disjoint (first, last) indexes.

    Overlapping and adjacent ranges merge: two employers in the same month
    count that month once; 01-03 and 04-06 become one run of six months.
    """
    spans = sorted((month_index(a), month_index(b)) for a, b in ranges)
    merged: list[list[int]] = []
    for first, last in spans:
        if merged and first <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return [(a, b) for a, b in merged]


def total_months(ranges: Iterable[tuple[dt.date, dt.date]]) -> int:
    return sum(last - first + 1 for first, last in merge_month_ranges(ranges))


def years_from_months(months: int) -> Decimal:
    """Whole years, plus half a year for 1-6 odd months or a year for 7-11."""
    years, odd = divmod(months, 12)
    if odd == 0:
        extra = Decimal(0)
    elif odd <= 6:
        extra = Decimal("0.5")
    else:
        extra = Decimal(1)
    return Decimal(years) + extra


def _round_vnd(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class OneTimeEstimate:
    """Every figure of the calculation, so the page can show it step by step."""

    months_total: int = 0
    months_before_2014: int = 0
    months_from_2014: int = 0
    odd_months_carried: int = 0
    years_before_2014: Decimal = Decimal(0)
    years_from_2014: Decimal = Decimal(0)
    salary_sum: int = 0
    average_salary: int = 0
    months_of_salary: Decimal = Decimal(0)
    contributed_22_percent: int = 0
    cap_two_months: int = 0
    short_contribution: bool = False
    amount: int = 0
    owed_months_excluded: int = 0
    monthly_salaries: list[tuple[dt.date, int]] = field(default_factory=list, repr=False)


def one_time_estimate(
    periods: Iterable[tuple[dt.date, dt.date, int]], owed_months: int = 0
) -> OneTimeEstimate:
    """Estimate BHXH một lần from paid BHXH periods ``(from_month, to_month, salary)``.

    Rules (Luật BHXH 2024 Art. 70; Nghị định 115/2015 Art. 19 and Thông tư
    59/2015/TT-BLĐTBXH Art. 19, whose month rules the 2024 law kept):

    * a month counts once; two employers in the same month add their
      contribution salaries for that month;
    * the average salary is the sum of monthly salaries over all months paid
      divided by the number of those months, rounded to whole đồng; the
      yearly price-indexing coefficients are NOT applied (the domain
      reference names them but gives no table), so this understates older
      salaries and the page says so;
    * whole years before 2014 earn 1.5 months of the average each; the odd
      months before 2014 are not rounded on their own but move to the
      from-2014 phase (Thông tư 59/2015 Art. 19), whose total is rounded
      (1-6 months = half a year, 7-11 = one year) and earns 2 months a year;
    * the amount is the rounded average times those months, rounded to
      whole đồng: exactly the product the page shows, so a citizen checking
      the steps by hand gets the same figure;
    * under 12 months in total: 22% of the salaries paid (the amount
      contributed to the pension fund), at most 2 months of the average.
    """
    by_month: dict[int, int] = {}
    for start, end, salary in periods:
        for index in range(month_index(start), month_index(end) + 1):
            by_month[index] = by_month.get(index, 0) + int(salary)
    result = OneTimeEstimate(owed_months_excluded=owed_months)
    if not by_month:
        return result
    split = month_index(ONE_TIME_SPLIT)
    result.months_total = len(by_month)
    result.months_before_2014 = sum(1 for i in by_month if i < split)
    result.months_from_2014 = result.months_total - result.months_before_2014
    result.salary_sum = sum(by_month.values())
    result.monthly_salaries = [(month_from_index(i), by_month[i]) for i in sorted(by_month)]
    average = Decimal(result.salary_sum) / Decimal(result.months_total)
    result.average_salary = _round_vnd(average)

    if result.months_total < 12:
        result.short_contribution = True
        contributed = Decimal(result.salary_sum) * SHORT_CONTRIBUTION_RATE
        cap = Decimal(result.average_salary) * 2
        result.contributed_22_percent = _round_vnd(contributed)
        result.cap_two_months = _round_vnd(cap)
        result.amount = _round_vnd(min(contributed, cap))
        return result

    whole_years_before, carried = divmod(result.months_before_2014, 12)
    result.odd_months_carried = carried
    result.years_before_2014 = Decimal(whole_years_before)
    result.years_from_2014 = years_from_months(result.months_from_2014 + carried)
    result.months_of_salary = (
        result.years_before_2014 * MONTHS_PER_YEAR_BEFORE_2014
        + result.years_from_2014 * MONTHS_PER_YEAR_FROM_2014
    )
    result.amount = _round_vnd(Decimal(result.average_salary) * result.months_of_salary)
    return result
