"""Write a synthetic core-system feed for ``import_registry`` (issue 7).

Each person gets a person line, a BHYT card line and about 20 participation
periods (4 to 6 jobs over the years x 4 insurance types, salaries rising
with each job); every 10th person also gets a sickness benefit and a
medical visit. Mã số BHXH are ``<prefix><9 digits>`` so a run never
collides with other data (default prefix 6).

    python bench/registry_feed.py --persons 1000000 --format csv bench/out/feed.csv

With ``--corrected K`` the salary of every K-th period is raised by 1,000 đ
(a "corrected feed": those rows must update and nothing else may change).
"""

import argparse
import csv
import json
import sys
import time
from pathlib import Path

TYPES = ("bhxh", "bhtn", "bhtnld", "bhyt")
RATES = {"bhxh": "25", "bhtn": "2", "bhtnld": "0.5", "bhyt": "4.5"}
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Đức", "Thu"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phúc", "Yến"]
POSITIONS = ["Công nhân", "Nhân viên", "Kế toán", "Kỹ sư", "Trưởng phòng"]
COLUMNS = [
    "type",
    "insurance_number",
    "full_name",
    "date_of_birth",
    "gender",
    "address",
    "province",
    "office",
    "card_number",
    "group",
    "benefit_level",
    "valid_from",
    "valid_to",
    "kcb_code",
    "kcb_name",
    "five_year_date",
    "insurance_type",
    "from_month",
    "to_month",
    "employer_code",
    "employer_name",
    "position",
    "salary",
    "rate",
    "status",
    "kind",
    "period_from",
    "period_to",
    "days",
    "amount",
    "office_code",
    "office_name",
    "claim_code",
    "facility_code",
    "facility_name",
    "admitted_on",
    "discharged_on",
    "total_cost",
    "insurance_paid",
    "patient_paid",
]


def ym(index: int) -> str:
    return f"{index // 12}-{index % 12 + 1:02d}"


def records(i: int, prefix: str, corrected: int):
    """The feed records of the i-th person, as dicts."""
    number = f"{prefix}{i:09d}"
    born = 1965 + i % 38
    yield {
        "type": "person",
        "insurance_number": number,
        "full_name": f"{SURNAMES[i % 10]} {MIDDLE[i % 6]} {GIVEN[i % 12]}",
        "date_of_birth": f"{born}-{1 + i % 12:02d}-{1 + i % 28:02d}",
        "gender": "M" if i % 2 else "F",
        "address": f"{i % 300} Hoàng Diệu, Phường {1 + i % 18}, Quận 4, TP. Hồ Chí Minh",
        "province": "79",
        "office": "07914",
    }
    yield {
        "type": "card",
        "card_number": number,
        "insurance_number": number,
        "group": "DN",
        "benefit_level": "4",
        "valid_from": "2026-01-01",
        "valid_to": "2026-12-31",
        "kcb_code": "79011",
        "kcb_name": "Trung tâm Y tế Quận 4",
        "five_year_date": f"{2010 + i % 20}-{1 + i % 12:02d}-01",
    }
    jobs = 4 + i % 3  # 4, 5 or 6 jobs: 16, 20 or 24 periods
    start = (born + 20) * 12 + i % 12
    for job in range(jobs):
        first = start + job * 40 + (job % 2) * 3  # a gap between some jobs
        last = first + 35
        employer = (i * 7 + job * 131) % 50_000
        salary = 3_000_000 + job * 1_200_000 + (i % 10) * 100_000
        for t in TYPES:
            row = {
                "type": "period",
                "insurance_number": number,
                "insurance_type": t,
                "from_month": ym(first),
                "to_month": ym(last),
                "employer_code": f"TA{employer:05d}",
                "employer_name": f"Công ty TNHH Thương mại số {employer}",
                "position": POSITIONS[job % 5],
                "salary": str(salary),
                "rate": RATES[t],
                "status": "owed" if job == jobs - 1 and i % 25 == 0 else "paid",
            }
            if corrected and (i * 31 + job * 4 + TYPES.index(t)) % corrected == 0:
                row["salary"] = str(salary + 1000)
            yield row
    if i % 10 == 0:
        yield {
            "type": "benefit",
            "insurance_number": number,
            "kind": "sickness",
            "period_from": "2024-03-04",
            "period_to": "2024-03-08",
            "days": "5",
            "amount": "1484375",
            "office_code": "07914",
            "office_name": "BHXH Quận 4",
        }
        yield {
            "type": "visit",
            "claim_code": f"{number}-20240206-79011",
            "insurance_number": number,
            "facility_code": "79011",
            "facility_name": "Trung tâm Y tế Quận 4",
            "admitted_on": "2024-02-06",
            "discharged_on": "2024-02-06",
            "kind": "outpatient",
            "total_cost": "350000",
            "insurance_paid": "280000",
            "patient_paid": "70000",
        }


def write_feed(
    path: Path, *, persons: int, fmt: str = "csv", prefix: str = "6", corrected: int = 0
) -> int:
    """Write the feed and return its number of lines (header excluded)."""
    lines = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        if fmt == "csv":
            writer = csv.DictWriter(f, COLUMNS, lineterminator="\n")
            writer.writeheader()
            for i in range(1, persons + 1):
                for record in records(i, prefix, corrected):
                    writer.writerow(record)
                    lines += 1
        else:
            for i in range(1, persons + 1):
                for record in records(i, prefix, corrected):
                    f.write(json.dumps(record, ensure_ascii=False))
                    f.write("\n")
                    lines += 1
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    parser.add_argument("--prefix", default="6", help="first digit of the generated mã số")
    parser.add_argument("--corrected", type=int, default=0, help="raise every K-th salary")
    args = parser.parse_args()
    started = time.monotonic()
    lines = write_feed(
        args.path,
        persons=args.persons,
        fmt=args.format,
        prefix=args.prefix,
        corrected=args.corrected,
    )
    size = args.path.stat().st_size / 1e6
    print(
        f"{args.path}: {args.persons:,} persons, {lines:,} lines, {size:,.0f} MB "
        f"in {time.monotonic() - started:.0f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
