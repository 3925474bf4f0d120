"""Demo data for the embedded default: registry people, a clerk, an administrator.

Demo passwords are fixed so that the README can name them; with DEBUG off
(or ``random_passwords``) fresh random passwords are generated instead.
"""

import datetime as dt
import random
import secrets
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import StaffProfile, User
from lookup.models import Office, Province

from .demo_records import (
    Records,
    records_for_child,
    records_for_first_person,
    records_for_person,
)
from .models import (
    BenefitPayment,
    HealthInsuranceCard,
    MedicalVisit,
    ParticipationPeriod,
    Person,
)
from .records_cache import registry_changed_on_commit

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Thành", "Công"]
MIDDLE_F = ["Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Bảo"]
GIVEN_M = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hải",
    "Hùng",
    "Khoa",
    "Long",
    "Nam",
    "Phúc",
    "Quân",
    "Tuấn",
]
GIVEN_F = ["Anh", "Chi", "Dung", "Hà", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Trang", "Yến"]
STREETS = [
    "Đường số 3",
    "Khánh Hội",
    "Hoàng Diệu",
    "Tôn Thất Thuyết",
    "Nguyễn Tất Thành",
    "Bến Vân Đồn",
]

DEMO_CLERK = "canbo.quan4"
DEMO_CLERK_PASSWORD = "demo-canbo-quan4"
DEMO_ADMIN = "admin"
DEMO_ADMIN_PASSWORD = "demo-quan-tri-2026"
# A citizen account for the first person, to see /ca-nhan/ in the demo.
DEMO_CITIZEN_PASSWORD = "demo-cong-dan-2026"

# The person of the QR examples in docs/ and the domain reference.
FIRST_PERSON = {
    "insurance_number": "7901234567",
    "full_name": "Nguyễn Văn An",
    "date_of_birth": dt.date(1990, 5, 15),
    "gender": Person.Gender.MALE,
    "id_number": "079090001234",
    "address": "12 Đường số 3, Phường 9, Quận 4, TP. Hồ Chí Minh",
    "parent_name": "Nguyễn Văn Bình",
}

# Nguyễn Văn An's son: a minor in the registry without an account, so that
# "Đăng ký tài khoản cho con" can be tried with the demo citizen.
DEMO_CHILDREN = [
    {
        "insurance_number": "7920170902",
        "full_name": "Nguyễn Minh Khoa",
        "date_of_birth": dt.date(2017, 9, 2),
        "gender": Person.Gender.MALE,
        "id_number": "",
        "address": FIRST_PERSON["address"],
        "parent_name": FIRST_PERSON["full_name"],
    }
]


@dataclass
class DemoResult:
    persons_created: int = 0
    persons_total: int = 0
    records_created: int = 0
    credentials: list[tuple[str, str, str]] = field(default_factory=list)


def _random_person(rng: random.Random, index: int, office_codes: list[str]) -> dict:
    gender = rng.choice([Person.Gender.MALE, Person.Gender.FEMALE])
    male = gender == Person.Gender.MALE
    name = " ".join(
        [
            rng.choice(SURNAMES),
            rng.choice(MIDDLE_M if male else MIDDLE_F),
            rng.choice(GIVEN_M if male else GIVEN_F),
        ]
    )
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 45))
    office_code = rng.choice(office_codes)
    province_code = office_code[1:3]
    century_digit = (0 if male else 1) + (2 if birth.year >= 2000 else 0)
    id_number = f"0{province_code}{century_digit}{birth.year % 100:02d}{rng.randrange(10**6):06d}"
    return {
        "insurance_number": f"{province_code}{index:08d}",
        "full_name": name,
        "date_of_birth": birth,
        "gender": gender,
        "id_number": id_number,
        "address": f"{rng.randrange(1, 300)} {rng.choice(STREETS)}, TP. Hồ Chí Minh",
        "parent_name": f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}",
        "office_code": office_code,
    }


def _ensure_user(username: str, password: str, reset: bool, **fields) -> tuple[User, bool]:
    user, created = User.objects.get_or_create(username=username, defaults=fields)
    if created or reset:
        for name, value in fields.items():
            setattr(user, name, value)
        user.set_password(password)
        user.save()
    return user, created


@transaction.atomic
def demo_seed(*, citizens: int = 20, random_passwords: bool = False) -> DemoResult:
    """Create demo registry people and staff accounts; re-running adds nothing twice."""
    result = DemoResult()
    hcm = Province.objects.get(code="79")
    quan4 = Office.objects.get(code="07914")
    office_codes = list(
        Office.objects.filter(parent__code="079").values_list("code", flat=True)
    ) or [quan4.code]
    offices = {o.code: o for o in Office.objects.filter(code__in=office_codes)}

    rng = random.Random(2026)
    rows = [{**FIRST_PERSON, "office_code": quan4.code}]
    rows += [_random_person(rng, i, office_codes) for i in range(1, citizens)]
    rows += [{**child, "office_code": quan4.code} for child in DEMO_CHILDREN]
    existing = set(
        Person.objects.filter(
            insurance_number__in=[r["insurance_number"] for r in rows]
        ).values_list("insurance_number", flat=True)
    )
    for row in rows:
        if row["insurance_number"] in existing:
            continue
        office = offices[row.pop("office_code")]
        Person.objects.create(**row, office=office, province=hcm)
        result.persons_created += 1
    result.persons_total = Person.objects.count()
    result.records_created = _seed_records(
        [r["insurance_number"] for r in rows], today=dt.date.today()
    )

    clerk_password = secrets.token_urlsafe(12) if random_passwords else DEMO_CLERK_PASSWORD
    admin_password = secrets.token_urlsafe(12) if random_passwords else DEMO_ADMIN_PASSWORD
    clerk, _ = _ensure_user(
        DEMO_CLERK,
        clerk_password,
        reset=True,
        full_name="Trần Thị Thu (cán bộ BHXH Quận 4)",
        email="canbo.quan4@vssid.example.vn",
        is_staff=True,
    )
    StaffProfile.objects.update_or_create(user=clerk, defaults={"office": quan4})
    # Read access in /admin/ for the clerk (the group comes from a migration).
    clerk.groups.add(*Group.objects.filter(name="Cán bộ tiếp nhận"))
    _ensure_user(
        DEMO_ADMIN,
        admin_password,
        reset=True,
        full_name="Quản trị hệ thống",
        email="admin@vssid.example.vn",
        is_staff=True,
        is_superuser=True,
    )
    citizen_password = secrets.token_urlsafe(12) if random_passwords else DEMO_CITIZEN_PASSWORD
    _ensure_user(
        FIRST_PERSON["insurance_number"],
        citizen_password,
        reset=True,
        full_name=FIRST_PERSON["full_name"],
        phone="+84901234567",
        must_change_password=False,
    )
    result.credentials = [
        ("cán bộ BHXH Quận 4", DEMO_CLERK, clerk_password),
        ("quản trị", DEMO_ADMIN, admin_password),
        ("công dân", FIRST_PERSON["insurance_number"], citizen_password),
    ]
    return result


CHILD_NUMBERS = {child["insurance_number"] for child in DEMO_CHILDREN}


def _seed_records(numbers: list[str], *, today: dt.date) -> int:
    """Careers, cards, benefits and visits for demo people that have none yet."""
    people = list(Person.objects.filter(insurance_number__in=numbers).order_by("insurance_number"))
    with_records = set(
        ParticipationPeriod.objects.filter(person__in=people)
        .values_list("person_id", flat=True)
        .distinct()
    ) | set(
        # Children have a card but no career.
        HealthInsuranceCard.objects.filter(person__in=people).values_list("person_id", flat=True)
    )
    order = {number: i for i, number in enumerate(numbers)}
    batch = Records([], [], [], [])
    for person in people:
        if person.pk in with_records:
            continue
        index = order[person.insurance_number]
        if person.insurance_number in CHILD_NUMBERS:
            records = records_for_child(person, today)
        elif index == 0:
            records = records_for_first_person(person, today)
        else:
            records = records_for_person(person, index, today)
        batch.cards += records.cards
        batch.periods += records.periods
        batch.benefits += records.benefits
        batch.visits += records.visits
    HealthInsuranceCard.objects.bulk_create(batch.cards)
    ParticipationPeriod.objects.bulk_create(batch.periods, batch_size=1000)
    BenefitPayment.objects.bulk_create(batch.benefits)
    MedicalVisit.objects.bulk_create(batch.visits)
    registry_changed_on_commit()  # bulk_create sends no signals
    return len(batch.cards) + len(batch.periods) + len(batch.benefits) + len(batch.visits)
