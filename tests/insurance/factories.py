import datetime as dt

import factory

from accounts.models import User
from insurance.models import (
    BenefitPayment,
    HealthInsuranceCard,
    MedicalVisit,
    ParticipationPeriod,
    Person,
)

PASSWORD = "mat-khau-cong-dan-123"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    insurance_number = factory.Sequence(lambda n: f"79{n:08d}")
    full_name = "Nguyễn Văn An"
    date_of_birth = dt.date(1990, 5, 15)
    gender = Person.Gender.MALE
    id_number = "079090001234"
    address = "12 Đường số 3, Phường 9, Quận 4, TP. Hồ Chí Minh"
    parent_name = "Nguyễn Văn Bình"


class CitizenFactory(factory.django.DjangoModelFactory):
    """A citizen account for a registry person (username = mã số BHXH)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        person = factory.SubFactory(PersonFactory)

    username = factory.LazyAttribute(lambda o: o.person.insurance_number)
    full_name = factory.LazyAttribute(lambda o: o.person.full_name)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthInsuranceCard

    person = factory.SubFactory(PersonFactory)
    card_number = factory.LazyAttribute(lambda o: o.person.insurance_number)
    group = "DN"
    benefit_level = 4
    valid_from = dt.date(2026, 1, 1)
    valid_to = dt.date(2026, 12, 31)
    kcb_code = "79011"
    kcb_name = "Trung tâm Y tế Quận 4"
    five_year_date = dt.date(2028, 1, 1)
    issued_on = dt.date(2025, 12, 20)
    issue_place = "Quận 4, Thành phố Hồ Chí Minh"


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParticipationPeriod

    person = factory.SubFactory(PersonFactory)
    insurance_type = ParticipationPeriod.InsuranceType.BHXH
    from_month = dt.date(2020, 1, 1)
    to_month = dt.date(2020, 12, 1)
    employer_code = "TA0120A"
    employer_name = "Công ty TNHH Điện tử Sao Việt"
    position = "Kỹ thuật viên"
    salary = 5_000_000
    rate = "25.00"
    status = ParticipationPeriod.Status.PAID


class BenefitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BenefitPayment

    person = factory.SubFactory(PersonFactory)
    kind = BenefitPayment.Kind.SICKNESS
    period_from = dt.date(2024, 3, 4)
    period_to = dt.date(2024, 3, 8)
    days = 5
    amount = 1_000_000
    office_code = "07914"
    office_name = "BHXH Quận 4"


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MedicalVisit

    person = factory.SubFactory(PersonFactory)
    claim_code = factory.Sequence(lambda n: f"LK{n:08d}")
    facility_code = "79011"
    facility_name = "Trung tâm Y tế Quận 4"
    admitted_on = dt.date(2024, 2, 6)
    discharged_on = dt.date(2024, 2, 6)
    kind = MedicalVisit.Kind.OUTPATIENT
    total_cost = 350_000
    insurance_paid = 280_000
    patient_paid = 70_000
