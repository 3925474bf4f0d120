"""Voluntary BHXH and household BHYT amounts: worked examples checked by hand.

Figures in force on 05/12/2026: mức tham chiếu 2,340,000 đ; rural poverty
line 1,500,000 đ (2,200,000 đ from 01/01/2027); State support 30/25/10%.
"""

import datetime as dt
from decimal import Decimal

import pytest

from insurance.payments.amounts import household_amounts, percent_of, voluntary_amount
from insurance.payments.rules import RURAL_POVERTY_LINE, rules_on, value_on

TODAY = dt.date(2026, 12, 5)


def test_the_figures_in_force_are_the_dated_ones():
    rules = rules_on(TODAY)
    assert rules.reference_level == 2_340_000
    assert rules.poverty_line == 1_500_000
    assert (rules.income_min, rules.income_max) == (1_500_000, 46_800_000)
    # Decree 351/2025 raises the rural poverty line from 2027.
    assert rules_on(dt.date(2027, 1, 1)).poverty_line == 2_200_000
    assert rules_on(dt.date(2027, 1, 1)).income_min == 2_200_000
    with pytest.raises(ValueError):
        value_on(RURAL_POVERTY_LINE, dt.date(2021, 12, 31))


def test_percentages_round_half_up_to_whole_dong_once():
    assert percent_of(1_234_567, 22) == 271_605  # 271,604.74
    assert percent_of(50, 1) == 1  # 0.5 rounds up
    assert percent_of(2_340_000, Decimal("4.5"), 70) == 73_710  # one rounding, not two


def test_voluntary_at_the_floor_monthly_with_the_general_support():
    """1,500,000 × 22% = 330,000; the State pays 10% of that: 33,000; 297,000 to pay."""
    amount = voluntary_amount(
        income=1_500_000, months=1, support_percent=Decimal(10), rules=rules_on(TODAY)
    )
    assert amount.monthly_contribution == 330_000
    assert amount.monthly_support == 33_000
    assert amount.monthly_payable == 297_000
    assert amount.amount == 297_000


def test_voluntary_twelve_months_of_a_poor_household():
    """5,000,000 × 22% = 1,100,000; support 30% × 330,000 = 99,000; 1,001,000 × 12."""
    amount = voluntary_amount(
        income=5_000_000, months=12, support_percent=Decimal(30), rules=rules_on(TODAY)
    )
    assert (amount.monthly_contribution, amount.monthly_support) == (1_100_000, 99_000)
    assert amount.contribution == 13_200_000
    assert amount.support == 1_188_000
    assert amount.amount == 12_012_000


def test_voluntary_at_the_ceiling_quarterly_near_poor():
    """46,800,000 × 22% = 10,296,000; support 25% × 330,000 = 82,500; × 3."""
    amount = voluntary_amount(
        income=46_800_000, months=3, support_percent=Decimal(25), rules=rules_on(TODAY)
    )
    assert amount.monthly_payable == 10_213_500
    assert amount.amount == 30_640_500


def test_voluntary_support_follows_the_poverty_line_of_the_day():
    """From 2027: 10% of 22% of 2,200,000 = 48,400 a month."""
    amount = voluntary_amount(
        income=3_000_000,
        months=6,
        support_percent=Decimal(10),
        rules=rules_on(dt.date(2027, 1, 15)),
    )
    assert amount.monthly_contribution == 660_000
    assert amount.monthly_support == 48_400
    assert amount.amount == (660_000 - 48_400) * 6 == 3_669_600


def test_household_three_members_for_twelve_months():
    """105,300 / 73,710 / 63,180 a month; × 12 = 1,263,600 + 884,520 + 758,160."""
    members = household_amounts(members=3, months=12, rules=rules_on(TODAY))
    assert [m.share for m in members] == [100, 70, 60]
    assert [m.monthly for m in members] == [105_300, 73_710, 63_180]
    assert [m.amount for m in members] == [1_263_600, 884_520, 758_160]
    assert sum(m.amount for m in members) == 2_906_280


def test_household_fifth_and_later_members_pay_forty_percent():
    """105,300 + 73,710 + 63,180 + 52,650 + 42,120 + 42,120 = 379,080 a month; × 6."""
    members = household_amounts(members=6, months=6, rules=rules_on(TODAY))
    assert [m.share for m in members] == [100, 70, 60, 50, 40, 40]
    assert sum(m.monthly for m in members) == 379_080
    assert sum(m.amount for m in members) == 2_274_480
