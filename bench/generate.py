"""Build a realistic registry in PostgreSQL, fast (COPY), resumable.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scale python bench/generate.py \
        [--persons 1000000] [--chunk 20000] [--declarations 100000] [--offices 50] \
        [--facilities 15000]

Writes, with psycopg2 ``copy_expert``:

- N persons (mã số BHXH ``PP5xxxxxxx``: province code, then 5 and the
  person's index), each with a BHYT card, about 20 participation periods
  (5 jobs x 4 insurance types), 0-2 benefit payments and 3 medical visits;
- 100,000 declarations (tờ khai) spread over 50 district offices, in every
  status;
- medical facilities topped up to 15,000.

Persons are written in chunks keyed by person index (``--chunk``); one chunk
is one transaction, so an interrupted run leaves whole chunks, and a re-run
skips the chunks already present and continues. Declarations are chunked
the same way (by their ``submission_key``). Table and column names come
from the models' ``_meta``; a column this script does not set is filled from
its model default (or NULL, or an empty value of its type), so the script
keeps working when a model gains a column. Prints progress and rows/second.

Run ``migrate`` and ``load_reference_data`` first (``bench/run.py`` does both,
or this script does with ``--setup``).
"""

import argparse
import datetime as dt
import decimal
import io
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SURNAMES = "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý".split()
MIDDLE_M = "Văn Hữu Đức Minh Quang Thành Công Xuân Đình Trọng".split()
MIDDLE_F = "Thị Ngọc Thu Thanh Kim Mỹ Bảo Phương Hồng Diệu".split()
GIVEN_M = "An Bình Cường Dũng Hải Hùng Khoa Long Nam Phúc Quân Tuấn Sơn Tài Vinh Hiếu".split()
GIVEN_F = "Anh Chi Dung Hà Hoa Hương Lan Linh Mai Nga Trang Yến Thảo Vy Nhung Hạnh".split()
STREETS = "Khánh Hội|Hoàng Diệu|Nguyễn Tất Thành|Lê Lợi|Trần Hưng Đạo|Hai Bà Trưng".split("|")
INSURANCE_TYPES = ("bhxh", "bhtn", "bhtnld", "bhyt")
RATES = {"bhxh": "25.00", "bhtn": "2.00", "bhtnld": "0.50", "bhyt": "4.50"}
JOBS = 5
VISITS = 3
BENEFIT_KINDS = ("sickness", "maternity", "unemployment", "one_time")
FACILITY_KINDS = [
    ("commune", "Trạm y tế Phường {n}, {district}"),
    ("district", "Phòng khám đa khoa {brand}"),
    ("district", "Trung tâm Y tế {district}"),
    ("province", "Bệnh viện {brand}"),
]
BRANDS = "An Phúc|Hoàn Mỹ|Thiện Nhân|Medic|Tâm Anh|Hồng Đức|Sài Gòn|Việt Pháp|Thu Cúc|Vinmec".split(
    "|"
)
# Person n's mã số is the province code, "5" and n on 7 digits (up to
# 10 million persons); no demo or seeded citizen uses a third digit 5.
NUMBER_MARK = "5"


def log(message: str) -> None:
    print(f"[{dt.datetime.now(dt.UTC):%H:%M:%S}] {message}", flush=True)


# COPY from model metadata ------------------------------------------------------
def copy_escape(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_fields(model) -> list:
    """The columns COPY writes: every concrete field but an automatic primary key."""
    from django.db.models.fields import AutoFieldMixin

    return [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and isinstance(f, AutoFieldMixin))
    ]


def field_fallback(field, now: dt.datetime):
    """The value of a column nobody set: its default, else NULL, else empty."""
    from django.db import models

    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now if isinstance(field, models.DateTimeField) else now.date()
    if field.has_default():
        default = field.get_default()
        return default.value if hasattr(default, "value") else default
    if field.null:
        return None
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.DateTimeField):
        return now
    if isinstance(field, models.DateField):
        return now.date()
    if isinstance(field, models.IntegerField | models.FloatField | models.DecimalField):
        return 0
    if isinstance(field, models.JSONField):
        return {}
    return ""


class CopyTemplate:
    """A fast row renderer for one model: constants inlined, a slot per varying field.

    ``varying`` names the fields (``name`` or ``attname``) that each row
    supplies, in order; every other column takes ``field_fallback``. A unique
    field without a default must be supplied (a constant would collide).
    """

    def __init__(self, model, varying: list[str], now: dt.datetime):
        from django.db import connection

        self.model = model
        self.table = model._meta.db_table
        fields = copy_fields(model)
        slots = {}
        for name in varying:
            field = next((f for f in fields if name in (f.name, f.attname)), None)
            if field is None:
                raise SystemExit(f"{model.__name__} has no column for {name!r}")
            slots[field.column] = len(slots)
        parts = []
        for field in fields:
            if field.column in slots:
                parts.append(f"{{{slots[field.column]}}}")
                continue
            if field.unique and not field.has_default():
                raise SystemExit(f"{model.__name__}.{field.name} is unique: supply it")
            value = field_fallback(field, now)
            if callable(getattr(field, "default", None)) and field.unique:
                raise SystemExit(f"{model.__name__}.{field.name} is unique: supply it")
            parts.append(copy_escape(value).replace("{", "{{").replace("}", "}}"))
        self.line = "\t".join(parts) + "\n"
        self.columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)

    def render(self, *values) -> str:
        return self.line.format(*values)

    def copy(self, cursor, lines) -> int:
        stream = LineStream(lines)
        cursor.copy_expert(f"COPY {self.table} ({self.columns}) FROM STDIN", stream, size=1 << 20)
        return stream.count


def instance_line(obj, now: dt.datetime) -> str:
    """A COPY line for an unsaved model instance (slower; for small tables).

    Fills derived search columns the way ``save()`` would: models with
    ``refresh_search_text`` get it called; a non-editable text column whose
    name says "search" or "fold" gets the folded ``full_name``.
    """
    from django.db import connection, models

    from vssid_portal.text import fold

    if hasattr(obj, "refresh_search_text"):
        obj.refresh_search_text()
    values = []
    for field in copy_fields(type(obj)):
        if (
            isinstance(field, models.CharField)
            and not field.editable
            and any(word in field.name for word in ("search", "fold"))
            and not getattr(obj, field.attname)
            and hasattr(obj, "full_name")
        ):
            setattr(obj, field.attname, fold(obj.full_name))
        value = getattr(obj, field.attname)
        if value is None and not field.null:
            value = field_fallback(field, now)
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = value or now
        if isinstance(field, models.FileField):
            value = str(value) if value else ""
        elif isinstance(field, models.JSONField):
            value = value if value is not None else None
        elif value is not None and not isinstance(value, str | int | bool | decimal.Decimal):
            value = field.get_db_prep_value(value, connection)
        values.append(copy_escape(value))
    return "\t".join(values) + "\n"


class LineStream(io.TextIOBase):
    """A file-like object over generated lines, for ``copy_expert``."""

    def __init__(self, lines):
        self.lines = iter(lines)
        self.buffer = ""
        self.count = 0

    def readable(self):
        return True

    def read(self, size=-1):
        parts, have = [self.buffer], len(self.buffer)
        while size < 0 or have < size:
            line = next(self.lines, None)
            if line is None:
                break
            self.count += 1
            parts.append(line)
            have += len(line)
        data = "".join(parts)
        if size < 0 or len(data) <= size:
            self.buffer = ""
            return data
        self.buffer = data[size:]
        return data[:size]

    readline = read


# The registry ------------------------------------------------------------------
def month(index: int) -> str:
    return f"{index // 12}-{index % 12 + 1:02d}-01"


def person_number(i: int, provinces: list[str]) -> str:
    return f"{provinces[i % len(provinces)]}{NUMBER_MARK}{i:07d}"


class Registry:
    """Generates the rows of persons ``[first, last]`` deterministically."""

    def __init__(self, now: dt.datetime, provinces: list[str], offices: dict):
        from insurance.models import (
            BenefitPayment,
            HealthInsuranceCard,
            MedicalVisit,
            ParticipationPeriod,
            Person,
        )
        from vssid_portal.text import fold

        self.fold = fold
        self.provinces = provinces
        self.offices = offices
        self.folded: dict[str, str] = {}
        self.person = CopyTemplate(
            Person,
            [
                "insurance_number",
                "full_name",
                "name_search",
                "date_of_birth",
                "gender",
                "id_number",
                "address",
                "province",
                "office",
                "parent_name",
            ],
            now,
        )
        self.card = CopyTemplate(
            HealthInsuranceCard,
            [
                "person",
                "card_number",
                "group",
                "benefit_level",
                "valid_from",
                "valid_to",
                "kcb_code",
                "kcb_name",
                "five_year_date",
                "issued_on",
                "issue_place",
            ],
            now,
        )
        self.period = CopyTemplate(
            ParticipationPeriod,
            [
                "person",
                "insurance_type",
                "from_month",
                "to_month",
                "employer_code",
                "employer_name",
                "position",
                "salary",
                "rate",
                "status",
            ],
            now,
        )
        self.benefit = CopyTemplate(
            BenefitPayment,
            [
                "person",
                "kind",
                "period_from",
                "period_to",
                "days",
                "amount",
                "office_code",
                "office_name",
            ],
            now,
        )
        self.visit = CopyTemplate(
            MedicalVisit,
            [
                "person",
                "claim_code",
                "facility_code",
                "facility_name",
                "admitted_on",
                "discharged_on",
                "kind",
                "total_cost",
                "insurance_paid",
                "patient_paid",
            ],
            now,
        )

    def persons(self, indexes):
        for i in indexes:
            rng = random.Random(i)
            female = rng.random() < 0.5
            name = " ".join(
                [
                    rng.choice(SURNAMES),
                    rng.choice(MIDDLE_F if female else MIDDLE_M),
                    rng.choice(GIVEN_F if female else GIVEN_M),
                ]
            )
            folded = self.folded.get(name) or self.folded.setdefault(name, self.fold(name))
            province = self.provinces[i % len(self.provinces)]
            offices = self.offices.get(province) or [None]
            office = offices[i % len(offices)]
            born = dt.date(1955, 1, 1) + dt.timedelta(days=rng.randrange(365 * 50))
            parent = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"
            yield self.person.render(
                person_number(i, self.provinces),
                name,
                folded,
                born.isoformat(),
                "F" if female else "M",
                f"0{province}{i:09d}"[-12:],
                f"{i % 300 + 1} {STREETS[i % len(STREETS)]}, Phường {i % 20 + 1}",
                province,
                "\\N" if office is None else office,
                parent,
            )

    def cards(self, ids: dict[int, int]):
        for i, pk in ids.items():
            number = person_number(i, self.provinces)
            kcb = f"{number[:2]}{i % 90 + 10:03d}"
            yield self.card.render(
                pk,
                number,
                "DN" if i % 7 else "HS",
                4 if i % 7 else 3,
                "2026-01-01",
                "2026-12-31",
                kcb,
                f"Trung tâm Y tế số {i % 90 + 10}",
                f"{2010 + i % 15}-0{1 + i % 9}-01",
                "2025-12-20",
                "Bảo hiểm xã hội cơ sở",
            )

    def periods(self, ids: dict[int, int]):
        render = self.period.render
        for i, pk in ids.items():
            start = 2000 * 12 + i % 60
            for job in range(JOBS):
                first, last = month(start + job * 50), month(start + job * 50 + 47)
                employer = f"TD{(i + job) % 9999:05d}"
                employer_name = f"Công ty TNHH số {(i + job) % 9999}"
                salary = 4_000_000 + job * 1_500_000
                owed = "owed" if job == JOBS - 1 and i % 10 == 0 else "paid"
                for kind in INSURANCE_TYPES:
                    yield render(
                        pk,
                        kind,
                        first,
                        last,
                        employer,
                        employer_name,
                        "Nhân viên",
                        salary,
                        RATES[kind],
                        owed,
                    )

    def benefits(self, ids: dict[int, int]):
        for i, pk in ids.items():
            for b in range(i % 3):
                kind = BENEFIT_KINDS[(i + b) % len(BENEFIT_KINDS)]
                start = dt.date(2015 + b * 4, 1 + i % 12, 1 + i % 27)
                days = 5 + i % 20
                yield self.benefit.render(
                    pk,
                    kind,
                    start.isoformat(),
                    (start + dt.timedelta(days=days - 1)).isoformat(),
                    days,
                    300_000 * days,
                    "07914",
                    "BHXH Quận 4",
                )

    def visits(self, ids: dict[int, int]):
        for i, pk in ids.items():
            number = person_number(i, self.provinces)
            for v in range(VISITS):
                day = dt.date(2022 + v, 1 + i % 12, 1 + i % 28).isoformat()
                yield self.visit.render(
                    pk,
                    f"{number}-{day}-{v}",
                    f"{number[:2]}{i % 90 + 10:03d}",
                    f"Trung tâm Y tế số {i % 90 + 10}",
                    day,
                    day,
                    "outpatient",
                    350_000,
                    280_000,
                    70_000,
                )


STATE_TABLE = "bench_generate_deferred_ddl"


def big_tables() -> list[str]:
    from insurance.models import (
        BenefitPayment,
        HealthInsuranceCard,
        MedicalVisit,
        ParticipationPeriod,
    )

    return [
        m._meta.db_table
        for m in (HealthInsuranceCard, ParticipationPeriod, BenefitPayment, MedicalVisit)
    ]


def indexes_defer(conn, tables: list[str]) -> None:
    """Drop the child tables' secondary indexes and constraints for the load.

    Maintaining three B-trees and a deferred foreign-key trigger per row is
    most of the cost of COPY into a 20-million-row table; building them once
    at the end is several times faster. The statements that recreate them
    are kept in a table of the same database (committed with the drop), so an
    interrupted run recreates them when it is resumed.
    """
    with conn.cursor() as cur:
        cur.execute(f"CREATE TABLE IF NOT EXISTS {STATE_TABLE} (id serial, statement text)")
        cur.execute(f"SELECT count(*) FROM {STATE_TABLE}")
        if cur.fetchone()[0]:
            conn.commit()
            return  # an earlier, interrupted run already dropped them
        statements, drops = [], []
        for table in tables:
            cur.execute(
                "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC",
                [table],
            )
            for name, _kind, definition in cur.fetchall():
                statements.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
                drops.append(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            cur.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                [table],
            )
            for name, definition in cur.fetchall():
                statements.insert(0, definition)
                drops.insert(0, f'DROP INDEX "{name}"')
        for statement in drops:
            cur.execute(statement)
        # Unique constraints and plain indexes first, foreign keys last.
        statements.sort(key=lambda s: "FOREIGN KEY" in s)
        for statement in statements:
            cur.execute(f"INSERT INTO {STATE_TABLE} (statement) VALUES (%s)", [statement])
    conn.commit()
    log(f"deferred {len(statements)} indexes and constraints until the end of the load")


def indexes_restore(conn) -> None:
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", [STATE_TABLE])
        if cur.fetchone()[0] is None:
            return
        cur.execute("SET maintenance_work_mem = '512MB'")
        cur.execute(f"SELECT id, statement FROM {STATE_TABLE} ORDER BY id")
        for pk, statement in cur.fetchall():
            t0 = time.monotonic()
            cur.execute(statement)
            cur.execute(f"DELETE FROM {STATE_TABLE} WHERE id = %s", [pk])
            conn.commit()
            log(f"{time.monotonic() - t0:6.1f}s  {statement[:110]}")
        cur.execute(f"DROP TABLE {STATE_TABLE}")
    conn.commit()


def build_persons(conn, registry: Registry, persons: int, chunk: int) -> None:
    from insurance.models import Person

    table = Person._meta.db_table
    number_column = Person._meta.get_field("insurance_number").column
    started = time.monotonic()
    written_rows = written_persons = 0

    def numbers_present(numbers: list[str]) -> set[str]:
        with conn.cursor() as cur:
            cur.execute(
                f"SELECT {number_column} FROM {table} WHERE {number_column} = ANY(%s)", [numbers]
            )
            return {row[0] for row in cur.fetchall()}

    with conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
    # A chunk whose first and last persons exist was committed whole.
    ends = [(first, min(first + chunk - 1, persons)) for first in range(1, persons + 1, chunk)]
    present = numbers_present([person_number(i, registry.provinces) for pair in ends for i in pair])
    conn.commit()
    for first, last in ends:
        if {person_number(first, registry.provinces), person_number(last, registry.provinces)} <= (
            present
        ):
            continue
        # A chunk cut short by a smaller --persons or another --chunk earlier:
        # write only the persons it lacks.
        numbers = {person_number(i, registry.provinces): i for i in range(first, last + 1)}
        have = numbers_present(list(numbers))
        todo = [i for n, i in numbers.items() if n not in have]
        if not written_persons:
            indexes_defer(conn, big_tables())
        with conn.cursor() as cur:
            t0 = time.monotonic()
            rows = registry.person.copy(cur, registry.persons(todo))
            wanted = [person_number(i, registry.provinces) for i in todo]
            cur.execute(
                f"SELECT {number_column}, id FROM {table} WHERE {number_column} = ANY(%s)",
                [wanted],
            )
            ids = dict(sorted((numbers[n], pk) for n, pk in cur.fetchall()))
            rows += registry.card.copy(cur, registry.cards(ids))
            rows += registry.period.copy(cur, registry.periods(ids))
            rows += registry.benefit.copy(cur, registry.benefits(ids))
            rows += registry.visit.copy(cur, registry.visits(ids))
        conn.commit()
        written_rows += rows
        written_persons += len(todo)
        elapsed = time.monotonic() - started
        done = last / persons
        eta = elapsed / written_persons * (persons - last) if written_persons else 0
        log(
            f"persons {first:,}-{last:,} [{'#' * int(done * 30):30}] {done:6.1%}  "
            f"{rows:,} rows in {time.monotonic() - t0:.1f}s; "
            f"{written_rows / elapsed:,.0f} rows/s overall; ETA {eta / 60:.1f} min"
        )
    if written_rows:
        log(f"registry: {written_rows:,} rows in {time.monotonic() - started:.0f}s")
    else:
        log(f"registry: all {persons:,} persons already present")
    t0 = time.monotonic()
    indexes_restore(conn)
    log(f"indexes and constraints in place ({time.monotonic() - t0:.0f}s)")


# Declarations ------------------------------------------------------------------
def build_declarations(
    conn, provinces: list[str], offices: list, count: int, chunk: int, now
) -> None:
    from declarations.models import REFERENCE_ALPHABET, Declaration

    table = Declaration._meta.db_table
    key_column = Declaration._meta.get_field("submission_key").column
    statuses = [
        ("submitted", 50),
        ("received", 10),
        ("approved", 30),
        ("rejected", 10),
    ]
    status_cycle = [s for s, weight in statuses for _i in range(weight)]
    started = time.monotonic()
    written = 0

    def reference(i: int) -> str:
        digits = []
        for _i in range(8):
            i, r = divmod(i, len(REFERENCE_ALPHABET))
            digits.append(REFERENCE_ALPHABET[r])
        return "DKBN" + "".join(reversed(digits))

    def lines(indexes):
        for i in indexes:
            rng = random.Random(-i)
            status = status_cycle[i % len(status_cycle)]
            female = rng.random() < 0.5
            name = " ".join(
                [
                    rng.choice(SURNAMES),
                    rng.choice(MIDDLE_F if female else MIDDLE_M),
                    rng.choice(GIVEN_F if female else GIVEN_M),
                ]
            )
            created = now - dt.timedelta(minutes=i * 37 % (60 * 24 * 60))
            declaration = Declaration(
                reference_code=reference(i),
                kind=Declaration.Kind.OWN_ACCOUNT,
                status=status,
                reject_reason="Ảnh mặt trước không rõ." if status == "rejected" else "",
                full_name=name,
                insurance_number=person_number(i, provinces),
                date_of_birth=dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(365 * 45)),
                id_number=f"0{i:011d}",
                contact_address=f"{i % 300 + 1} {STREETS[i % len(STREETS)]}",
                contact_person=name,
                email="" if i % 3 else f"cong.dan{i}@example.vn",
                phone=f"+8491{i % 10_000_000:07d}",
                office_id=offices[i % len(offices)],
                submission_mode="at_office" if i % 4 else "by_post",
                portrait="bench/portrait.jpg",
                id_front="bench/id-front.jpg",
                id_back="bench/id-back.jpg",
                submission_key=f"bench-{i}",
                created_at=created,
                updated_at=created,
                submitted_at=created,
                acknowledge_due_at=created + dt.timedelta(days=1),
                registry_match=i % 4 == 0,
            )
            yield instance_line(declaration, now)

    columns = ", ".join(f'"{f.column}"' for f in copy_fields(Declaration))
    for first in range(1, count + 1, chunk):
        last = min(first + chunk - 1, count)
        with conn.cursor() as cur:
            keys = {f"bench-{i}": i for i in range(first, last + 1)}
            cur.execute(
                f"SELECT {key_column} FROM {table} WHERE {key_column} = ANY(%s)", [list(keys)]
            )
            have = {row[0] for row in cur.fetchall()}
            todo = [i for key, i in keys.items() if key not in have]
            if not todo:
                continue
            stream = LineStream(lines(todo))
            cur.copy_expert(f"COPY {table} ({columns}) FROM STDIN", stream, size=1 << 20)
        conn.commit()
        written += stream.count
        log(
            f"declarations {first:,}-{last:,}: {written / (time.monotonic() - started):,.0f} rows/s"
        )
    log(f"declarations: {count:,} over {len(offices)} offices ({written:,} written now)")


# Facilities --------------------------------------------------------------------
def build_facilities(conn, target: int, districts: dict, now) -> None:
    from lookup.models import MedicalFacility

    table = MedicalFacility._meta.db_table
    with conn.cursor() as cur:
        cur.execute(f"SELECT code FROM {table}")
        used = {row[0] for row in cur.fetchall()}
    missing = target - len(used)
    if missing <= 0:
        log(f"facilities: {len(used):,} present")
        return
    rng = random.Random(len(used))
    provinces = sorted(districts)
    alphabet = "0123456789ABCDEFGHKLMNPQRSTUVXYZ"

    def lines():
        for i in range(missing):
            province = provinces[i % len(provinces)]
            while True:
                code = province + "".join(rng.choice(alphabet) for _c in range(3))
                if code not in used:
                    used.add(code)
                    break
            district_code, district = rng.choice(districts[province])
            level, pattern = rng.choice(FACILITY_KINDS)
            name = pattern.format(
                n=rng.randrange(1, 20),
                district=district,
                brand=f"{rng.choice(BRANDS)} {rng.randrange(1, 50)}",
            )
            facility = MedicalFacility(
                code=code,
                name=name,
                level=level,
                address=f"Số {rng.randrange(1, 300)}, {district}",
                province_id=province,
                district_id=district_code,
                has_bhyt_contract=rng.random() < 0.9,
                may_issue_sick_leave=rng.random() < 0.6,
                latitude=decimal.Decimal(f"{10 + rng.random() * 12:.6f}"),
                longitude=decimal.Decimal(f"{103 + rng.random() * 6:.6f}"),
                is_generated=True,
            )
            yield instance_line(facility, now)

    t0 = time.monotonic()
    columns = ", ".join(f'"{f.column}"' for f in copy_fields(MedicalFacility))
    with conn.cursor() as cur:
        stream = LineStream(lines())
        cur.copy_expert(f"COPY {table} ({columns}) FROM STDIN", stream, size=1 << 20)
    conn.commit()
    seconds = time.monotonic() - t0
    log(f"facilities: {stream.count:,} added in {seconds:.1f}s ({stream.count / seconds:,.0f}/s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=20_000, help="persons per transaction")
    parser.add_argument("--declarations", type=int, default=100_000)
    parser.add_argument("--offices", type=int, default=50, help="offices receiving declarations")
    parser.add_argument("--facilities", type=int, default=15_000)
    parser.add_argument("--setup", action="store_true", help="migrate and load reference data")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("DATABASE_URL must point at PostgreSQL (postgres://…)")
    if parts.path.lstrip("/").startswith("test"):
        raise SystemExit("refusing to fill a test database")
    if args.persons >= 10_000_000:
        raise SystemExit("at most 9,999,999 persons (the mã số has 7 digits for the index)")
    if args.declarations > args.persons:
        raise SystemExit("one declaration per person at most: raise --persons")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vssid_portal.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if args.setup:
        for command in (["migrate", "--noinput", "-v0"], ["load_reference_data"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, check=True)

    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from lookup.models import District, Office, Province

    now = timezone.now()
    provinces = sorted(Province.objects.values_list("code", flat=True))
    if not provinces:
        raise SystemExit("no provinces: run load_reference_data (or pass --setup)")
    offices: dict[str, list[int]] = {}
    for pk, province in Office.objects.filter(level="district").values_list("pk", "province_id"):
        offices.setdefault(province, []).append(pk)
    districts: dict[str, list[tuple[str, str]]] = {}
    for code, name, province in District.objects.values_list("code", "name", "province_id"):
        districts.setdefault(province, []).append((code, name))
    # The busiest offices: the district offices of Hà Nội and TP. Hồ Chí Minh first.
    busy = [pk for province in ("79", "01", *provinces) for pk in sorted(offices.get(province, []))]
    receiving = list(dict.fromkeys(busy))[: args.offices]

    connection.ensure_connection()
    conn = connection.connection
    t0 = time.monotonic()
    build_persons(conn, Registry(now, provinces, offices), args.persons, args.chunk)
    build_declarations(conn, provinces, receiving, args.declarations, 5_000, now)
    build_facilities(conn, args.facilities, districts, now)
    log("ANALYZE")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("ANALYZE")
    # Rows written by COPY send no signals: start a new generation of the
    # cached records pages (insurance/records_cache.py).
    from insurance.records_cache import registry_changed

    registry_changed()
    log(f"done in {time.monotonic() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
