"""What a citizen may pay for: the rules and the registry, field by field."""

import datetime as dt

from django.core.exceptions import ValidationError

import pytest

from insurance.models import HealthInsuranceCard
from insurance.payments.models import Payment
from insurance.payments.plans import gap_run, household_members, household_plan, voluntary_plan
from insurance.payments.services import PaymentChoice, payment_create

from .factories import CardFactory, CitizenFactory, PersonFactory
from .payments import TODAY, pending_payment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def plan(person, **values):
    return voluntary_plan(
        person=person,
        **{
            "income": 2_000_000,
            "method": "1",
            "start_month": dt.date(2026, 12, 1),
            "today": TODAY,
            **values,
        },
    )


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_each_method_takes_its_months_from_the_start(an):
    assert plan(an, method="1").lines[0].to_month == dt.date(2026, 12, 1)
    assert plan(an, method="6").lines[0].to_month == dt.date(2027, 5, 1)
    assert plan(an, method="12").months == 12
    five_years = plan(an, method="years", years=5)
    assert five_years.months == 60
    assert five_years.lines[0].to_month == dt.date(2031, 11, 1)
    assert five_years.amount == 60 * (440_000 - 33_000)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (
            {"income": 1_499_000},
            "income",
            "Mức thu nhập phải từ 1.500.000 đồng đến 46.800.000 đồng.",
        ),
        (
            {"income": 46_801_000},
            "income",
            "Mức thu nhập phải từ 1.500.000 đồng đến 46.800.000 đồng.",
        ),
        ({"income": 2_000_500}, "income", "Mức thu nhập làm tròn đến nghìn đồng, ví dụ 2.000.000."),
        ({"method": "7"}, "method", "Chọn phương thức đóng."),
        ({"method": "years", "years": 6}, "years", "Chọn từ 2 đến 5 năm."),
        ({"start_month": dt.date(2026, 11, 1)}, "start_month", "tháng đã qua chọn “Đóng bù”"),
        (
            {"start_month": dt.date(2028, 1, 1)},
            "start_month",
            "Tháng bắt đầu từ 12/2026 đến 12/2027",
        ),
        (
            {"method": "backpay", "months": 3, "start_month": dt.date(2026, 12, 1)},
            "start_month",
            "Đóng bù chỉ cho các tháng đã qua, trước tháng 12/2026.",
        ),
        (
            {"method": "backpay", "months": 7, "start_month": dt.date(2026, 6, 1)},
            "months",
            "Đóng bù đến hết tháng 11/2026",
        ),
        (
            {"method": "backpay", "months": 2, "start_month": dt.date(2024, 5, 1)},
            "start_month",
            "Tháng 05/2024 đã có quá trình đóng BHXH",
        ),
        (
            {"method": "backpay", "start_month": dt.date(2007, 12, 1), "months": 1},
            "start_month",
            "BHXH tự nguyện bắt đầu từ tháng 01/2008.",
        ),
    ],
)
def test_a_choice_that_breaks_a_rule_says_which_field_and_why(an, values, field, message):
    errors = errors_of(lambda: plan(an, **values))
    assert any(message in text for text in errors[field]), errors


def test_a_child_under_fifteen_cannot_join_voluntary_bhxh():
    child = PersonFactory(date_of_birth=dt.date(2012, 3, 10))
    errors = errors_of(lambda: plan(child))
    assert "phải từ đủ 15 tuổi (từ tháng 03/2027)" in errors["start_month"][0]


def test_backpay_covers_the_gap_after_the_last_employer_without_support(an):
    assert gap_run(person=an, start=dt.date(2024, 7, 1), today=TODAY) == 29  # 07/2024–11/2026
    assert gap_run(person=an, start=dt.date(2024, 6, 1), today=TODAY) == 0
    back = plan(an, method="backpay", start_month=dt.date(2024, 7, 1), months=29)
    assert back.lines[0].monthly_support == 0
    assert back.amount == 29 * 440_000 == 12_760_000


def test_the_poor_household_support_comes_from_the_bhyt_group(an):
    HealthInsuranceCard.objects.filter(person=an).update(group="HN")
    poor = plan(an, income=1_500_000)
    assert (poor.support_category, poor.lines[0].monthly_support) == ("poor", 99_000)
    assert poor.amount == 231_000
    HealthInsuranceCard.objects.filter(person=an).update(group="CN")
    assert plan(an, income=1_500_000).lines[0].monthly_support == 82_500


def test_months_held_by_a_pending_or_paid_payment_cannot_be_paid_again(an, an_user):
    first = pending_payment(an_user)  # 12/2026–02/2027
    errors = errors_of(lambda: plan(an, method="1", start_month=dt.date(2027, 2, 1)))
    assert errors["start_month"] == [
        f"Các tháng này đang chờ thanh toán trong giao dịch {first.code}."
    ]
    assert plan(an, method="1", start_month=dt.date(2027, 3, 1)).months == 1


def test_pressing_pay_twice_returns_the_same_payment(an, an_user):
    first = pending_payment(an_user)
    assert pending_payment(an_user).pk == first.pk
    assert Payment.objects.count() == 1


def test_household_members_are_the_account_and_its_children_with_their_reasons(household, an_user):
    baby = PersonFactory(insurance_number="7920250101", date_of_birth=dt.date(2025, 1, 1))
    CardFactory(person=baby, group="TE", valid_to=dt.date(2030, 9, 30))
    baby_user = CitizenFactory(person=baby)
    baby_user.guardian = an_user
    baby_user.save()
    stranger = PersonFactory(insurance_number="7909999999")
    CardFactory(person=stranger, group="GD")

    members = household_members(user=an_user, today=TODAY)
    assert [m.person.insurance_number for m in members] == [
        "7901234567",
        "7920100101",
        "7920250101",
    ]
    assert [m.eligible for m in members] == [True, True, False]
    assert members[0].valid_from == dt.date(2027, 1, 1)  # right after the current card
    assert "dưới 6 tuổi" in members[2].reason
    errors = errors_of(
        lambda: household_plan(
            user=an_user, insurance_numbers=["7909999999"], months=12, today=TODAY
        )
    )
    assert errors["members"] == ["Chỉ chọn bản thân hoặc con do bạn đăng ký tài khoản."]


def test_a_card_of_another_group_still_valid_cannot_be_renewed_by_the_household(an, an_user):
    errors = errors_of(
        lambda: household_plan(
            user=an_user, insurance_numbers=["7901234567"], months=6, today=TODAY
        )
    )
    assert errors["members"] == ["Nguyễn Văn An: Đang có thẻ BHYT nhóm DN còn hạn đến 31/12/2026."]


def test_after_a_break_the_new_card_starts_thirty_days_after_payment(an, an_user):
    HealthInsuranceCard.objects.filter(person=an).update(valid_to=dt.date(2026, 6, 30))
    renewal = household_plan(user=an_user, insurance_numbers=["7901234567"], months=3, today=TODAY)
    line = renewal.lines[0]
    assert (line.valid_from, line.valid_to) == (dt.date(2027, 1, 4), dt.date(2027, 4, 3))
    HealthInsuranceCard.objects.filter(person=an).update(valid_to=dt.date(2026, 10, 31))
    soon = household_plan(user=an_user, insurance_numbers=["7901234567"], months=3, today=TODAY)
    assert soon.lines[0].valid_from == TODAY  # a break under 3 months: from the day paid


def test_household_months_must_be_3_6_or_12(household, an_user):
    errors = errors_of(
        lambda: payment_create(
            payer=an_user,
            choice=PaymentChoice(kind="household_bhyt", months=5, members=("7901234567",)),
        )
    )
    assert errors["months"] == ["Chọn 3, 6 hoặc 12 tháng."]
