from io import StringIO

from django.core.management import call_command

import pytest

from accounts.models import User
from insurance.demo import CHILD_NUMBERS, DEMO_CHILDREN
from insurance.models import Person
from insurance.selectors import card_for_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("load_reference_data", stdout=StringIO())
    out = StringIO()
    call_command("seed_demo", "--citizens", "15", stdout=out)
    return out.getvalue()


def test_seed_creates_registry_people_a_clerk_and_an_admin(seeded, client):
    assert Person.objects.count() == 15 + len(DEMO_CHILDREN)
    an = Person.objects.get(insurance_number="7901234567")
    assert an.full_name == "Nguyễn Văn An"
    assert an.office.code == "07914"
    clerk = User.objects.get(username="canbo.quan4")
    assert clerk.is_staff and not clerk.is_superuser
    assert clerk.staff_profile.office.code == "07914"
    assert User.objects.get(username="admin").is_superuser
    line = next(line for line in seeded.splitlines() if "canbo.quan4 /" in line)
    password = line.split(" / ")[1].strip()
    assert client.login(username="canbo.quan4", password=password)


def test_seeding_twice_adds_no_duplicates(seeded):
    call_command("seed_demo", "--citizens", "15", stdout=StringIO())
    assert Person.objects.count() == 15 + len(DEMO_CHILDREN)
    assert User.objects.filter(username="canbo.quan4").count() == 1


def test_demo_people_have_plausible_vietnamese_data(seeded):
    for person in Person.objects.all():
        assert len(person.insurance_number) == 10 and person.insurance_number.isdigit()
        assert len(person.full_name.split()) == 3
        assert len(person.id_number) == 12 or person.insurance_number in CHILD_NUMBERS


def test_without_debug_staff_passwords_are_random(settings):
    settings.DEBUG = False
    call_command("load_reference_data", stdout=StringIO())
    out = StringIO()
    call_command("seed_demo", "--citizens", "2", stdout=out)
    assert "demo-canbo-quan4" not in out.getvalue()


def test_demo_careers_look_real(seeded):
    """Several employers over decades, gaps, raises, debts, maternity, sickness, visits."""
    from insurance.calculations import merge_month_ranges
    from insurance.models import BenefitPayment, ParticipationPeriod

    an = Person.objects.get(insurance_number="7901234567")
    bhxh = list(an.periods.filter(insurance_type="bhxh").order_by("from_month"))
    assert len({p.employer_code for p in bhxh}) >= 4
    assert bhxh[-1].to_month.year - bhxh[0].from_month.year >= 15
    assert len(merge_month_ranges((p.from_month, p.to_month) for p in bhxh)) >= 2  # a gap
    salaries = [p.salary for p in bhxh if p.employer_code == bhxh[-1].employer_code]
    assert salaries == sorted(salaries) and salaries[0] < salaries[-1]  # raises
    assert an.periods.filter(status=ParticipationPeriod.Status.OWED).exists()
    assert an.benefits.filter(kind=BenefitPayment.Kind.SICKNESS).count() >= 2
    assert an.visits.count() >= 5
    mothers = BenefitPayment.objects.filter(
        kind=BenefitPayment.Kind.MATERNITY, person__gender=Person.Gender.FEMALE
    )
    assert mothers.exists()
    assert not BenefitPayment.objects.filter(
        kind=BenefitPayment.Kind.MATERNITY, person__gender=Person.Gender.MALE
    ).exists()


def test_the_demo_citizen_has_a_minor_child_without_an_account(seeded):
    """The child flow can be tried by hand: 7901234567 registers their son."""
    from declarations.children import child_check

    an = User.objects.get(username="7901234567")
    child = Person.objects.get(insurance_number=DEMO_CHILDREN[0]["insurance_number"])
    assert not User.objects.filter(username=child.insurance_number).exists()
    assert (
        child_check(guardian=an, insurance_number=child.insurance_number, full_name=child.full_name)
        == child
    )
    assert card_for_person(person=child).group == "HS"
