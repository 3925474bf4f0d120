"""Load a core-system feed into the registry (``manage.py import_registry``).

The feed is CSV (header row, a ``type`` column) or JSON lines (one object a
line with a ``type`` key); ``docs/registry-import.md`` describes the fields.
Each record type has a natural key, so importing a file twice changes
nothing and a corrected line updates its row:

=========  =====================================================
person     insurance_number
card       card_number
period     insurance_number, insurance_type, from_month, employer_code
benefit    insurance_number, kind, period_from
visit      claim_code
=========  =====================================================

Lines are validated in Python; a malformed line is reported with its line
number and reason and skipped. Valid lines are buffered and written in
batches, persons before the rows that refer to them. On PostgreSQL a batch
is COPYed into a temporary table and merged with one ``INSERT ... ON
CONFLICT DO UPDATE ... WHERE old IS DISTINCT FROM new``; elsewhere one
SELECT compares and ``bulk_create(update_conflicts=True)`` writes. Either
way unchanged rows are not rewritten and the summary says how many rows
were created, updated and unchanged.

Reading and writing overlap: a reader thread parses the file and prepares
each batch (on PostgreSQL, the COPY text) while the writers send the
previous ones; psycopg2 releases the GIL while PostgreSQL works, so parsing
and the database share the machine's cores instead of taking turns. On
PostgreSQL, outside a caller's transaction, two writers with their own
connections share the persons (see ``Importer.__init__``).
"""

import csv
import datetime as dt
import io
import json
import operator
import queue
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import NamedTuple

from django.db import DatabaseError, IntegrityError, connection, transaction

from lookup.models import Office, Province
from vssid_portal.text import fold

from .models import (
    CARD_NUMBER_RE,
    KCB_CODE_RE,
    BenefitPayment,
    HealthInsuranceCard,
    MedicalVisit,
    ParticipationPeriod,
    Person,
)
from .records_cache import registry_changed_on_commit

INSURANCE_NUMBER_RE = re.compile(r"\d{10}")
GROUP_RE = re.compile(r"[A-Z]{2}")
OFFICE_CODE_RE = re.compile(r"\d{3}|\d{5}")
MAX_VND = 10**15
RECORD_TYPES = ("person", "card", "period", "benefit", "visit")
GENDERS = tuple(Person.Gender.values)
INSURANCE_TYPES = tuple(ParticipationPeriod.InsuranceType.values)
PERIOD_STATUSES = tuple(ParticipationPeriod.Status.values)
BENEFIT_KINDS = tuple(BenefitPayment.Kind.values)
VISIT_KINDS = tuple(MedicalVisit.Kind.values)
PAID = str(ParticipationPeriod.Status.PAID.value)


class RowError(ValueError):
    """A line that cannot be imported; the message is the reason shown."""


@dataclass
class LineError:
    line: int
    reason: str


@dataclass
class TypeCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportSummary:
    lines: int = 0
    counts: dict[str, TypeCounts] = field(
        default_factory=lambda: {t: TypeCounts() for t in RECORD_TYPES}
    )
    errors: list[LineError] = field(default_factory=list)
    error_count: int = 0
    seconds: float = 0.0

    @property
    def imported(self) -> int:
        return sum(c.created + c.updated + c.unchanged for c in self.counts.values())


# FIELD PARSERS ---------------------------------------------------------------
def _text(row: dict, name: str, *, required: bool = True, max_length: int = 200) -> str:
    value = row.get(name)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise RowError(f"{name} is required")
    if len(value) > max_length:
        raise RowError(f"{name} is longer than {max_length} characters")
    return value


def _date(row: dict, name: str, *, required: bool = True) -> dt.date | None:
    value = _text(row, name, required=required, max_length=10)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RowError(f"{name} must be a date YYYY-MM-DD, got {value!r}") from None


MONTH_RE = re.compile(r"(\d{4})-(\d{2})(?:-01)?")


def _month(row: dict, name: str) -> dt.date:
    value = _text(row, name, max_length=10)
    match = MONTH_RE.fullmatch(value)
    try:
        if match is None:
            raise ValueError
        return dt.date(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise RowError(f"{name} must be a month YYYY-MM, got {value!r}") from None


def _amount(row: dict, name: str, *, required: bool = True) -> int | None:
    value = _text(row, name, required=required, max_length=20)
    if not value:
        return None
    if not value.isdigit():
        raise RowError(f"{name} must be a whole number of đồng ≥ 0, got {value!r}")
    number = int(value)
    if number > MAX_VND:
        raise RowError(f"{name} is implausibly large")
    return number


def _choice(row: dict, name: str, choices, *, default: str | None = None) -> str:
    value = _text(row, name, required=default is None, max_length=20) or default
    if value not in choices:
        raise RowError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _insurance_number(row: dict, name: str = "insurance_number") -> str:
    value = _text(row, name, max_length=10)
    if not INSURANCE_NUMBER_RE.fullmatch(value):
        raise RowError(f"{name} must be 10 digits, got {value!r}")
    return value


def _kcb(row: dict, name: str) -> str:
    value = _text(row, name, max_length=5).upper()
    if not KCB_CODE_RE.fullmatch(value):
        raise RowError(f"{name} must be a 5-character facility code like 79011, got {value!r}")
    return value


# RECORD PARSERS: row -> (natural key, field values) --------------------------
def _person(row: dict, ctx: "Importer") -> tuple:
    number = _insurance_number(row)
    full_name = _text(row, "full_name", max_length=150)
    gender = _choice(row, "gender", GENDERS)
    province = _text(row, "province", required=False, max_length=2)
    if province and province not in ctx.provinces:
        raise RowError(f"unknown province code {province!r}")
    office = _text(row, "office", required=False, max_length=5)
    if office and not OFFICE_CODE_RE.fullmatch(office):
        raise RowError(f"office must be a BHXH office code like 07914, got {office!r}")
    if office and office not in ctx.offices:
        raise RowError(f"unknown BHXH office {office!r}")
    id_number = _text(row, "id_number", required=False, max_length=12)
    if id_number and not re.fullmatch(r"\d{9}|\d{12}|[A-Z]\d{7}", id_number):
        raise RowError("id_number must be a 12-digit CCCD, 9-digit CMND or a passport number")
    values = {
        "full_name": full_name,
        "name_search": fold(full_name),
        "date_of_birth": _date(row, "date_of_birth"),
        "gender": gender,
        "id_number": id_number,
        "address": _text(row, "address", required=False, max_length=255),
        "province_id": province or None,
        "office_id": ctx.offices[office] if office else None,
        "parent_name": _text(row, "parent_name", required=False, max_length=150),
    }
    return number, values, None


def _card(row: dict, ctx: "Importer") -> tuple:
    number = _text(row, "card_number", max_length=15).upper()
    if not CARD_NUMBER_RE.fullmatch(number):
        raise RowError(f"card_number must be 10 digits or like DN4790123456789, got {number!r}")
    owner = _insurance_number(row)
    if number[-10:] != owner:
        raise RowError(f"card_number {number} does not end with insurance_number {owner}")
    group = _text(row, "group", required=len(number) == 10, max_length=2).upper() or number[:2]
    if not GROUP_RE.fullmatch(group):
        raise RowError(f"group must be a 2-letter beneficiary code like DN, got {group!r}")
    level_raw = _text(row, "benefit_level", required=len(number) == 10, max_length=1)
    level_raw = level_raw or number[2]
    if level_raw not in "12345":
        raise RowError(f"benefit_level must be 1 to 5, got {level_raw!r}")
    if len(number) == 15 and (number[:2] != group or number[2] != level_raw):
        raise RowError("group and benefit_level differ from the old card number")
    valid_from = _date(row, "valid_from")
    valid_to = _date(row, "valid_to", required=False)
    if valid_to and valid_to < valid_from:
        raise RowError("valid_to is before valid_from")
    values = {
        "group": group,
        "benefit_level": int(level_raw),
        "valid_from": valid_from,
        "valid_to": valid_to,
        "kcb_code": _kcb(row, "kcb_code"),
        "kcb_name": _text(row, "kcb_name"),
        "five_year_date": _date(row, "five_year_date", required=False),
        "issued_on": _date(row, "issued_on", required=False),
        "issue_place": _text(row, "issue_place", required=False),
    }
    return number, values, owner


def _period(row: dict, ctx: "Importer") -> tuple:
    owner = _insurance_number(row)
    insurance_type = _choice(row, "insurance_type", INSURANCE_TYPES)
    from_month = _month(row, "from_month")
    to_month = _month(row, "to_month")
    if to_month < from_month:
        raise RowError("to_month is before from_month")
    employer_code = _text(row, "employer_code", max_length=20)
    rate_raw = _text(row, "rate", max_length=8)
    try:
        rate = Decimal(rate_raw)
    except InvalidOperation:
        raise RowError(f"rate must be a percentage like 25.5, got {rate_raw!r}") from None
    if not (0 <= rate <= 100) or rate.as_tuple().exponent < -2:
        raise RowError(f"rate must be between 0 and 100 with 2 decimals at most, got {rate_raw!r}")
    values = {
        "to_month": to_month,
        "employer_name": _text(row, "employer_name"),
        "position": _text(row, "position", required=False, max_length=150),
        "salary": _amount(row, "salary"),
        "rate": rate,
        "status": _choice(row, "status", PERIOD_STATUSES, default=PAID),
    }
    return (owner, insurance_type, from_month, employer_code), values, owner


def _benefit(row: dict, ctx: "Importer") -> tuple:
    owner = _insurance_number(row)
    kind = _choice(row, "kind", BENEFIT_KINDS)
    period_from = _date(row, "period_from")
    period_to = _date(row, "period_to")
    if period_to < period_from:
        raise RowError("period_to is before period_from")
    days = _amount(row, "days", required=False)
    office_code = _text(row, "office_code", max_length=5)
    if not OFFICE_CODE_RE.fullmatch(office_code):
        raise RowError(f"office_code must be a BHXH office code like 07914, got {office_code!r}")
    values = {
        "period_to": period_to,
        "days": days,
        "amount": _amount(row, "amount"),
        "office_code": office_code,
        "office_name": _text(row, "office_name"),
    }
    return (owner, kind, period_from), values, owner


def _visit(row: dict, ctx: "Importer") -> tuple:
    claim_code = _text(row, "claim_code", max_length=50)
    owner = _insurance_number(row)
    admitted_on = _date(row, "admitted_on")
    discharged_on = _date(row, "discharged_on")
    if discharged_on < admitted_on:
        raise RowError("discharged_on is before admitted_on")
    total = _amount(row, "total_cost")
    insurance = _amount(row, "insurance_paid")
    patient = _amount(row, "patient_paid")
    if insurance + patient > total:
        raise RowError("insurance_paid + patient_paid exceed total_cost")
    values = {
        "facility_code": _kcb(row, "facility_code"),
        "facility_name": _text(row, "facility_name"),
        "admitted_on": admitted_on,
        "discharged_on": discharged_on,
        "kind": _choice(row, "kind", VISIT_KINDS),
        "total_cost": total,
        "insurance_paid": insurance,
        "patient_paid": patient,
    }
    return claim_code, values, owner


@dataclass(frozen=True)
class Spec:
    model: type
    parse: Callable
    key_fields: tuple[str, ...]  # model fields of the natural key (person → person_id)
    unique_fields: tuple[str, ...]  # as bulk_create(unique_fields=) wants them


SPECS = {
    "person": Spec(Person, _person, ("insurance_number",), ("insurance_number",)),
    "card": Spec(HealthInsuranceCard, _card, ("card_number",), ("card_number",)),
    "period": Spec(
        ParticipationPeriod,
        _period,
        ("person_id", "insurance_type", "from_month", "employer_code"),
        ("person", "insurance_type", "from_month", "employer_code"),
    ),
    "benefit": Spec(
        BenefitPayment,
        _benefit,
        ("person_id", "kind", "period_from"),
        ("person", "kind", "period_from"),
    ),
    "visit": Spec(MedicalVisit, _visit, ("claim_code",), ("claim_code",)),
}


# FAST PATHS ------------------------------------------------------------------
# Almost every line of a real feed is well-formed. For those, one compiled
# pattern over the line's fields (joined with a unit separator) checks every
# format at once and captures the values, and a small builder does the
# checks a pattern cannot (dates that exist, to >= from, known codes). A line
# the pattern or the builder does not accept is handed to the record parser
# above, which gives the exact reason; so the fast path only ever accepts a
# subset of what the parser accepts, and builds the same values.
SEP = "\x1f"
_D10 = r"(\d{10})"
_DATE = r"(\d{4}-\d{2}-\d{2})"
_OPT_DATE = r"((?:\d{4}-\d{2}-\d{2})?)"
_MONTH = r"(\d{4}-(?:0[1-9]|1[0-2]))(?:-01)?"
_AMOUNT = r"(\d{1,15})"
_KCB = r"(\d{2}[0-9A-Z]{3})"
_OFFICE = r"(\d{3}|\d{5})"


def _req(n: int) -> str:
    """Required text of at most n characters, no surrounding spaces."""
    return rf"(\S(?:[^{SEP}]{{0,{n - 2}}}\S)?)"


def _opt(n: int) -> str:
    return rf"((?:\S(?:[^{SEP}]{{0,{n - 2}}}\S)?)?)"


def _choices(values) -> str:
    return "(" + "|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)) + ")"


def _date_or_none(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _person_fast(g: tuple, ctx: "Importer") -> tuple | None:
    number, full_name, born, gender, id_number, address, province, office, parent = g
    if (province and province not in ctx.provinces) or (office and office not in ctx.offices):
        return None
    values = {
        "full_name": full_name,
        "name_search": fold(full_name),
        "date_of_birth": dt.date.fromisoformat(born),
        "gender": gender,
        "id_number": id_number,
        "address": address,
        "province_id": province or None,
        "office_id": ctx.offices[office] if office else None,
        "parent_name": parent,
    }
    return number, values, None


def _card_fast(g: tuple, ctx: "Importer") -> tuple | None:
    number, owner, group, level, valid_from, valid_to, kcb, kcb_name, five, issued, place = g
    if number != owner:
        return None
    valid_from = dt.date.fromisoformat(valid_from)
    valid_to = _date_or_none(valid_to)
    if valid_to and valid_to < valid_from:
        return None
    values = {
        "group": group,
        "benefit_level": int(level),
        "valid_from": valid_from,
        "valid_to": valid_to,
        "kcb_code": kcb,
        "kcb_name": kcb_name,
        "five_year_date": _date_or_none(five),
        "issued_on": _date_or_none(issued),
        "issue_place": place,
    }
    return number, values, owner


def _period_fast(g: tuple, ctx: "Importer") -> tuple | None:
    owner, insurance_type, first, last, code, name, position, salary, rate, status = g
    if last < first:  # YYYY-MM compares as text
        return None
    from_month = dt.date.fromisoformat(first + "-01")
    values = {
        "to_month": dt.date.fromisoformat(last + "-01"),
        "employer_name": name,
        "position": position,
        "salary": int(salary),
        "rate": Decimal(rate),
        "status": status or PAID,
    }
    return (owner, insurance_type, from_month, code), values, owner


def _benefit_fast(g: tuple, ctx: "Importer") -> tuple | None:
    owner, kind, period_from, period_to, days, amount, office_code, office_name = g
    period_from = dt.date.fromisoformat(period_from)
    period_to = dt.date.fromisoformat(period_to)
    if period_to < period_from:
        return None
    values = {
        "period_to": period_to,
        "days": int(days) if days else None,
        "amount": int(amount),
        "office_code": office_code,
        "office_name": office_name,
    }
    return (owner, kind, period_from), values, owner


def _visit_fast(g: tuple, ctx: "Importer") -> tuple | None:
    claim, owner, code, name, admitted, discharged, kind, total, insurance, patient = g
    admitted_on = dt.date.fromisoformat(admitted)
    discharged_on = dt.date.fromisoformat(discharged)
    total, insurance, patient = int(total), int(insurance), int(patient)
    if discharged_on < admitted_on or insurance + patient > total:
        return None
    values = {
        "facility_code": code,
        "facility_name": name,
        "admitted_on": admitted_on,
        "discharged_on": discharged_on,
        "kind": kind,
        "total_cost": total,
        "insurance_paid": insurance,
        "patient_paid": patient,
    }
    return claim, values, owner


@dataclass(frozen=True)
class FastPath:
    columns: tuple[str, ...]  # feed fields, in the pattern's order
    pattern: re.Pattern
    build: Callable[[tuple, "Importer"], tuple | None]


def _fast(columns: dict[str, str], build) -> FastPath:
    return FastPath(tuple(columns), re.compile(SEP.join(columns.values())), build)


FAST_PATHS = {
    "person": _fast(
        {
            "insurance_number": _D10,
            "full_name": _req(150),
            "date_of_birth": _DATE,
            "gender": _choices(GENDERS),
            "id_number": r"((?:\d{9}|\d{12}|[A-Z]\d{7})?)",
            "address": _opt(255),
            "province": r"((?:\d{2})?)",
            "office": r"((?:\d{3}|\d{5})?)",
            "parent_name": _opt(150),
        },
        _person_fast,
    ),
    "card": _fast(
        {
            "card_number": _D10,
            "insurance_number": _D10,
            "group": r"([A-Z]{2})",
            "benefit_level": r"([1-5])",
            "valid_from": _DATE,
            "valid_to": _OPT_DATE,
            "kcb_code": _KCB,
            "kcb_name": _req(200),
            "five_year_date": _OPT_DATE,
            "issued_on": _OPT_DATE,
            "issue_place": _opt(200),
        },
        _card_fast,
    ),
    "period": _fast(
        {
            "insurance_number": _D10,
            "insurance_type": _choices(INSURANCE_TYPES),
            "from_month": _MONTH,
            "to_month": _MONTH,
            "employer_code": _req(20),
            "employer_name": _req(200),
            "position": _opt(150),
            "salary": _AMOUNT,
            "rate": r"(100(?:\.0{1,2})?|\d{1,2}(?:\.\d{1,2})?)",
            "status": "(" + "|".join(PERIOD_STATUSES) + "|)",
        },
        _period_fast,
    ),
    "benefit": _fast(
        {
            "insurance_number": _D10,
            "kind": _choices(BENEFIT_KINDS),
            "period_from": _DATE,
            "period_to": _DATE,
            "days": r"((?:\d{1,15})?)",
            "amount": _AMOUNT,
            "office_code": _OFFICE,
            "office_name": _req(200),
        },
        _benefit_fast,
    ),
    "visit": _fast(
        {
            "claim_code": _req(50),
            "insurance_number": _D10,
            "facility_code": _KCB,
            "facility_name": _req(200),
            "admitted_on": _DATE,
            "discharged_on": _DATE,
            "kind": _choices(VISIT_KINDS),
            "total_cost": _AMOUNT,
            "insurance_paid": _AMOUNT,
            "patient_paid": _AMOUNT,
        },
        _visit_fast,
    ),
}


# READING ---------------------------------------------------------------------
def detect_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in {".jsonl", ".ndjson", ".json"}:
        return "jsonl"
    raise ValueError(f"cannot tell the format of {path.name}: use .csv or .jsonl, or --format")


def _pick_or_empty(positions: list[int | None], row: list[str]) -> tuple[str, ...]:
    return tuple("" if i is None else row[i] for i in positions)


def _json_fields(source: tuple[dict, tuple[str, ...]]) -> list[str]:
    # As _text() reads a JSON value: null or absent is empty, numbers are
    # their digits.
    row, columns = source
    return [
        v if v.__class__ is str else ("" if v is None else str(v)) for v in map(row.get, columns)
    ]


# WRITING ---------------------------------------------------------------------
@dataclass(slots=True)
class Pending:
    line: int
    key: object
    values: dict
    owner: str | None


class Importer:
    def __init__(
        self,
        *,
        batch_size: int = 20_000,
        progress: Callable[[ImportSummary], None] | None = None,
        progress_every: int = 100_000,
        max_errors_kept: int = 1000,
        writers: int | None = None,
    ):
        self.batch_size = batch_size
        self.progress = progress
        self.progress_every = progress_every
        self.max_errors_kept = max_errors_kept
        self.summary = ImportSummary()
        self.provinces = set(Province.objects.values_list("code", flat=True))
        self.offices = dict(Office.objects.values_list("code", "id"))
        self.buffers: dict[str, dict[object, Pending]] = {t: {} for t in RECORD_TYPES}
        self.buffered = 0
        self.postgres = connection.vendor == "postgresql"
        # On PostgreSQL, outside a caller's transaction, the persons are
        # split over several writers, each with its own connection: a
        # person and all their records always go to the same writer (by the
        # mã số's last digit), so the order within a person is kept and a
        # record never waits for another writer's person. Inside a
        # transaction (tests, a caller's atomic block) one writer uses the
        # caller's connection.
        if not self.postgres or connection.in_atomic_block:
            writers = 1
        self.writers = max(1, writers or DEFAULT_WRITERS)
        # All threads report errors and counts under one lock; the reader
        # hands batches over short queues (two batches in flight per writer
        # bound the memory).
        self.lock = threading.Lock()
        self.queues: list[queue.Queue] = [queue.Queue(maxsize=2) for _ in range(self.writers)]
        self.stopping = threading.Event()
        self.failures: list[BaseException] = []
        # Persons written earlier in this file: their records need no check
        # that the person exists (the batch writing them would have failed).
        self.persons_in_file: set[str] = set()

    def error(self, line: int, reason: str) -> None:
        with self.lock:
            self.summary.error_count += 1
            if len(self.summary.errors) < self.max_errors_kept:
                self.summary.errors.append(LineError(line, reason))

    def run(self, path: Path, fmt: str | None = None) -> ImportSummary:
        self.started = time.monotonic()
        fmt = fmt or detect_format(path)
        reader = threading.Thread(
            target=self._read, args=(path, fmt), name="import-reader", daemon=True
        )
        writers = [
            threading.Thread(target=self._writer, args=(part,), name=f"import-writer-{part}")
            for part in range(1, self.writers)
        ]
        reader.start()
        for writer in writers:
            writer.start()
        try:
            self._drain(0)  # the calling thread writes the first share
            for writer in writers:
                writer.join()
            if self.failures:
                raise self.failures[0]
        finally:
            # On an error, stop and unblock the other threads before leaving.
            self.stopping.set()
            while reader.is_alive() or any(w.is_alive() for w in writers):
                for q in self.queues:
                    try:
                        q.get_nowait()
                    except queue.Empty:
                        pass
                time.sleep(0.01)
        self.summary.seconds = time.monotonic() - self.started
        return self.summary

    def _drain(self, part: int) -> None:
        """Write the batches of one share until the reader says it is done."""
        batches = self.queues[part]
        while True:
            try:
                batch = batches.get(timeout=0.1)
            except queue.Empty:
                if self.stopping.is_set():
                    return
                continue
            if batch is _END:
                return
            if isinstance(batch, BaseException):
                raise batch
            for record_type, prepared in batch:
                self._write(record_type, prepared)

    def _writer(self, part: int) -> None:
        """An extra writer thread, with its own database connection."""
        try:
            self._drain(part)
        except BaseException as exc:  # re-raised in the calling thread
            with self.lock:
                self.failures.append(exc)
            self.stopping.set()
        finally:
            connection.close()

    def _read(self, path: Path, fmt: str) -> None:
        """The reader thread: parse, validate and hand over batches."""
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                if fmt == "csv":
                    self._read_csv(handle)
                else:
                    self._read_jsonl(handle)
            self.flush()
            for part in range(self.writers):
                self._hand_over(part, _END)
        except _Stopped:
            return
        except BaseException as exc:  # re-raised in the calling thread
            with self.lock:
                self.failures.append(exc)
            self.stopping.set()

    def _hand_over(self, part: int, item) -> None:
        while not self.stopping.is_set():
            try:
                self.queues[part].put(item, timeout=0.1)
                return
            except queue.Full:
                pass
        raise _Stopped

    def _count_line(self) -> None:
        summary = self.summary
        summary.lines += 1
        if self.progress and summary.lines % self.progress_every == 0:
            summary.seconds = time.monotonic() - self.started
            self.progress(summary)

    def _read_csv(self, handle) -> None:
        reader = csv.reader(handle)
        header = next(reader, None)
        if not header or "type" not in header:
            self._count_line()
            self.error(1, "the header row must name the columns, including 'type'")
            return
        width = len(header)
        index = {name: i for i, name in enumerate(header)}  # the last of a repeated name
        type_index = index["type"]
        getters = {}
        for record_type, fast in FAST_PATHS.items():
            positions = [index.get(c) for c in fast.columns]
            if None in positions:  # an absent column reads as empty
                getter = partial(_pick_or_empty, positions)
            else:
                getter = operator.itemgetter(*positions)
            getters[record_type] = (fast, getter)
        for row in reader:
            if not any(row):
                continue
            self._count_line()
            line = reader.line_num
            if len(row) == width:
                entry = getters.get(row[type_index])
                if entry is not None and self._take_fast(line, row[type_index], *entry, row):
                    continue
            elif len(row) > width:
                self.error(line, "more values than header columns")
                continue
            values = dict(zip(header, row, strict=False))
            for name in header[len(row) :]:
                values[name] = None
            self._take(line, values)

    def _read_jsonl(self, handle) -> None:
        for line, text in enumerate(handle, start=1):
            if text.isspace():
                continue
            self._count_line()
            try:
                row = json.loads(text)
            except json.JSONDecodeError as exc:
                self.error(line, f"not valid JSON ({exc.msg})")
                continue
            if not isinstance(row, dict):
                self.error(line, "each line must be a JSON object")
                continue
            record_type = row.get("type")
            if record_type.__class__ is str and record_type in FAST_PATHS:
                fast = FAST_PATHS[record_type]
                if self._take_fast(line, record_type, fast, _json_fields, (row, fast.columns)):
                    continue
            self._take(line, row)

    def _take_fast(self, line: int, record_type: str, fast: FastPath, getter, row) -> bool:
        """Buffer a well-formed line; False sends it to the record parser."""
        match = fast.pattern.fullmatch(SEP.join(getter(row)))
        if match is None:
            return False
        try:
            parsed = fast.build(match.groups(), self)
        except ValueError:  # a date that does not exist
            return False
        if parsed is None:
            return False
        self._buffer(record_type, line, *parsed)
        return True

    def _take(self, line: int, row: dict) -> None:
        record_type = str(row.get("type") or "").strip().lower()
        spec = SPECS.get(record_type)
        if spec is None:
            self.error(line, f"type must be one of {', '.join(RECORD_TYPES)}")
            return
        try:
            key, values, owner = spec.parse(row, self)
        except RowError as exc:
            self.error(line, str(exc))
            return
        self._buffer(record_type, line, key, values, owner)

    def _buffer(self, record_type: str, line: int, key, values: dict, owner) -> None:
        # A later line with the same key corrects an earlier one.
        buffer = self.buffers[record_type]
        if key not in buffer:
            self.buffered += 1
        buffer[key] = Pending(line, key, values, owner)
        if self.buffered >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        """Hand the buffered lines to the writers, persons first."""
        shares: list[list] = [[] for _ in range(self.writers)]
        for record_type in RECORD_TYPES:
            pending = list(self.buffers[record_type].values())
            self.buffers[record_type] = {}
            if not pending:
                continue
            if self.writers == 1:
                parts = [pending]
            else:
                parts = [[] for _ in range(self.writers)]
                for p in pending:
                    parts[ord((p.owner or p.key)[-1]) % self.writers].append(p)
            for part, share in enumerate(parts):
                if share:
                    shares[part].append((record_type, self._prepare(record_type, share)))
        self.buffered = 0
        for part, batch in enumerate(shares):
            if batch:
                self._hand_over(part, batch)

    def _prepare(self, record_type: str, pending: list[Pending]):
        if not self.postgres:
            return pending
        if record_type == "person":
            self.persons_in_file.update(p.key for p in pending)
            check = False
        else:
            check = not self.persons_in_file.issuperset(p.owner for p in pending)
        return _copy_rows(record_type, pending, check_owners=check)

    def _person_ids(self, pending: list[Pending]) -> dict[str, int]:
        numbers = {p.owner for p in pending}
        return dict(
            Person.objects.filter(insurance_number__in=numbers).values_list(
                "insurance_number", "id"
            )
        )

    def _write(self, record_type: str, prepared) -> None:
        if self.postgres:
            self._write_postgres(record_type, prepared)
        else:
            self._write_orm(record_type, prepared)

    def _write_orm(self, record_type: str, pending: list[Pending]) -> None:
        """Portable path (SQLite): compare in Python, upsert with bulk_create."""
        spec = SPECS[record_type]
        rows: list[tuple[Pending, dict]] = []
        if record_type == "person":
            for p in pending:
                rows.append((p, {"insurance_number": p.key, **p.values}))
        else:
            ids = self._person_ids(pending)
            for p in pending:
                person_id = ids.get(p.owner)
                if person_id is None:
                    self.error(
                        p.line, f"no person {p.owner} in the registry or earlier in the file"
                    )
                    continue
                fields = dict(p.values, person_id=person_id)
                if isinstance(p.key, tuple):
                    fields.update(zip(spec.key_fields, (person_id, *p.key[1:]), strict=True))
                else:
                    fields[spec.key_fields[0]] = p.key
                rows.append((p, fields))
        if not rows:
            return
        compare = [f for f in rows[0][1] if f not in spec.key_fields]
        existing = self._existing(record_type, spec, rows, compare)
        counts = self.summary.counts[record_type]
        to_write = []
        for p, fields in rows:
            key = tuple(fields[f] for f in spec.key_fields)
            stored = existing.get(key)
            if stored is None:
                counts.created += 1
            elif stored == tuple(fields[f] for f in compare):
                counts.unchanged += 1
                continue
            else:
                counts.updated += 1
            to_write.append((p, fields))
        if to_write:
            self._upsert(spec, to_write, compare, counts, existing)

    def _existing(self, record_type, spec, rows, compare) -> dict[tuple, tuple]:
        model = spec.model
        first = spec.key_fields[0]
        if first == "person_id":
            lookup = {"person_id__in": {f["person_id"] for _p, f in rows}}
        else:
            lookup = {f"{first}__in": [f[first] for _p, f in rows]}
        stored = model.objects.filter(**lookup).values_list(*spec.key_fields, *compare)
        width = len(spec.key_fields)
        return {tuple(r[:width]): tuple(r[width:]) for r in stored}

    def _upsert(self, spec, to_write, compare, counts, existing) -> None:
        model = spec.model
        update_fields = [f.removesuffix("_id") for f in compare]
        objects = [model(**fields) for _p, fields in to_write]
        try:
            with transaction.atomic():
                model.objects.bulk_create(
                    objects,
                    update_conflicts=True,
                    unique_fields=list(spec.unique_fields),
                    update_fields=update_fields,
                )
        except (IntegrityError, DatabaseError):
            # A row the validation let through broke a database rule: write
            # one by one to find and report it, keep the others.
            for (p, _fields), obj in zip(to_write, objects, strict=True):
                try:
                    with transaction.atomic():
                        model.objects.bulk_create(
                            [obj],
                            update_conflicts=True,
                            unique_fields=list(spec.unique_fields),
                            update_fields=update_fields,
                        )
                except (IntegrityError, DatabaseError) as exc:
                    key = tuple(_fields[f] for f in spec.key_fields)
                    if key in existing:
                        counts.updated -= 1
                    else:
                        counts.created -= 1
                    self.error(p.line, f"rejected by the database: {str(exc).splitlines()[0]}")
        registry_changed_on_commit()  # the records pages show the new rows

    # PostgreSQL -----------------------------------------------------------
    def _write_postgres(self, record_type: str, prepared: "CopyRows") -> None:
        """COPY the batch into a temporary table, then one upsert statement.

        The upsert only touches rows whose values differ (``IS DISTINCT
        FROM``) and reports per row whether it inserted, so unchanged rows
        are neither rewritten nor counted as updates. Table and column names
        come from the models, never from the file.
        """
        spec = SPECS[record_type]
        meta = spec.model._meta
        table = meta.db_table
        stage = f"import_stage_{record_type}"
        child = record_type != "person"
        names, buffer, rows, check_owners = prepared
        q = connection.ops.quote_name
        columns = [q(meta.get_field(n).column) for n in names]
        insert_columns = [q("person_id"), *columns] if child else columns
        key_columns = [q(meta.get_field(k).column) for k in spec.key_fields]
        update_columns = [c for c in insert_columns if c not in key_columns]

        staged = ", ".join(["line", "owner", *columns])
        insert = ", ".join(insert_columns)
        sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in update_columns)
        old = ", ".join(f"{table}.{c}" for c in update_columns)
        new = ", ".join(f"EXCLUDED.{c}" for c in update_columns)
        # Resolve the mã số in the same statement (rewriting the staged rows
        # with an UPDATE first would cost a second copy of the batch), and
        # send only new or changed rows to the INSERT: ON CONFLICT locks every
        # row it meets, even one it then leaves alone, which would dirty
        # every page of the table on a no-change re-import.
        q_person = q("person_id")
        new_value = {
            c: (f"p.{q('id')}" if c == q_person and child else f"s.{c}") for c in insert_columns
        }
        select = ", ".join(new_value[c] for c in insert_columns)
        source = f"{stage} s"
        if child:
            source += " JOIN insurance_person p ON p.insurance_number = s.owner"
        match = " AND ".join(f"o.{c} = {new_value[c]}" for c in key_columns)
        stored = ", ".join(f"o.{c}" for c in update_columns)
        staged_values = ", ".join(new_value[c] for c in update_columns)
        source += (
            f" LEFT JOIN {table} o ON {match} WHERE o.{q('id')} IS NULL"
            f" OR ({stored}) IS DISTINCT FROM ({staged_values})"
        )
        missing = 0
        with transaction.atomic(), connection.cursor() as cursor:
            # One round trip for the set-up. The import is idempotent, so a
            # crash losing the last batches' commits is repaired by running
            # it again: no need to wait for each commit's WAL flush. A batch
            # touches a few thousand keys of tables that may hold millions of
            # rows, whose statistics lag behind a running import: only index
            # probes keep a batch's cost independent of the table's size (a
            # hash join would read the whole table for every batch).
            create = f"CREATE TEMP TABLE IF NOT EXISTS {stage} AS SELECT 0 AS line, "  # noqa: S608
            create += f"''::varchar(10) AS owner, * FROM {table} WITH NO DATA"
            cursor.execute(
                "SET LOCAL synchronous_commit TO OFF; SET LOCAL enable_hashjoin TO OFF; "
                f"SET LOCAL enable_mergejoin TO OFF; {create}; TRUNCATE {stage}"
            )
            # In one read: psycopg2 takes the GIL back for every chunk it
            # reads, and each time waits for the reader thread to yield it.
            size = len(buffer.getvalue()) + 1
            cursor.cursor.copy_expert(f"COPY {stage} ({staged}) FROM STDIN", buffer, size=size)
            if check_owners:
                cursor.execute(
                    f"SELECT s.line, s.owner FROM {stage} s WHERE NOT EXISTS "  # noqa: S608
                    "(SELECT 1 FROM insurance_person p WHERE p.insurance_number = s.owner)"
                )
                for line, owner in cursor.fetchall():
                    missing += 1
                    self.error(line, f"no person {owner} in the registry or earlier in the file")
            cursor.execute(
                f"INSERT INTO {table} ({insert}) SELECT {select} FROM {source} "  # noqa: S608
                f"ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET {sets} "
                f"WHERE ({old}) IS DISTINCT FROM ({new}) RETURNING (xmax = 0)"
            )
            inserted = [row[0] for row in cursor.fetchall()]
        if inserted:
            registry_changed_on_commit()  # the records pages show the new rows
        created = sum(inserted)
        with self.lock:
            counts = self.summary.counts[record_type]
            counts.created += created
            counts.updated += len(inserted) - created
            counts.unchanged += rows - missing - len(inserted)


class CopyRows(NamedTuple):
    names: list[str]  # model attributes in the order each staged row lists them
    buffer: io.StringIO  # COPY text format: line, owner, then those attributes
    rows: int
    check_owners: bool  # some owners are not persons of this file: report the unknown ones


_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _copy_field(value) -> str:
    if value is None:
        return "\\N"
    return _COPY_SPECIAL.sub(lambda m: _COPY_ESCAPES[m[0]], str(value))


def _copy_rows(record_type: str, pending: list[Pending], *, check_owners: bool) -> CopyRows:
    """Prepare a batch for ``_write_postgres`` (runs in the reader thread)."""
    key_fields = SPECS[record_type].key_fields
    by_person = key_fields[0] == "person_id"
    out = []
    for p in pending:
        row = [p.line, p.owner or "", *(p.key[1:] if by_person else (p.key,)), *p.values.values()]
        text = "\t".join(map(str, row))
        # Almost every row has no empty value and no character COPY's text
        # format must escape; the others are written field by field.
        if None in row or _COPY_SPECIAL.search(text.replace("\t", "", len(row) - 1)):
            text = "\t".join(map(_copy_field, row))
        out.append(text)
    out.append("")
    names = [*(key_fields[1:] if by_person else key_fields), *pending[0].values]
    return CopyRows(names, io.StringIO("\n".join(out)), len(pending), check_owners)


class _Stopped(Exception):
    """The writer failed: the reader thread gives up quietly."""


_END = object()
DEFAULT_WRITERS = 2


def registry_import(
    *,
    path: Path,
    fmt: str | None = None,
    batch_size: int = 20_000,
    progress: Callable[[ImportSummary], None] | None = None,
    progress_every: int = 100_000,
    writers: int | None = None,
) -> ImportSummary:
    """Import a feed file; see the module docstring for the rules."""
    importer = Importer(
        batch_size=batch_size, progress=progress, progress_every=progress_every, writers=writers
    )
    return importer.run(path, fmt)
