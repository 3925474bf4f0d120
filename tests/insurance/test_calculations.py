"""Month counting and the one-time BHXH estimate, on examples computed by hand.

The estimate's rules (insurance/calculations.py, domain reference 5):
- each calendar month counts once, whatever the number of employers, and
  their salaries for that month add up;
- average = sum of monthly salaries / months, rounded to whole đồng (no
  price-indexing coefficients: the reference gives no table);
- before 2014: 1.5 months of the average per WHOLE year; the odd months are
  carried into the from-2014 phase (Thông tư 59/2015/TT-BLĐTBXH Art. 19)
  rather than rounded on their own;
- from 2014 (with the carried months): 1-6 odd months = half a year,
  7-11 = a year; 2 months of the average per year;
- amount = rounded average x months of salary, rounded half up to đồng, so
  the figures shown step by step multiply to the amount shown;
- under 12 months in total: 22% of the salaries, capped at 2 x average.
"""

import datetime as dt
from decimal import Decimal

import pytest

from insurance.calculations import (
    merge_month_ranges,
    month_index,
    one_time_estimate,
    total_months,
    years_from_months,
)


def m(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def test_a_single_period_counts_both_ends():
    assert total_months([(m(2020, 1), m(2020, 12))]) == 12
    assert total_months([(m(2020, 5), m(2020, 5))]) == 1


def test_overlapping_periods_count_each_month_once():
    # 01-06 and 04-09: the union is 01-09, nine months, not twelve.
    assert total_months([(m(2020, 1), m(2020, 6)), (m(2020, 4), m(2020, 9))]) == 9


def test_a_period_inside_another_adds_nothing():
    assert total_months([(m(2010, 1), m(2019, 12)), (m(2015, 3), m(2015, 8))]) == 120


def test_gaps_are_not_counted():
    # 01-03/2020 and 10-12/2020: six months, the gap of six is not counted.
    assert total_months([(m(2020, 10), m(2020, 12)), (m(2020, 1), m(2020, 3))]) == 6


def test_adjacent_periods_merge_into_one_run():
    runs = merge_month_ranges([(m(2020, 1), m(2020, 3)), (m(2020, 4), m(2020, 6))])
    assert runs == [(month_index(m(2020, 1)), month_index(m(2020, 6)))]


def test_overlaps_and_gaps_across_years():
    periods = [
        (m(2008, 9), m(2011, 6)),  # 34 months
        (m(2011, 10), m(2016, 12)),  # 63 months, after a 3-month gap
        (m(2016, 9), m(2017, 2)),  # overlaps 09-12/2016, adds 01-02/2017 = 2
    ]
    assert total_months(periods) == 34 + 63 + 2


def test_no_periods_is_zero_months():
    assert total_months([]) == 0


@pytest.mark.parametrize(
    "months,years",
    [(0, "0"), (12, "1"), (13, "1.5"), (18, "1.5"), (19, "2"), (23, "2"), (24, "2")],
)
def test_odd_months_round_to_half_or_whole_years(months, years):
    assert years_from_months(months) == Decimal(years)


def test_one_time_estimate_worked_example_across_2014():
    """01/2010-12/2013 at 5,000,000 and 01/2014-06/2016 at 8,000,000.

    Months: 48 before 2014 (4 whole years, no odd months), 30 from 2014
    (2 years 6 months -> 2.5 years).
    Average: (48 x 5,000,000 + 30 x 8,000,000) / 78 = 480,000,000 / 78
           = 6,153,846.15...
    Average shown: 6,153,846 đ (rounded).
    Months of salary: 1.5 x 4 + 2 x 2.5 = 11.
    Amount: 6,153,846 x 11 = 67,692,306 đ (the product of the figures shown;
    using the unrounded average would give 67,692,308 and a citizen
    multiplying the page's figures would find 2 đ missing).
    """
    estimate = one_time_estimate(
        [(m(2010, 1), m(2013, 12), 5_000_000), (m(2014, 1), m(2016, 6), 8_000_000)]
    )
    assert estimate.months_total == 78
    assert (estimate.months_before_2014, estimate.months_from_2014) == (48, 30)
    assert estimate.years_before_2014 == 4
    assert estimate.years_from_2014 == Decimal("2.5")
    assert estimate.average_salary == 6_153_846
    assert estimate.months_of_salary == 11
    assert estimate.amount == 67_692_306


def test_one_time_estimate_carries_odd_months_before_2014_forward():
    """03/2012-12/2013 at 4,000,000 and 01/2014-08/2014 at 6,000,000.

    Before 2014: 22 months = 1 whole year + 10 odd months, which move to the
    from-2014 phase: 8 + 10 = 18 months = 1 year 6 months -> 1.5 years.
    Average: (22 x 4,000,000 + 8 x 6,000,000) / 30 = 136,000,000 / 30
           = 4,533,333.33...
    Average shown: 4,533,333 đ.
    Months of salary: 1.5 x 1 + 2 x 1.5 = 4.5.
    Amount: 4,533,333 x 4.5 = 20,399,998.5 -> 20,399,999 đ (half up).
    (Rounding the 10 odd months before 2014 on their own would have given
    1.5 x 2 + 2 x 0.5 = 4 months: carrying them is worth half a month here.)
    """
    estimate = one_time_estimate(
        [(m(2012, 3), m(2013, 12), 4_000_000), (m(2014, 1), m(2014, 8), 6_000_000)]
    )
    assert estimate.odd_months_carried == 10
    assert estimate.years_before_2014 == 1
    assert estimate.years_from_2014 == Decimal("1.5")
    assert estimate.average_salary == 4_533_333
    assert estimate.amount == 20_399_999


def test_one_time_estimate_counts_concurrent_jobs_once_with_both_salaries():
    """01/2020-12/2020 at 6,000,000 plus 07/2020-12/2020 at 2,000,000 elsewhere.

    Months: 12 (the overlap counts once) -> 1 year, all from 2014.
    Salaries: 12 x 6,000,000 + 6 x 2,000,000 = 84,000,000; average 7,000,000.
    Amount: 2 x 1 x 7,000,000 = 14,000,000 đ.
    """
    estimate = one_time_estimate(
        [(m(2020, 1), m(2020, 12), 6_000_000), (m(2020, 7), m(2020, 12), 2_000_000)]
    )
    assert estimate.months_total == 12
    assert estimate.average_salary == 7_000_000
    assert estimate.amount == 14_000_000


def test_under_a_year_pays_22_percent_capped_at_two_months():
    """01/2020-07/2020 at 5,000,000: 7 months, under one year.

    22% x 35,000,000 = 7,700,000; cap 2 x 5,000,000 = 10,000,000 -> 7,700,000 đ.
    """
    estimate = one_time_estimate([(m(2020, 1), m(2020, 7), 5_000_000)])
    assert estimate.short_contribution
    assert estimate.contributed_22_percent == 7_700_000
    assert estimate.cap_two_months == 10_000_000
    assert estimate.amount == 7_700_000


def test_no_contribution_gives_no_estimate():
    estimate = one_time_estimate([])
    assert estimate.months_total == 0 and estimate.amount == 0


def test_odd_months_before_2014_alone_are_carried_not_rounded():
    """07/2011-12/2013 at 4,000,000: 30 months, all before 2014.

    2 whole years before 2014 -> 1.5 x 2 = 3 months of salary; the 6 odd
    months move to the from-2014 phase: 6 months = half a year -> 2 x 0.5 = 1.
    Amount: 4,000,000 x 4 = 16,000,000 đ.
    """
    estimate = one_time_estimate([(m(2011, 7), m(2013, 12), 4_000_000)])
    assert (estimate.years_before_2014, estimate.odd_months_carried) == (2, 6)
    assert estimate.years_from_2014 == Decimal("0.5")
    assert estimate.months_of_salary == 4
    assert estimate.amount == 16_000_000


@pytest.mark.parametrize(
    "last_month,months_of_salary,amount",
    [
        # 01/2015-06/2016: 18 months = 1 year 6 months -> 1.5 years -> 3 months.
        (m(2016, 6), 3, 15_000_000),
        # 01/2015-07/2016: 19 months = 1 year 7 months -> 2 years -> 4 months.
        (m(2016, 7), 4, 20_000_000),
    ],
)
def test_six_odd_months_are_half_a_year_and_seven_a_whole_one(last_month, months_of_salary, amount):
    estimate = one_time_estimate([(m(2015, 1), last_month, 5_000_000)])
    assert estimate.months_of_salary == months_of_salary
    assert estimate.amount == amount


def test_under_a_year_is_capped_at_two_months_of_the_average():
    """01/2020-10/2020 at 5,000,000: 10 months.

    22% x 50,000,000 = 11,000,000 is above the cap 2 x 5,000,000 = 10,000,000,
    so 10,000,000 đ.
    """
    estimate = one_time_estimate([(m(2020, 1), m(2020, 10), 5_000_000)])
    assert estimate.contributed_22_percent == 11_000_000
    assert estimate.amount == estimate.cap_two_months == 10_000_000
