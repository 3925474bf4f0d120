"""Benchmark the citizen's records at national scale (issue 7).

With DATABASE_URL pointing at PostgreSQL this script

1. builds a dedicated database (``bench_records`` by default, never a test
   database) with N persons (1,000,000), a BHYT card each, ~20 participation
   periods each (5 jobs x 4 insurance types) and 3 medical visits each, loaded
   with COPY (psycopg2 ``copy_expert``); an existing build is reused;
2. times ``import_registry`` on a generated JSON-lines feed of M persons
   (100,000: person + card + 20 periods each), first into the loaded
   database and then again (the idempotent re-run), and extrapolates to
   1,000,000 persons;
3. measures the card page, the card PNG, the history page and
   ``/api/v1/me/history`` against the bare view ``/healthz/``:
   a. in-process with Django's test client over a sample of citizens
      (median / p95 latency, queries per request);
   b. with gunicorn (production settings) and wrk, rotating over the
      sampled citizens' session cookies (requests/s, p50/p95/p99, ratio).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x python bench/records.py \
        [--persons 1000000] [--import-persons 100000] [--duration 10]

Results are printed and saved to bench/out/records.json.
"""

import argparse
import datetime as dt
import io
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import run as harness  # noqa: E402  (bench/run.py: gunicorn and wrk helpers)

PERIODS_PER_JOB_TYPES = ("bhxh", "bhtn", "bhtnld", "bhyt")
RATES = {"bhxh": "25.00", "bhtn": "2.00", "bhtnld": "0.50", "bhyt": "4.50"}
JOBS = 5
VISITS = 3
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phúc", "Yến"]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def bench_url(base: str, name: str) -> str:
    if name.startswith("test"):
        raise SystemExit("refusing to use a test database for the benchmark")
    parts = urlparse(base)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise SystemExit("DATABASE_URL must point at PostgreSQL")
    return urlunparse(parts._replace(path=f"/{name}"))


def connect(url: str):
    import psycopg2

    p = urlparse(url)
    return psycopg2.connect(
        dbname=p.path.lstrip("/"),
        user=p.username or "postgres",
        password=p.password or None,
        host=p.hostname or "127.0.0.1",
        port=p.port or 5432,
    )


def ensure_database(url: str) -> None:
    name = urlparse(url).path.lstrip("/")
    admin = connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{name}"')
            log(f"created database {name}")
    admin.close()


class LineStream(io.RawIOBase):
    """A file-like object over generated text lines, for copy_expert."""

    def __init__(self, lines):
        self.lines = lines
        self.buffer = b""

    def readable(self):
        return True

    def read(self, size=-1):
        while size < 0 or len(self.buffer) < size:
            chunk = "".join(next(self.lines, "") for _ in range(2000))
            if not chunk:
                break
            self.buffer += chunk.encode()
        if size < 0:
            data, self.buffer = self.buffer, b""
        else:
            data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data


def month(index: int) -> str:
    return f"{index // 12}-{index % 12 + 1:02d}-01"


def person_number(i: int, prefix: str = "5") -> str:
    return f"{prefix}{i:09d}"


def build_registry(conn, persons: int) -> None:
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM insurance_person WHERE insurance_number LIKE '5%%'")
        have = cur.fetchone()[0]
    if have >= persons:
        log(f"registry already holds {have:,} benchmark persons; reusing it")
        return
    if have:
        raise SystemExit(f"partial build ({have:,} persons): drop the database and rerun")
    started = time.monotonic()

    def people():
        for i in range(1, persons + 1):
            name = f"{SURNAMES[i % 10]} Văn {GIVEN[i % 12]}"
            fold = name.lower().replace("đ", "d")
            yield (
                f"{i}\t{person_number(i)}\t{name}\t{fold}\t{1960 + i % 45}-{1 + i % 12:02d}-15\t"
                f"{'M' if i % 2 else 'F'}\t\t{i % 300} Khánh Hội, Quận 4\t79\t\\N\t\n"
            )

    def cards():
        for i in range(1, persons + 1):
            yield (
                f"{i}\t{person_number(i)}\tDN\t4\t2026-01-01\t2026-12-31\t79011\t"
                f"Trung tâm Y tế Quận 4\t2028-01-01\t2025-12-20\tQuận 4\n"
            )

    def periods():
        for i in range(1, persons + 1):
            start = 2000 * 12 + i % 60
            for job in range(JOBS):
                first, last = start + job * 50, start + job * 50 + 47
                salary = 3_000_000 + job * 1_500_000
                for t in PERIODS_PER_JOB_TYPES:
                    yield (
                        f"{i}\t{t}\t{month(first)}\t{month(last)}\tE{(i + job) % 9999:05d}\t"
                        f"Công ty số {(i + job) % 9999}\tNhân viên\t{salary}\t{RATES[t]}\tpaid\n"
                    )

    def visits():
        for i in range(1, persons + 1):
            for v in range(VISITS):
                day = f"202{v + 2}-0{1 + i % 9}-1{v}"
                yield (
                    f"{i}\tB{i:09d}{v}\t79011\tTrung tâm Y tế Quận 4\t{day}\t{day}\toutpatient\t"
                    f"350000\t280000\t70000\n"
                )

    tables = [
        (
            "insurance_person",
            "id, insurance_number, full_name, name_search, date_of_birth, gender, id_number, "
            "address, province_id, office_id, parent_name",
            people,
        ),
        (
            "insurance_healthinsurancecard",
            'person_id, card_number, "group", benefit_level, valid_from, valid_to, kcb_code, '
            "kcb_name, five_year_date, issued_on, issue_place",
            cards,
        ),
        (
            "insurance_participationperiod",
            "person_id, insurance_type, from_month, to_month, employer_code, employer_name, "
            "position, salary, rate, status",
            periods,
        ),
        (
            "insurance_medicalvisit",
            "person_id, claim_code, facility_code, facility_name, admitted_on, discharged_on, "
            "kind, total_cost, insurance_paid, patient_paid",
            visits,
        ),
    ]
    for table, columns, rows in tables:
        t0 = time.monotonic()
        with conn.cursor() as cur:
            cur.copy_expert(f"COPY {table} ({columns}) FROM STDIN", LineStream(iter(rows())))
            cur.execute(f"SELECT count(*) FROM {table}")
            count = cur.fetchone()[0]
        conn.commit()
        log(f"COPY {table}: {count:,} rows in {time.monotonic() - t0:.0f}s")
    with conn.cursor() as cur:
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('insurance_person', 'id'), "
            "(SELECT max(id) FROM insurance_person))"
        )
    conn.commit()
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    conn.autocommit = False
    log(f"registry built in {time.monotonic() - started:.0f}s")


def write_feed(path: Path, persons: int) -> int:
    lines = 0
    with path.open("w", encoding="utf-8") as f:
        for i in range(1, persons + 1):
            number = person_number(i, "6")
            records = [
                {
                    "type": "person",
                    "insurance_number": number,
                    "full_name": f"{SURNAMES[i % 10]} Thị {GIVEN[i % 12]}",
                    "date_of_birth": f"{1960 + i % 45}-{1 + i % 12:02d}-15",
                    "gender": "F",
                    "address": f"{i % 300} Hoàng Diệu, Quận 4",
                    "province": "79",
                    "office": "07914",
                },
                {
                    "type": "card",
                    "card_number": number,
                    "insurance_number": number,
                    "group": "DN",
                    "benefit_level": 4,
                    "valid_from": "2026-01-01",
                    "valid_to": "2026-12-31",
                    "kcb_code": "79011",
                    "kcb_name": "Trung tâm Y tế Quận 4",
                },
            ]
            start = 2000 * 12 + i % 60
            for job in range(JOBS):
                for t in PERIODS_PER_JOB_TYPES:
                    records.append(
                        {
                            "type": "period",
                            "insurance_number": number,
                            "insurance_type": t,
                            "from_month": month(start + job * 50)[:7],
                            "to_month": month(start + job * 50 + 47)[:7],
                            "employer_code": f"E{(i + job) % 9999:05d}",
                            "employer_name": f"Công ty số {(i + job) % 9999}",
                            "salary": 3_000_000 + job * 1_500_000,
                            "rate": RATES[t],
                        }
                    )
            for r in records:
                f.write(json.dumps(r, ensure_ascii=False))
                f.write("\n")
            lines += len(records)
    return lines


def time_import(env: dict, conn, persons: int) -> dict:
    with conn.cursor() as cur:
        log("removing the previous run's imported persons (prefix 6)")
        cur.execute(
            "DELETE FROM insurance_participationperiod WHERE person_id IN "
            "(SELECT id FROM insurance_person WHERE insurance_number LIKE '6%%')"
        )
        cur.execute(
            "DELETE FROM insurance_healthinsurancecard WHERE person_id IN "
            "(SELECT id FROM insurance_person WHERE insurance_number LIKE '6%%')"
        )
        cur.execute("DELETE FROM insurance_person WHERE insurance_number LIKE '6%%'")
    conn.commit()
    feed = OUT / f"feed_{persons}.jsonl"
    t0 = time.monotonic()
    lines = write_feed(feed, persons)
    log(f"wrote {feed.name}: {lines:,} lines in {time.monotonic() - t0:.0f}s")
    results = {"persons": persons, "lines": lines}
    for label in ("first", "again"):
        t0 = time.monotonic()
        out = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "import_registry",
                str(feed),
                "--progress-every",
                "500000",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        seconds = time.monotonic() - t0
        log(f"import ({label}): {seconds:.1f}s\n{out.stdout.strip()}")
        results[label] = {"seconds": seconds, "lines_per_s": lines / seconds}
    results["extrapolated_1m_persons_s"] = results["first"]["seconds"] * 1_000_000 / persons
    return results


def prepare_citizens(sample: int, persons: int) -> list[tuple[str, str]]:
    """Accounts and sessions for a random sample of benchmark persons."""
    from accounts.models import User

    rng = random.Random(7)
    numbers = [person_number(rng.randint(1, persons)) for _ in range(sample)]
    existing = set(User.objects.filter(username__in=numbers).values_list("username", flat=True))
    User.objects.bulk_create(
        [User(username=n, password="!") for n in set(numbers) - existing]  # unusable password
    )
    return [
        (user.username, session_cookie(user)) for user in User.objects.filter(username__in=numbers)
    ]


TARGETS = [
    ("bare view (baseline)", "/healthz/"),
    ("card page", "/ca-nhan/the-bhyt/"),
    ("card PNG", "/ca-nhan/the-bhyt/the-bhyt.png"),
    ("history page", "/ca-nhan/qua-trinh-tham-gia/"),
    ("API /me/history", "/api/v1/me/history"),
]


def session_cookie(user) -> str:
    """A signed-in session for ``user`` as a Cookie header value."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    # The configured backend: a session naming another one is anonymous.
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def measure_in_process(targets: list[tuple[str, str, list[str]]], rounds: int) -> list[dict]:
    """``targets`` are (name, path, session cookies to rotate over); the first
    one is the bare view the others are compared with."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # One client per cookie, warmed up: a new client loads the middleware
    # on its first request, which would otherwise be timed.
    clients: dict[str, Client] = {}
    for _name, _path, cookies in targets:
        for cookie in cookies:
            if cookie not in clients:
                clients[cookie] = Client(HTTP_COOKIE=cookie)
                clients[cookie].get("/healthz/")
    rows = []
    for name, path, cookies in targets:
        timings, queries, statuses = [], [], set()
        for r in range(rounds):
            client = clients[cookies[r % len(cookies)]]
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - t0) * 1000)
            statuses.add(response.status_code)
            queries.append(len(ctx))
        timings.sort()
        rows.append(
            {
                "name": name,
                "path": path,
                "median_ms": statistics.median(timings),
                "p95_ms": timings[max(int(len(timings) * 0.95) - 1, 0)],
                "queries": max(queries),
                "statuses": sorted(statuses),
            }
        )
    base = rows[0]["median_ms"]
    for row in rows:
        row["ratio_median"] = row["median_ms"] / base
    return rows


def measure_wrk(
    env: dict,
    targets: list[tuple[str, str, list[str]]],
    duration: int,
    connections: int,
    workers: int,
) -> list[dict]:
    """gunicorn + wrk over the same targets, rotating over their cookies."""
    port = harness.free_port()
    proc = harness.start_gunicorn(env, port, workers)
    rows = []
    try:
        for index, (name, path, cookies) in enumerate(targets):
            cookie_file = OUT / f"cookies-{index}.txt"
            cookie_file.write_text("\n".join([c for c in cookies if c] or ["x=y"]) + "\n")
            url = f"http://127.0.0.1:{port}{path}"
            for seconds in (2, duration):
                out = subprocess.run(
                    [
                        "wrk",
                        "-t2",
                        f"-c{connections}",
                        f"-d{seconds}s",
                        "--latency",
                        "-s",
                        str(ROOT / "bench" / "records.lua"),
                        url,
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                    env={**os.environ, "BENCH_COOKIES": str(cookie_file)},
                    cwd=ROOT,
                )
            line = next(x for x in out.stdout.splitlines() if x.startswith("JSON "))
            data = json.loads(line[5:])
            data.update(name=name, path=path, rps=data["requests"] / (data["duration_us"] / 1e6))
            rows.append(data)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
    base = rows[0]["rps"]
    for row in rows:
        row["ratio"] = row["rps"] / base
    return rows


def print_measurements(results: dict, *, workers: int, connections: int) -> None:
    print("In-process (Django test client, DEBUG off), per request:")
    print(f"{'target':24} {'median ms':>10} {'p95 ms':>8} {'queries':>7} {'x bare':>7}  status")
    for r in results["in_process"]:
        print(
            f"{r['name']:24} {r['median_ms']:10.2f} {r['p95_ms']:8.2f} {r['queries']:7d} "
            f"{r['ratio_median']:7.1f}  {r['statuses']}"
        )
    if "wrk" in results:
        print(f"\ngunicorn ({workers} sync workers) + wrk ({connections} connections):")
        print(
            f"{'target':24} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
            f"{'non2xx':>6} {'vs bare':>7}"
        )
        for r in results["wrk"]:
            print(
                f"{r['name']:24} {r['rps']:8.0f} {r['p50_us'] / 1000:8.2f} "
                f"{r['p95_us'] / 1000:8.2f} {r['p99_us'] / 1000:8.2f} {r['non2xx']:6d} "
                f"{r['ratio']:7.2f}"
            )


def results_save(results: dict, filename: str) -> None:
    """Add the machine's description and save under bench/out/."""
    results["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": dt.date.today().isoformat(),
    }
    (OUT / filename).write_text(json.dumps(results, indent=2, default=str))
    print(f"saved {OUT / filename}")


def bench_database_prepare(name: str) -> tuple[str, dict]:
    """Create (if needed), migrate and load reference data into the
    benchmark database ``name``; return its URL and the server environment."""
    url = bench_url(os.environ.get("DATABASE_URL", ""), name)
    OUT.mkdir(parents=True, exist_ok=True)
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    env = harness.bench_env()
    env["DATABASE_URL"] = url
    env["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    log("migrating and loading reference data")
    harness.setup(env)
    return url, env


def django_env_export(env: dict) -> None:
    """Make this process's Django use the benchmark's settings."""
    keys = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT")
    os.environ.update({k: env[k] for k in (*keys, "DJANGO_SETTINGS_MODULE", "LOG_LEVEL")})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--import-persons", type=int, default=100_000)
    parser.add_argument("--database", default="bench_records")
    parser.add_argument("--sample", type=int, default=200, help="citizens to sign in")
    parser.add_argument("--rounds", type=int, default=400, help="in-process requests per target")
    parser.add_argument("--duration", type=int, default=10, help="wrk seconds per target")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-wrk", action="store_true")
    args = parser.parse_args()

    url, env = bench_database_prepare(args.database)

    conn = connect(url)
    build_registry(conn, args.persons)
    results: dict = {"persons": args.persons}
    if not args.skip_import:
        results["import"] = time_import(env, conn, args.import_persons)
    conn.close()

    django_env_export(env)
    import django

    django.setup()
    cookies = prepare_citizens(args.sample, args.persons)
    log(f"{len(cookies)} citizens signed in; measuring in-process")
    every = [cookie for _username, cookie in cookies]
    targets = [(name, path, every) for name, path in TARGETS]
    results["in_process"] = measure_in_process(targets, args.rounds)
    if not args.skip_wrk:
        log("measuring with gunicorn + wrk")
        results["wrk"] = measure_wrk(env, targets, args.duration, args.connections, args.workers)

    print()
    print_measurements(results, workers=args.workers, connections=args.connections)
    if "import" in results:
        imp = results["import"]
        print(
            f"\nimport_registry: {imp['persons']:,} persons / {imp['lines']:,} lines: "
            f"{imp['first']['seconds']:.0f}s ({imp['first']['lines_per_s']:,.0f} lines/s); "
            f"re-run {imp['again']['seconds']:.0f}s; 1,000,000 persons ≈ "
            f"{imp['extrapolated_1m_persons_s'] / 60:.0f} min"
        )
    results_save(results, "records.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
