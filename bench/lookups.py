"""Benchmark the lookups at national scale on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anything python bench/lookups.py \
        [--persons 1000000] [--facilities 15000] [--calls 3000]

Creates (drops first) a dedicated database ``bench_lookups`` on the server
named by DATABASE_URL — never the test database — migrates it, loads the
reference data, then COPYs the persons and facilities in (psycopg2
``copy_expert``). It then measures, in-process and side by side:

- the mã số BHXH lookup service (``insurance_number_lookup``) and the
  facility search (count + first page, as the page's Paginator runs them),
  against bare queries (``SELECT 1`` and a primary-key fetch);
- the facility page ``/tra-cuu/co-so-kcb/?q=…`` and the API list against
  the bare view ``/healthz/`` through Django's test client (requests/s of a
  single process; no network);

and prints the ``EXPLAIN ANALYZE`` plans showing which indexes answer.
Results are saved to bench/out/lookups.json.
"""

import argparse
import datetime as dt
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BENCH_DB = "bench_lookups"
sys.path.insert(0, str(ROOT))

SURNAMES = "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý".split()
MIDDLE_M = "Văn Hữu Đức Minh Quang Thành Công Xuân Đình Trọng".split()
MIDDLE_F = "Thị Ngọc Thu Thanh Kim Mỹ Bảo Phương Hồng Diệu".split()
GIVEN_M = "An Bình Cường Dũng Hải Hùng Khoa Long Nam Phúc Quân Tuấn Sơn Tài Vinh Hiếu".split()
GIVEN_F = "Anh Chi Dung Hà Hoa Hương Lan Linh Mai Nga Trang Yến Thảo Vy Nhung Hạnh".split()
FACILITY_KINDS = [
    ("commune", "Trạm y tế {ward}"),
    ("district", "Phòng khám đa khoa {brand}"),
    ("district", "Trung tâm Y tế {district}"),
    ("province", "Bệnh viện {brand}"),
    ("district", "Phòng khám chuyên khoa {brand}"),
]
BRANDS = "An Phúc|Hoàn Mỹ|Thiện Nhân|Medic|Tâm Anh|Hồng Đức|Sài Gòn|Việt Pháp|Hòa Hảo|Phương Đông|Đông Đô|Thu Cúc|Vinmec|Hạnh Phúc|Gia Đình|Quốc tế|Bình An|Minh Anh".split(
    "|"
)


def database_urls() -> tuple[str, str]:
    """(admin URL on the same server, bench database URL)."""
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("DATABASE_URL must point at PostgreSQL (postgres://…)")
    admin = urlunsplit(parts._replace(path="/postgres"))
    bench = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
    return admin, bench


def recreate_database(admin_url: str) -> None:
    import psycopg2

    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        cursor.execute(f"CREATE DATABASE {BENCH_DB}")
    conn.close()


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


class RowStream(io.TextIOBase):
    """A file-like object over generated TSV lines, for ``copy_expert``."""

    def __init__(self, lines):
        self.lines = lines
        self.buffer = ""

    def readable(self):
        return True

    def read(self, size=-1):
        parts, have = [self.buffer], len(self.buffer)
        while size < 0 or have < size:
            try:
                line = next(self.lines)
            except StopIteration:
                break
            parts.append(line)
            have += len(line)
        data = "".join(parts)
        if size < 0 or len(data) <= size:
            self.buffer = ""
            return data
        self.buffer = data[size:]
        return data[:size]

    readline = read


def copy_persons(conn, count: int, offices: dict, samples: list) -> float:
    """COPY ``count`` persons; keep a spread of them in ``samples`` to look up."""
    from vssid_portal.text import fold

    rng = random.Random(1)
    provinces = sorted(offices)
    folded: dict[str, str] = {}
    sample_every = max(count // 5000, 1)
    start_day = dt.date(1950, 1, 1).toordinal()

    def lines():
        for i in range(count):
            female = rng.random() < 0.5
            name = " ".join(
                [
                    rng.choice(SURNAMES),
                    rng.choice(MIDDLE_F if female else MIDDLE_M),
                    rng.choice(GIVEN_F if female else GIVEN_M),
                ]
            )
            name_search = folded.get(name) or folded.setdefault(name, fold(name))
            province = provinces[i % len(provinces)]
            office = rng.choice(offices[province])
            born = dt.date.fromordinal(start_day + rng.randrange(365 * 55)).isoformat()
            id_number = f"0{province}{i:09d}"[-12:]
            parent = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"
            number = f"{province}{i:08d}"
            if i % sample_every == 0:
                samples.append((name, born, province, id_number, parent, number))
            yield (
                f"{number}\t{name}\t{name_search}\t{born}\t{'F' if female else 'M'}\t"
                f"{id_number}\t\t{province}\t{office}\t{parent}\n"
            )

    started = time.perf_counter()
    with conn.cursor() as cursor:
        cursor.copy_expert(
            "COPY insurance_person (insurance_number, full_name, name_search, date_of_birth,"
            " gender, id_number, address, province_id, office_id, parent_name) FROM STDIN",
            RowStream(lines()),
            size=1 << 20,
        )
    conn.commit()
    return time.perf_counter() - started


def copy_facilities(conn, count: int, districts: dict) -> float:
    from vssid_portal.text import fold

    rng = random.Random(2)
    provinces = sorted(districts)
    alphabet = "0123456789ABCDEFGHKLMNPQRSTUVXYZ"
    used: set[str] = set()

    def lines():
        for i in range(count):
            province = provinces[i % len(provinces)]
            while True:
                code = province + "".join(rng.choice(alphabet) for _c in range(3))
                if code not in used:
                    used.add(code)
                    break
            district_code, district = rng.choice(districts[province])
            level, pattern = rng.choice(FACILITY_KINDS)
            name = pattern.format(
                ward=f"Phường {rng.randrange(1, 20)}, {district}",
                brand=f"{rng.choice(BRANDS)} {rng.randrange(1, 50)}",
                district=district,
            )
            yield (
                f"{code}\t{name}\t{level}\tSố {rng.randrange(1, 300)}, {district}\t\t"
                f"{province}\t{district_code}\t{'t' if rng.random() < 0.9 else 'f'}\t"
                f"{'t' if rng.random() < 0.6 else 'f'}\t"
                f"{10 + rng.random() * 12:.6f}\t{103 + rng.random() * 6:.6f}\tt\t"
                f"{fold(code + ' ' + name)}\n"
            )

    started = time.perf_counter()
    with conn.cursor() as cursor:
        cursor.execute("TRUNCATE lookup_medicalfacility")
        cursor.copy_expert(
            "COPY lookup_medicalfacility (code, name, level, address, phone, province_id,"
            " district_id, has_bhyt_contract, may_issue_sick_leave, latitude, longitude,"
            " is_generated, search_text) FROM STDIN",
            RowStream(lines()),
            size=1 << 20,
        )
    conn.commit()
    return time.perf_counter() - started


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def at(p):
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    return {
        "calls": len(ordered),
        "p50_ms": round(at(0.50), 3),
        "p95_ms": round(at(0.95), 3),
        "p99_ms": round(at(0.99), 3),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 3),
        "per_second": round(len(ordered) / sum(ordered), 1),
    }


def timed(fn, args_list) -> dict:
    for args in args_list[:5]:  # warm-up: first connection, template loading
        fn(*args)
    samples = []
    for args in args_list:
        started = time.perf_counter()
        fn(*args)
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--facilities", type=int, default=15_000)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--page-requests", type=int, default=500)
    options = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)

    admin_url, bench_url = database_urls()
    recreate_database(admin_url)
    env = {
        **os.environ,
        "DATABASE_URL": bench_url,
        "DJANGO_SETTINGS_MODULE": "vssid_portal.settings",
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    }
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_reference_data")
    manage(env, "collectstatic", "--noinput", "-v0")
    os.environ.update(env)

    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from insurance.models import Person
    from lookup import selectors
    from lookup.models import District, Office
    from lookup.services import insurance_number_lookup

    connection.ensure_connection()
    raw = connection.connection
    offices: dict[str, list[int]] = {}
    for pk, province in Office.objects.filter(level="district").values_list("pk", "province_id"):
        offices.setdefault(province, []).append(pk)
    districts: dict[str, list[tuple[str, str]]] = {}
    for code, name, province in District.objects.values_list("code", "name", "province_id"):
        districts.setdefault(province, []).append((code, name))

    samples: list[tuple] = []
    persons_s = copy_persons(raw, options.persons, offices, samples)
    facilities_s = copy_facilities(raw, options.facilities, districts)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE insurance_person")
        cursor.execute("ANALYZE lookup_medicalfacility")
    print(f"COPY {options.persons:,} persons: {persons_s:.1f} s")
    print(f"COPY {options.facilities:,} facilities: {facilities_s:.1f} s")

    rng = random.Random(3)
    lookups = []
    for _i in range(options.calls):
        name, born, province, id_number, parent, _number = rng.choice(samples)
        use_parent = rng.random() < 0.3
        typed = name if rng.random() < 0.5 else selectors.fold(name)  # with or without diacritics
        lookups.append(
            (
                typed,
                dt.date.fromisoformat(born),
                province,
                "" if use_parent else id_number,
                parent if use_parent else "",
            )
        )
    # Check correctness on the way: the sampled people must be found.
    found = sum(
        insurance_number_lookup(
            full_name=a[0], date_of_birth=a[1], province_code=a[2], id_number=a[3], parent_name=a[4]
        ).outcome
        == "found"
        for a in lookups[:200]
    )

    def do_lookup(name, born, province, id_number, parent):
        insurance_number_lookup(
            full_name=name,
            date_of_birth=born,
            province_code=province,
            id_number=id_number,
            parent_name=parent,
        )

    queries = [
        "tram y te phuong 9",
        "benh vien",
        "hoan my",
        "Phòng khám đa khoa An Phúc",
        "trung tam y te quan 4",
        "vinmec 12",
        "79",
        "thien nhan",
        "ha noi",
        "phuong 12 quan 1",
    ]
    codes = list(selectors.facility_search().order_by("?").values_list("code", flat=True)[:100])
    facility_queries = [(rng.choice(queries + codes),) for _i in range(options.calls)]

    def do_facility_search(q):
        queryset = selectors.facility_search(q=q)
        queryset.count()
        list(queryset[:20])

    person_pks = list(Person.objects.order_by("?").values_list("pk", flat=True)[:500])

    def bare_select_one():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    def bare_pk(pk):
        Person.objects.filter(pk=pk).values_list("insurance_number", flat=True).first()

    results = {
        "persons": options.persons,
        "facilities": options.facilities,
        "copy_seconds": {"persons": round(persons_s, 1), "facilities": round(facilities_s, 1)},
        "lookup_found_of_200": found,
        "functions": {
            "bare SELECT 1": timed(bare_select_one, [()] * options.calls),
            "bare Person by pk": timed(
                bare_pk, [(rng.choice(person_pks),) for _i in range(options.calls)]
            ),
            "insurance_number_lookup": timed(do_lookup, lookups),
            "facility_search (count + page)": timed(do_facility_search, facility_queries),
        },
    }

    client = Client()
    counter = iter(range(10**9))

    def get(path, params=None):
        # A fresh address per request: the per-IP search limit is not what is measured.
        n = next(counter)
        response = client.get(
            path, params, REMOTE_ADDR=f"10.{n // 65025 % 250}.{n // 255 % 255}.{n % 255}"
        )
        assert response.status_code == 200, (path, response.status_code)

    page_queries = [(rng.choice(queries),) for _i in range(options.page_requests)]
    results["pages"] = {
        "bare view /healthz/": timed(lambda: get("/healthz/"), [()] * options.page_requests),
        "/tra-cuu/co-so-kcb/?q=…": timed(
            lambda q: get("/tra-cuu/co-so-kcb/", {"q": q}), page_queries
        ),
        "/api/v1/lookup/facilities/?q=… (first hit per query, then cached)": timed(
            lambda q: get("/api/v1/lookup/facilities/", {"q": q}), page_queries
        ),
    }
    bare_rps = results["pages"]["bare view /healthz/"]["per_second"]

    print(f"\nlookups found for 200 sampled people: {found}/200")
    print(f"\n{'target':<68} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'per s':>9} {'vs bare':>8}")
    for group in ("functions", "pages"):
        for name, row in results[group].items():
            ratio = row["per_second"] / bare_rps if group == "pages" else None
            print(
                f"{name:<68} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['p99_ms']:>8} "
                f"{row['per_second']:>9} {'' if ratio is None else f'{ratio:.2f}':>8}"
            )

    name, born, province, id_number, _parent, _number = samples[len(samples) // 2]
    person_query = Person.objects.select_related("office").filter(
        name_search=selectors.fold(name),
        date_of_birth=born,
        province_id=province,
        id_number=id_number,
    )[:5]
    facility_query = selectors.facility_search(q="tram y te phuong 9")
    plans = {
        "mã số lookup (person_candidates)": person_query.explain(analyze=True),
        "facility search: all matches": facility_query.explain(analyze=True),
        "facility search: first page": facility_query[:20].explain(analyze=True),
    }
    from django.contrib.postgres.lookups import TrigramWordSimilar
    from django.db.models import F, Value

    plans["did you mean (trigram %>)"] = (
        selectors.facility_search()
        .filter(TrigramWordSimilar(F("search_text"), Value("tram y te phuog 9")))[:50]
        .explain(analyze=True)
    )
    for title, plan in plans.items():
        print(f"\nEXPLAIN ANALYZE — {title}\n{plan}")
    results["plans"] = plans
    (OUT / "lookups.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"\nsaved {OUT / 'lookups.json'}")


if __name__ == "__main__":
    main()
