"""Benchmark the clerk's declaration queue with 100,000 declarations (issue 5).

With DATABASE_URL pointing at PostgreSQL this script

1. builds a dedicated database (``bench_staff`` by default, never a test
   database) holding N declarations (100,000) spread over 50 district
   offices, loaded with COPY; statuses, kinds, submission modes and dates
   vary; an existing build is reused;
2. signs in a clerk of BHXH Quận 4 (07914, about N/50 declarations) and an
   administrator (all N);
3. measures the staff home, the queue (default, filtered, searched by a
   name typed without diacritics, by mã số BHXH), the administrator's
   all-office queue and the staff API against the bare view ``/healthz/``:
   a. in-process with Django's test client (median / p95 latency, queries
      per request);
   b. with gunicorn (production settings) and wrk (requests/s, p50/p95/p99,
      ratio to the bare view).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x python bench/staff_queue.py \
        [--declarations 100000] [--offices 50] [--duration 10]

Results are printed and saved to bench/out/staff_queue.json.
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import records  # noqa: E402  (bench/records.py: database, COPY and logging helpers)

from vssid_portal.text import fold  # noqa: E402

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Minh", "Đức", "Ngọc", "Hữu", "Thanh", "Quốc"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phúc", "Yến"]
STATUSES = ["submitted"] * 6 + ["received"] + ["approved"] * 2 + ["rejected"]
CLERK_OFFICE = "07914"
COLUMNS = (
    "created_at, updated_at, reference_code, kind, status, reject_reason, full_name, "
    "full_name_folded, insurance_number, date_of_birth, id_number, contact_address, "
    "contact_person, email, phone, office_id, submission_mode, send_form_by_email, "
    "portrait, id_front, id_back, birth_certificate, submission_key, submitted_at, acknowledge_due_at, "
    "correction_round, correction_items, correction_note, registry_match, registry_mismatches"
)
log = records.log


def build_declarations(conn, total: int, office_count: int) -> None:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM declarations_declaration WHERE submission_key LIKE 'bench-%%'"
        )
        have = cur.fetchone()[0]
        if have >= total:
            log(f"{have:,} benchmark declarations already loaded; reusing them")
            return
        if have:
            raise SystemExit(f"partial build ({have:,} rows): drop the database and rerun")
        cur.execute(
            "SELECT id FROM lookup_office WHERE level = 'district' AND code <> %s "
            "ORDER BY code LIMIT %s",
            [CLERK_OFFICE, office_count - 1],
        )
        offices = [row[0] for row in cur.fetchall()]
        cur.execute("SELECT id FROM lookup_office WHERE code = %s", [CLERK_OFFICE])
        offices.append(cur.fetchone()[0])
    rng = random.Random(5)
    now = dt.datetime.now(dt.UTC)
    started = time.monotonic()

    def rows():
        for i in range(total):
            name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            status = rng.choice(STATUSES)
            created = now - dt.timedelta(seconds=rng.randint(0, 365 * 86400))
            reason = "Ảnh mặt trước bị mờ." if status == "rejected" else ""
            # A child's tờ khai needs a guardian account; the queue's cost does
            # not depend on the kind.
            kind = "own_account"
            mode = "by_post" if i % 3 == 0 else "at_office"
            values = [
                created.isoformat(),
                created.isoformat(),
                f"DKB{i:012d}",
                kind,
                status,
                reason,
                name,
                fold(name),
                f"6{i:09d}",
                "1990-01-01",
                f"079{i:09d}",
                "12 Đường số 3, Phường 9",
                name,
                "",
                f"+8491{i % 10_000_000:07d}",
                str(offices[i % len(offices)]),
                mode,
                "f",
                "declarations/bench/p.jpg",
                "declarations/bench/f.jpg",
                "declarations/bench/b.jpg",
                "",
                f"bench-{i}",
                created.isoformat(),
                # Roughly one working day; a tenth of the open ones overdue.
                (created + dt.timedelta(days=1)).isoformat(),
                "0",
                "[]",
                "",
                "t" if i % 4 == 0 else "f",
                "[]",
            ]
            yield "\t".join(values) + "\n"

    with conn.cursor() as cur:
        cur.copy_expert(
            f"COPY declarations_declaration ({COLUMNS}) FROM STDIN",
            records.LineStream(rows()),
        )
    conn.commit()
    # As autovacuum would on a live database: statistics and the visibility
    # map (index-only scans for the counts).
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE declarations_declaration")
    conn.autocommit = False
    log(
        f"loaded {total:,} declarations over {len(offices)} offices in {time.monotonic() - started:.1f}s"
    )


def prepare_sessions() -> dict[str, list[str]]:
    """A signed-in clerk of 07914 and an administrator: who -> [cookie]."""
    from accounts.models import StaffProfile, User
    from lookup.models import Office

    clerk, _ = User.objects.get_or_create(username="canbo.bench", defaults={"is_staff": True})
    StaffProfile.objects.get_or_create(
        user=clerk, defaults={"office": Office.objects.get(code=CLERK_OFFICE)}
    )
    admin, _ = User.objects.get_or_create(
        username="quantri.bench", defaults={"is_staff": True, "is_superuser": True}
    )
    return {
        "": [],
        "clerk": [records.session_cookie(clerk)],
        "admin": [records.session_cookie(admin)],
    }


def targets() -> list[tuple[str, str, str]]:
    """(name, path, who) — who is "" (anonymous), "clerk" or "admin"."""
    from declarations.models import Declaration

    sample = (
        Declaration.objects.filter(office__code=CLERK_OFFICE)
        .order_by("-created_at")
        .values_list("insurance_number", flat=True)[500]
    )
    month_ago = (dt.date.today() - dt.timedelta(days=30)).isoformat()
    return [
        ("bare view (baseline)", "/healthz/", ""),
        ("sign-in page (reference)", "/dang-nhap/", ""),
        ("staff home (counts)", "/can-bo/", "clerk"),
        ("queue default", "/can-bo/to-khai/", "clerk"),
        ("queue page 40", "/can-bo/to-khai/?trang=40", "clerk"),
        (
            "queue filtered",
            f"/can-bo/to-khai/?trang-thai=approved&hinh-thuc=by_post&tu-ngay={month_ago}",
            "clerk",
        ),
        ("queue name search", "/can-bo/to-khai/?q=nguyen+van+an", "clerk"),
        ("queue ma so search", f"/can-bo/to-khai/?q={sample}", "clerk"),
        ("admin queue (100k)", "/can-bo/to-khai/?trang-thai=all", "admin"),
        ("admin name search", "/can-bo/to-khai/?q=tran+thi+lan&trang-thai=all", "admin"),
        ("API list name search", "/api/v1/staff/declarations/?q=nguyen+van", "clerk"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--declarations", type=int, default=100_000)
    parser.add_argument("--offices", type=int, default=50)
    parser.add_argument("--database", default="bench_staff")
    parser.add_argument("--rounds", type=int, default=200, help="in-process requests per target")
    parser.add_argument("--duration", type=int, default=10, help="wrk seconds per target")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--skip-wrk", action="store_true")
    args = parser.parse_args()

    url, env = records.bench_database_prepare(args.database)

    conn = records.connect(url)
    build_declarations(conn, args.declarations, args.offices)
    conn.close()

    records.django_env_export(env)
    import django

    django.setup()
    cookies = prepare_sessions()
    plan = [(name, path, cookies[who] or [""]) for name, path, who in targets()]
    results: dict = {"declarations": args.declarations, "offices": args.offices}
    log("measuring in-process")
    results["in_process"] = records.measure_in_process(plan, args.rounds)
    if not args.skip_wrk:
        log("measuring with gunicorn + wrk")
        results["wrk"] = records.measure_wrk(
            env, plan, args.duration, args.connections, args.workers
        )

    print(f"\n{args.declarations:,} declarations over {args.offices} offices.")
    records.print_measurements(results, workers=args.workers, connections=args.connections)
    records.results_save(results, "staff_queue.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
