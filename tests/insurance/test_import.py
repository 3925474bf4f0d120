import csv
import json
import threading
from io import StringIO

from django.core.management import call_command
from django.db import connection

import pytest

from insurance.importer import Importer, registry_import
from insurance.models import (
    BenefitPayment,
    HealthInsuranceCard,
    MedicalVisit,
    ParticipationPeriod,
    Person,
)
from tests.conftest import service_unavailable

pytestmark = pytest.mark.django_db

PERSON = {
    "type": "person",
    "insurance_number": "7901234567",
    "full_name": "Nguyễn Văn An",
    "date_of_birth": "1990-05-15",
    "gender": "M",
    "id_number": "079090001234",
    "address": "12 Đường số 3, Phường 9, Quận 4",
}
CARD = {
    "type": "card",
    "card_number": "7901234567",
    "insurance_number": "7901234567",
    "group": "DN",
    "benefit_level": 4,
    "valid_from": "2026-01-01",
    "valid_to": "2026-12-31",
    "kcb_code": "79011",
    "kcb_name": "Trung tâm Y tế Quận 4",
}
PERIOD = {
    "type": "period",
    "insurance_number": "7901234567",
    "insurance_type": "bhxh",
    "from_month": "2017-03",
    "to_month": "2018-12",
    "employer_code": "TD0487D",
    "employer_name": "Công ty TNHH Phần mềm Sài Gòn Xanh",
    "salary": 8000000,
    "rate": "25",
}
BENEFIT = {
    "type": "benefit",
    "insurance_number": "7901234567",
    "kind": "sickness",
    "period_from": "2019-03-04",
    "period_to": "2019-03-08",
    "days": 5,
    "amount": 1484375,
    "office_code": "07914",
    "office_name": "BHXH Quận 4",
}
VISIT = {
    "type": "visit",
    "claim_code": "LK-1",
    "insurance_number": "7901234567",
    "facility_code": "79011",
    "facility_name": "Trung tâm Y tế Quận 4",
    "admitted_on": "2024-02-06",
    "discharged_on": "2024-02-06",
    "kind": "outpatient",
    "total_cost": 350000,
    "insurance_paid": 280000,
    "patient_paid": 70000,
}
GOOD = [PERSON, CARD, PERIOD, BENEFIT, VISIT]


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return path


def snapshot():
    return [
        list(model.objects.order_by("pk").values())
        for model in (
            Person,
            HealthInsuranceCard,
            ParticipationPeriod,
            BenefitPayment,
            MedicalVisit,
        )
    ]


def test_a_feed_imports_every_record_type(tmp_path):
    summary = registry_import(path=write_jsonl(tmp_path / "feed.jsonl", GOOD))
    assert summary.error_count == 0
    assert {t: c.created for t, c in summary.counts.items()} == dict.fromkeys(
        ["person", "card", "period", "benefit", "visit"], 1
    )
    person = Person.objects.get()
    assert person.name_search == "nguyen van an"
    assert person.periods.get().months == 22
    assert person.cards.get().kcb_code == "79011"


def test_reimporting_the_same_file_changes_nothing(tmp_path):
    path = write_jsonl(tmp_path / "feed.jsonl", GOOD)
    registry_import(path=path)
    before = snapshot()
    summary = registry_import(path=path)
    assert snapshot() == before
    assert all(c.created == c.updated == 0 and c.unchanged == 1 for c in summary.counts.values())


def test_a_corrected_row_updates_in_place(tmp_path):
    registry_import(path=write_jsonl(tmp_path / "a.jsonl", GOOD))
    period_id = ParticipationPeriod.objects.get().pk
    fixed = [
        {**PERSON, "full_name": "Nguyễn Văn Ân"},
        {**PERIOD, "salary": 8500000, "status": "owed"},
    ]
    summary = registry_import(path=write_jsonl(tmp_path / "b.jsonl", fixed))
    assert summary.counts["person"].updated == 1 and summary.counts["period"].updated == 1
    period = ParticipationPeriod.objects.get()
    assert period.pk == period_id
    assert (period.salary, period.status) == (8_500_000, "owed")
    assert Person.objects.get().name_search == "nguyen van an"


def test_malformed_lines_are_reported_by_line_number_and_the_rest_imported(tmp_path):
    path = tmp_path / "feed.jsonl"
    lines = [
        json.dumps(PERSON),
        "",
        "{not json",
        json.dumps({**PERIOD, "from_month": "2019-13"}),
        json.dumps({**PERIOD, "to_month": "2016-01"}),
        json.dumps({**CARD, "card_number": "7901234568"}),
        json.dumps({**VISIT, "insurance_paid": 999999}),
        json.dumps({**BENEFIT, "insurance_number": "7900000000"}),
        json.dumps({**PERIOD, "salary": -5}),
        json.dumps({"type": "spaceship"}),
        json.dumps(PERIOD),
    ]
    path.write_text("\n".join(lines) + "\n")
    summary = registry_import(path=path, batch_size=2)
    errors = {e.line: e.reason for e in summary.errors}
    assert set(errors) == {3, 4, 5, 6, 7, 8, 9, 10}
    assert "not valid JSON" in errors[3]
    assert "from_month must be a month YYYY-MM" in errors[4]
    assert "to_month is before from_month" in errors[5]
    assert "does not end with insurance_number" in errors[6]
    assert "exceed total_cost" in errors[7]
    assert "no person 7900000000" in errors[8]
    assert "salary must be a whole number" in errors[9]
    assert "type must be one of" in errors[10]
    assert ParticipationPeriod.objects.count() == 1 and Person.objects.count() == 1


def test_csv_feed_with_a_union_header_and_line_numbers(tmp_path):
    path = tmp_path / "feed.csv"
    path.write_text(
        "type,insurance_number,full_name,date_of_birth,gender,insurance_type,from_month,to_month,employer_code,employer_name,salary,rate,status\n"
        "person,7901234567,Nguyễn Văn An,1990-05-15,M,,,,,,,,\n"
        'period,7901234567,,,,bhxh,2017-03,2018-12,TD0487D,"Công ty TNHH Phần mềm, Sài Gòn Xanh",8000000,25,paid\n'
        "period,7901234567,,,,bhxh,2019-01,2020-12,TD0487D,Công ty,9500000,125,paid\n"
        "person,790123,Lê Văn B,1990-01-01,M,,,,,,,,\n",
        encoding="utf-8",
    )
    summary = registry_import(path=path)
    assert [(e.line, e.reason.split(",")[0]) for e in summary.errors] == [
        (4, "rate must be between 0 and 100 with 2 decimals at most"),
        (5, "insurance_number must be 10 digits"),
    ]
    assert ParticipationPeriod.objects.get().employer_name == "Công ty TNHH Phần mềm, Sài Gòn Xanh"


def test_old_card_number_fills_group_and_level(tmp_path):
    card = {**CARD, "card_number": "DN4797901234567", "group": "", "benefit_level": ""}
    registry_import(path=write_jsonl(tmp_path / "feed.jsonl", [PERSON, card]))
    stored = HealthInsuranceCard.objects.get()
    assert (stored.group, stored.benefit_level) == ("DN", 4)


def test_duplicate_keys_in_one_file_keep_the_last_line(tmp_path):
    records = [PERSON, PERIOD, {**PERIOD, "salary": 9000000}]
    registry_import(path=write_jsonl(tmp_path / "feed.jsonl", records))
    assert ParticipationPeriod.objects.get().salary == 9_000_000


def test_command_prints_errors_summary_and_progress(tmp_path):
    path = write_jsonl(tmp_path / "feed.jsonl", [*GOOD, {**VISIT, "claim_code": ""}])
    out, err = StringIO(), StringIO()
    call_command("import_registry", str(path), "--progress-every", "2", stdout=out, stderr=err)
    assert "feed.jsonl:6: claim_code is required" in err.getvalue()
    assert "lines read" in out.getvalue()
    assert "6 lines in" in out.getvalue() and "5 imported, 1 rejected" in out.getvalue()
    assert "period: 1 created, 0 updated, 0 unchanged" in out.getvalue()


def test_command_refuses_an_unknown_extension(tmp_path):
    from django.core.management import CommandError

    path = tmp_path / "feed.xml"
    path.write_text("<x/>")
    with pytest.raises(CommandError, match="cannot tell the format"):
        call_command("import_registry", str(path))


def _fast_and_slow(record):
    """What the fast path and the record parser make of one feed record."""
    from insurance.importer import FAST_PATHS, SEP, SPECS, Importer, RowError, _json_fields

    importer = Importer()
    fast = FAST_PATHS[record["type"]]
    match = fast.pattern.fullmatch(SEP.join(_json_fields((record, fast.columns))))
    try:
        quick = match and fast.build(match.groups(), importer)
    except ValueError:
        quick = None
    try:
        slow = SPECS[record["type"]].parse(record, importer)
    except RowError:
        slow = None
    return quick or None, slow


@pytest.mark.parametrize(
    "record",
    [
        PERSON,
        CARD,
        PERIOD,
        {**PERIOD, "from_month": "2017-03-01", "rate": "25.50", "status": "owed"},
        BENEFIT,
        {**BENEFIT, "days": None},
        VISIT,
    ],
)
def test_well_formed_lines_take_the_fast_path_and_build_what_the_parser_builds(record):
    quick, slow = _fast_and_slow(record)
    assert quick is not None and quick == slow
    assert list(quick[1]) == list(slow[1])  # same columns in the same order


@pytest.mark.parametrize(
    "record",
    [
        {**PERSON, "full_name": " Nguyễn Văn An "},  # trimmed by the parser
        {**PERSON, "date_of_birth": "1990-02-30"},  # no such day
        {**PERSON, "province": "00"},  # unknown province
        {**CARD, "group": "dn", "kcb_code": "79a11"},  # upper-cased by the parser
        {**CARD, "card_number": "DN4797901234567"},  # old number
        {**PERIOD, "insurance_type": "BHXH"},
        {**PERIOD, "to_month": "2016-01"},
        {**PERIOD, "salary": 10**15},  # the largest amount accepted
        {**PERIOD, "rate": "100.001"},
        {**VISIT, "insurance_paid": 999999},
    ],
)
def test_unusual_lines_fall_back_to_the_parser(record):
    """The fast path never accepts a line the parser would treat differently."""
    quick, _slow = _fast_and_slow(record)
    assert quick is None


def test_csv_and_json_lines_feeds_load_the_same_registry(tmp_path):

    columns = sorted({k for r in GOOD for k in r} - {"type"})
    path = tmp_path / "feed.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, ["type", *columns])
        writer.writeheader()
        writer.writerows(GOOD)
    registry_import(path=path)
    from_csv = snapshot()
    for model in (MedicalVisit, BenefitPayment, ParticipationPeriod, HealthInsuranceCard, Person):
        model.objects.all().delete()
    registry_import(path=write_jsonl(tmp_path / "feed.jsonl", GOOD))

    def strip_ids(snap):
        return [[{k: v for k, v in r.items() if not k.endswith("id")} for r in rs] for rs in snap]

    assert strip_ids(snapshot()) == strip_ids(from_csv)


def test_records_of_a_person_imported_earlier_need_not_repeat_the_person(tmp_path):
    registry_import(path=write_jsonl(tmp_path / "people.jsonl", [PERSON]))
    summary = registry_import(path=write_jsonl(tmp_path / "periods.jsonl", [PERIOD, VISIT]))
    assert summary.error_count == 0
    assert summary.counts["period"].created == summary.counts["visit"].created == 1


def test_text_with_tabs_backslashes_and_line_breaks_is_stored_exactly(tmp_path):
    # On PostgreSQL a batch travels in COPY's text format, where these
    # characters (and a literal \N) are special.
    employer = "Công ty\tA\\B, \\N\nChi nhánh\r\nQuận 4"
    path = write_jsonl(
        tmp_path / "feed.jsonl",
        [
            {**PERSON, "address": employer},
            {**PERIOD, "employer_name": employer, "position": "\\N"},
        ],
    )
    summary = registry_import(path=path)
    assert summary.error_count == 0
    assert Person.objects.get().address == employer
    period = ParticipationPeriod.objects.get()
    assert (period.employer_name, period.position) == (employer, "\\N")
    assert registry_import(path=path).counts["period"].unchanged == 1


def test_a_database_failure_stops_the_import_and_its_reader(tmp_path, monkeypatch):
    path = write_jsonl(
        tmp_path / "feed.jsonl", [{**PERSON, "insurance_number": f"79000{i:05}"} for i in range(50)]
    )

    def fail(self, record_type, prepared):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Importer, "_write", fail)
    threads = threading.active_count()
    with pytest.raises(RuntimeError, match="went away"):
        registry_import(path=path, batch_size=1)
    assert threading.active_count() == threads
    assert not Person.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_writers_split_people_and_keep_each_persons_records_together(tmp_path):
    """On PostgreSQL, outside a transaction, two connections write at once."""
    if connection.vendor != "postgresql":
        service_unavailable("PostgreSQL", f"DATABASE_URL points to {connection.vendor}")
    records = []
    for i in range(40):
        number = f"79000{i:05}"
        records += [
            {**PERSON, "insurance_number": number},
            {**CARD, "insurance_number": number, "card_number": number},
            {**PERIOD, "insurance_number": number},
            {**PERIOD, "insurance_number": number, "from_month": "2019-01", "to_month": "2019-06"},
            {**VISIT, "insurance_number": number, "claim_code": f"LK-{i}"},
        ]
    records.append({**PERIOD, "insurance_number": "7999999999"})  # nobody
    path = write_jsonl(tmp_path / "feed.jsonl", records)
    importer = Importer(batch_size=7)
    assert importer.writers == 2
    summary = importer.run(path)
    assert [e.reason for e in summary.errors] == [
        "no person 7999999999 in the registry or earlier in the file"
    ]
    assert summary.counts["person"].created == 40 and summary.counts["period"].created == 80
    assert ParticipationPeriod.objects.count() == 80 and MedicalVisit.objects.count() == 40
    again = registry_import(path=path, batch_size=7)
    assert sum(c.created + c.updated for c in again.counts.values()) == 0
    assert again.counts["period"].unchanged == 80


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_failing_parallel_writer_stops_the_whole_import(tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        service_unavailable("PostgreSQL", f"DATABASE_URL points to {connection.vendor}")
    people = [{**PERSON, "insurance_number": f"79000{i:05}"} for i in range(200)]
    path = write_jsonl(tmp_path / "feed.jsonl", people)
    write = Importer._write

    def fail_in_the_second_writer(self, record_type, prepared):
        if threading.current_thread().name == "import-writer-1":
            raise RuntimeError("the second connection went away")
        write(self, record_type, prepared)

    monkeypatch.setattr(Importer, "_write", fail_in_the_second_writer)
    threads = threading.active_count()
    with pytest.raises(RuntimeError, match="second connection"):
        registry_import(path=path, batch_size=10)
    assert threading.active_count() == threads
