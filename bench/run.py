"""Benchmark the portal's pages and API against a bare Django view, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
    REDIS_URL=redis://127.0.0.1:6379/0 python bench/run.py \\
        [--persons 1000000] [--duration 10] [--connections 16] [--only "home page,…"]

1. migrates the database, loads the reference data, collects static files
   and, on PostgreSQL, builds the registry with ``bench/generate.py``
   (1,000,000 persons by default; resumable, so a second run starts at once);
2. signs in a sample of citizens (and a clerk) by creating their sessions,
   and counts each target's SQL queries in-process (the most over the
   sample);
3. times in-process what wrk cannot drive: one Argon2 password check (the
   sign-in's fixed cost) and the mã số BHXH lookup service (a captcha-gated
   POST on the site);
4. starts gunicorn with the production settings on a loopback port (one sync
   worker per CPU), warms up each target, then drives wrk against it
   (``bench/rotate.lua`` rotates over paths, citizens' cookies and client
   addresses);
5. sends ``--memory-requests`` more requests over the whole mix and reads
   each worker's resident memory;
6. prints one table (requests/s, p50/p95/p99, queries per request, ratio to
   the bare view) and saves it as ``bench/out/results.json`` and
   ``bench/out/results.png``.

Without DATABASE_URL a SQLite file under bench/out/ is used and only the
anonymous pages are measured. Needs wrk (Debian package); the chart needs
matplotlib (requirements-dev.txt).
"""

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

FACILITY_QUERIES = [
    "tram y te phuong 9",
    "benh vien",
    "hoan my",
    "Phòng khám đa khoa An Phúc",
    "trung tam y te quan 4",
    "vinmec 12",
    "thien nhan",
    "79",
]


@dataclass
class Target:
    name: str
    paths: list[str]
    who: str = "anonymous"  # anonymous | citizen | staff
    baseline: bool = False
    optional: bool = False  # skipped (and said so) when the page does not exist yet
    registry: bool = False  # needs the generated registry (PostgreSQL)
    warm_all: bool = False  # request once per sampled citizen before measuring
    note: str = ""


def facility_paths(prefix: str) -> list[str]:
    from urllib.parse import urlencode

    return [f"{prefix}?{urlencode({'q': q})}" for q in FACILITY_QUERIES]


TARGETS = [
    Target("bare view (baseline)", ["/healthz/"], baseline=True),
    Target("home page", ["/"]),
    Target("sign-in page", ["/dang-nhap/"], note="GET; the Argon2 check is timed apart"),
    Target("BHYT card page", ["/ca-nhan/the-bhyt/"], who="citizen", registry=True),
    Target(
        "BHYT card PNG",
        ["/ca-nhan/the-bhyt/the-bhyt.png"],
        who="citizen",
        registry=True,
        warm_all=True,
        note="cached by its data; drawing one is timed apart",
    ),
    Target("history page", ["/ca-nhan/qua-trinh-tham-gia/"], who="citizen", registry=True),
    Target("mã số lookup page", ["/tra-cuu/ma-so-bhxh/"], note="GET; the lookup is timed apart"),
    Target("facility search", facility_paths("/tra-cuu/co-so-kcb/")),
    Target(
        "staff queue",
        ["/can-bo/to-khai/", "/can-bo/"],
        who="staff",
        optional=True,
        registry=True,
        note="first of the paths that answers 200",
    ),
    Target("API /me/card", ["/api/v1/me/card"], who="citizen", registry=True),
    Target("API /me/history", ["/api/v1/me/history"], who="citizen", registry=True),
    Target("API /me/visits", ["/api/v1/me/visits"], who="citizen", registry=True),
    Target("API facilities", facility_paths("/api/v1/lookup/facilities/")),
]


def log(message: str) -> None:
    print(f"[{dt.datetime.now(dt.UTC):%H:%M:%S}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_env() -> dict:
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY=env.get("SECRET_KEY") or "bench-only-secret-key-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="false",
        DJANGO_SETTINGS_MODULE="vssid_portal.settings",
        LOG_LEVEL="WARNING",
        # As behind one load balancer: wrk sends a different client address
        # per request, so per-IP search limits count citizens, not the bench.
        TRUSTED_PROXY_COUNT="1",
    )
    env.setdefault("DATABASE_URL", f"sqlite:///{OUT / 'bench.sqlite3'}")
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def setup(env: dict, persons: int = 0) -> bool:
    """Prepare the database; True when the registry targets can run."""
    OUT.mkdir(parents=True, exist_ok=True)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_reference_data")
    manage(env, "collectstatic", "--noinput", "-v0")
    if not env["DATABASE_URL"].startswith("postgres") or persons <= 0:
        return False
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--persons", str(persons)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return True


# In-process preparation --------------------------------------------------------
def session_cookie(user) -> str:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts.sessions import LAST_ACTIVITY, SIGNED_IN_AT

    now = int(time.time())
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[SIGNED_IN_AT] = now
    session[LAST_ACTIVITY] = now
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def citizens_sign_in(sample: int, persons: int) -> list[str]:
    """Session cookies of ``sample`` random generated persons (accounts made if missing)."""
    from generate import person_number

    from accounts.models import User
    from lookup.models import Province

    provinces = sorted(Province.objects.values_list("code", flat=True))
    rng = random.Random(7)
    numbers = {person_number(rng.randint(1, persons), provinces) for _i in range(sample)}
    existing = set(User.objects.filter(username__in=numbers).values_list("username", flat=True))
    User.objects.bulk_create(
        [User(username=n, password="!") for n in numbers - existing]  # unusable password
    )
    users = User.objects.filter(username__in=numbers)
    users.update(must_change_password=False)
    return [session_cookie(user) for user in users]


def clerk_sign_in() -> list[str]:
    """A clerk of the office with the most generated declarations."""
    from django.db.models import Count

    from accounts.models import StaffProfile, User
    from declarations.models import Declaration

    busiest = Declaration.objects.values("office").annotate(n=Count("pk")).order_by("-n").first()
    if busiest is None:
        return []
    user, _created = User.objects.get_or_create(
        username="bench-clerk", defaults={"is_staff": True, "password": "!"}
    )
    User.objects.filter(pk=user.pk).update(is_staff=True, must_change_password=False)
    StaffProfile.objects.update_or_create(user=user, defaults={"office_id": busiest["office"]})
    user.refresh_from_db()
    return [session_cookie(user)]


def preflight(target: Target, cookies: list[str]) -> dict:
    """Status and the most SQL queries over a few of the target's requests."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    statuses, queries = set(), []
    for i in range(max(len(target.paths), 6)):
        path = target.paths[i % len(target.paths)]
        cookie = cookies[i % len(cookies)] if cookies else ""
        client = Client(HTTP_COOKIE=cookie, REMOTE_ADDR=f"10.9.{i // 250}.{i % 250 + 1}")
        client.get(path)  # first request: the worker's one-off imports
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        statuses.add(response.status_code)
        queries.append(len(ctx))
    return {"statuses": sorted(statuses), "queries": max(queries)}


def time_calls(fn, args_list) -> dict:
    for args in args_list[:5]:
        fn(*args)
    samples = []
    for args in args_list:
        t0 = time.perf_counter()
        fn(*args)
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return {
        "calls": len(samples),
        "p50_ms": round(samples[len(samples) // 2], 2),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2),
        "p99_ms": round(samples[int(len(samples) * 0.99) - 1], 2),
    }


def argon2_cost() -> dict:
    from django.contrib.auth.hashers import Argon2PasswordHasher

    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("mat-khau-cong-dan-123", hasher.salt())
    return time_calls(lambda: hasher.verify("mat-khau-cong-dan-123", encoded), [()] * 30)


def card_drawing_cost() -> dict:
    """Drawing a card PNG without the cache (the first view of a card)."""
    from insurance.card_image import card_png
    from insurance.models import HealthInsuranceCard

    cards = list(HealthInsuranceCard.objects.select_related("person__office").order_by("?")[:25])
    figures = time_calls(
        lambda card: card_png(card=card, person=card.person), [(c,) for c in cards]
    )
    figures["png_kb"] = round(len(card_png(card=cards[0], person=cards[0].person)) / 1024, 1)
    return figures


RECORDS_CACHE_PATHS = [
    "/ca-nhan/the-bhyt/",
    "/ca-nhan/qua-trinh-tham-gia/",
    "/api/v1/me/card",
    "/api/v1/me/history",
]


def records_view_cost(cookies: list[str]) -> dict:
    """A records page on a citizen's first view (cache miss) and on a repeat.

    wrk's 200 rotating citizens mostly repeat their views, so its table shows
    the cached answer; this shows both, one request at a time, in-process.
    """
    from django.test import Client

    from insurance.records_cache import registry_changed

    clients = [Client(HTTP_COOKIE=cookie) for cookie in cookies[:40]]
    figures = {}
    for path in RECORDS_CACHE_PATHS:

        def first_view(client, path=path):
            registry_changed()  # as after a change: nothing cached for anyone
            client.get(path)

        def repeat(client, path=path):
            client.get(path)

        for client in clients:  # their rows in PostgreSQL's cache, as for an active citizen
            client.get(path)
        first = time_calls(first_view, [(c,) for c in clients])
        for client in clients:  # each citizen's page kept once
            client.get(path)
        figures[path] = {"first_view": first, "repeat": time_calls(repeat, [(c,) for c in clients])}
    return figures


def lookup_cost(persons: int, calls: int) -> dict:
    """The mã số BHXH lookup service over random generated persons."""
    from insurance.models import Person
    from lookup.services import insurance_number_lookup

    ids = random.Random(3).sample(range(1, persons + 1), min(calls, persons))
    from generate import person_number

    from lookup.models import Province

    provinces = sorted(Province.objects.values_list("code", flat=True))
    numbers = [person_number(i, provinces) for i in ids]
    people = list(
        Person.objects.filter(insurance_number__in=numbers).values_list(
            "full_name", "date_of_birth", "province_id", "id_number"
        )
    )
    found = []

    def lookup(name, born, province, id_number):
        result = insurance_number_lookup(
            full_name=name,
            date_of_birth=born,
            province_code=province,
            id_number=id_number,
            parent_name="",
        )
        found.append(result.outcome == "found")

    figures = time_calls(lookup, people)
    figures["found"] = f"{sum(found[5:])}/{len(found) - 5}"
    return figures


# gunicorn and wrk ----------------------------------------------------------------
def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    log_file = (OUT / "gunicorn.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "vssid_portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--keep-alive",
            "5",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGTERM)
    raise SystemExit("gunicorn did not start; see bench/out/gunicorn.log")


def worker_rss_mb(master_pid: int) -> list[float]:
    """Resident memory of each gunicorn worker (children of the master), MB."""
    try:
        import psutil

        children = psutil.Process(master_pid).children()
        return [round(c.memory_info().rss / 2**20, 1) for c in children]
    except ImportError:
        out = subprocess.run(
            ["ps", "-o", "rss=", "--ppid", str(master_pid)], capture_output=True, text=True
        )
        return [round(int(x) / 1024, 1) for x in out.stdout.split()]


def run_wrk(port, paths, cookies, seconds, connections, threads) -> dict:
    paths_file = OUT / "paths.txt"
    cookies_file = OUT / "cookies.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    cookies_file.write_text("\n".join(cookies) + "\n" if cookies else "")
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(ROOT / "bench" / "rotate.lua"),
            f"http://127.0.0.1:{port}{paths[0]}",
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "BENCH_PATHS": str(paths_file), "BENCH_COOKIES": str(cookies_file)},
    )
    line = next(x for x in out.stdout.splitlines() if x.startswith("JSON "))
    data = json.loads(line[5:])
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    return data


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine_description(env: dict, workers: int, args) -> dict:
    cpu = ""
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        cpu = platform.processor()
    memory_gb = None
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory_gb = round(kb / 2**20, 1)
    except (OSError, ValueError, IndexError):
        pass
    from django.db import connection

    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gb": memory_gb,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "database": f"{connection.vendor} {connection.Database.__name__}"
        + (f" (server {connection.pg_version})" if connection.vendor == "postgresql" else ""),
        "cache": "redis" if env.get("REDIS_URL") else "locmem",
        "gunicorn_workers": workers,
        "wrk": f"{args.threads} threads, {args.connections} connections, "
        f"{args.warmup}s warm-up + {args.duration}s per target",
    }


# Output ----------------------------------------------------------------------------
def print_table(rows: list[dict]) -> str:
    header = (
        f"{'target':24} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'queries':>7} {'non2xx':>6} {'vs bare':>7}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        if r.get("skipped"):
            lines.append(f"{r['name']:24} skipped: {r['skipped']}")
            continue
        lines.append(
            f"{r['name']:24} {r['rps']:7.0f} {r['p50_us'] / 1000:7.2f} {r['p95_us'] / 1000:7.2f} "
            f"{r['p99_us'] / 1000:7.2f} {r['queries']:7d} {r['non2xx']:6d} {r['ratio']:7.2f}"
        )
    return "\n".join(lines)


def save_chart(rows: list[dict], machine: dict, path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib is missing (requirements-dev.txt): no chart")
        return False
    measured = [r for r in rows if not r.get("skipped")]
    names = [r["name"] for r in measured][::-1]
    rps = [r["rps"] for r in measured][::-1]
    p95 = [r["p95_us"] / 1000 for r in measured][::-1]
    base = next(r["rps"] for r in measured if r["baseline"])
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 0.45 * len(names) + 1.8), sharey=True)
    colors = ["#0b5d63" if r / base >= 0.5 else "#be1e2d" for r in rps]
    left.barh(names, rps, color=colors)
    left.axvline(base * 0.5, color="#4d5a63", linestyle="--", linewidth=1)
    left.set_xlabel("requests/s (dashed: 0.5 × bare view)")
    for y, value in enumerate(rps):
        left.text(value, y, f" {value:.0f} ({value / base:.2f})", va="center", fontsize=8)
    right.barh(names, p95, color="#4d5a63")
    right.axvline(50, color="#be1e2d", linestyle="--", linewidth=1)
    right.set_xlabel("p95 latency, ms (dashed: 50 ms target)")
    for y, value in enumerate(p95):
        right.text(value, y, f" {value:.1f}", va="center", fontsize=8)
    fig.suptitle(
        f"VssID Portal — {machine['cpus']} CPUs, {machine['gunicorn_workers']} gunicorn workers, "
        f"{machine['wrk']}; {machine['date']}",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000, help="registry size (PG)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per target")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per target")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--sample", type=int, default=200, help="signed-in citizens")
    parser.add_argument("--lookups", type=int, default=500, help="in-process mã số lookups")
    parser.add_argument(
        "--memory-requests",
        type=int,
        default=100_000,
        help="requests served in all before reading worker memory (0: skip)",
    )
    parser.add_argument(
        "--memory-seconds",
        type=int,
        default=900,
        help="stop the memory phase after this long even if fewer requests were served",
    )
    parser.add_argument("--only", default="", help="comma-separated target names to run")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")

    env = bench_env()
    log(f"preparing {env['DATABASE_URL'].split('@')[-1]}")
    registry = setup(env, args.persons)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()

    only = {name.strip() for name in args.only.split(",") if name.strip()}
    targets = [t for t in TARGETS if t.baseline or not only or t.name in only]
    cookies = {"anonymous": [], "citizen": [], "staff": []}
    if registry:
        cookies["citizen"] = citizens_sign_in(args.sample, args.persons)
        cookies["staff"] = clerk_sign_in()
        log(f"{len(cookies['citizen'])} citizens and {len(cookies['staff'])} clerk signed in")

    rows: list[dict] = []
    runnable: list[tuple[Target, dict]] = []
    for target in targets:
        row = asdict(target)
        rows.append(row)
        if target.registry and not registry:
            row["skipped"] = "needs the registry (PostgreSQL DATABASE_URL)"
            continue
        if target.optional:
            # Keep the first path that answers; the page may not exist yet.
            for path in target.paths:
                check = preflight(Target(target.name, [path]), cookies[target.who])
                if check["statuses"] == [200]:
                    target = Target(**{**asdict(target), "paths": [path]})
                    row["paths"] = [path]
                    break
            else:
                row["skipped"] = "no such page in this build"
                continue
        if target.warm_all:
            # Steady state: each sampled citizen's card drawn (and cached) once.
            from django.test import Client

            for cookie in cookies[target.who]:
                Client(HTTP_COOKIE=cookie).get(target.paths[0])
        row.update(preflight(target, cookies[target.who]))
        if row["statuses"] != [200]:
            log(f"warning: {target.name} answers {row['statuses']} in-process")
        runnable.append((target, row))

    extra = {"argon2_verify": argon2_cost()}
    log(f"Argon2 verify: p50 {extra['argon2_verify']['p50_ms']} ms")
    if registry:
        extra["card_png_drawing"] = card_drawing_cost()
        log(f"drawing a card PNG (cache miss): {extra['card_png_drawing']}")
        extra["records_views"] = records_view_cost(cookies["citizen"])
        log(f"records pages, first view and repeat: {extra['records_views']}")
        extra["ma_so_lookup_service"] = lookup_cost(args.persons, args.lookups)
        log(f"mã số lookup service: {extra['ma_so_lookup_service']}")
    from django.db import connections

    connections.close_all()

    port = free_port()
    load_before = load_average()
    proc = start_gunicorn(env, port, args.workers)
    served = 0
    try:
        rss_start = worker_rss_mb(proc.pid)
        for target, row in runnable:
            log(f"wrk: {target.name}")
            jar = cookies[target.who]
            warm = run_wrk(port, target.paths, jar, args.warmup, args.connections, args.threads)
            result = run_wrk(port, target.paths, jar, args.duration, args.connections, args.threads)
            served += warm["requests"] + result["requests"]
            row.update(result)
        base = next(r for r in rows if r["baseline"])["rps"]
        for row in rows:
            if not row.get("skipped"):
                row["ratio"] = row["rps"] / base
        (OUT / "results.txt").write_text(print_table(rows) + "\n")  # kept if stopped later
        log("table saved to bench/out/results.txt")
        started = time.monotonic()
        if args.memory_requests:
            mix = [p for t, _r in runnable if not t.baseline for p in t.paths]
            jar = cookies["citizen"]
            per_second = statistics.median(r["rps"] for _t, r in runnable if not _t.baseline)
            remaining = args.memory_requests - served
            log(f"memory: {remaining:,} more requests over the mix (~{per_second:.0f}/s)")
            while remaining > 0 and time.monotonic() - started < args.memory_seconds:
                seconds = max(5, min(120, int(remaining / per_second) + 1))
                seconds = max(
                    5, min(seconds, int(args.memory_seconds - (time.monotonic() - started)))
                )
                result = run_wrk(port, mix, jar, seconds, args.connections, args.threads)
                served += result["requests"]
                remaining = args.memory_requests - served
                per_second = result["rps"]
        rss_end = worker_rss_mb(proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
    load_after = load_average()

    machine = machine_description(env, args.workers, args)
    machine["load_average_before_after"] = [load_before, load_after]
    memory = {
        "requests_served": served,
        "worker_rss_mb_at_start": rss_start,
        "worker_rss_mb_at_end": rss_end,
    }
    table = print_table(rows)
    print()
    print(table)
    print()
    argon = extra["argon2_verify"]
    print(
        f"sign-in: one Argon2 check p50 {argon['p50_ms']} ms, p95 {argon['p95_ms']} ms "
        f"(≈ {1000 / argon['p50_ms']:.0f} sign-ins/s per core at most)"
    )
    if "card_png_drawing" in extra:
        drawing = extra["card_png_drawing"]
        print(
            f"card PNG drawn on a cache miss: p50 {drawing['p50_ms']} ms, p95 {drawing['p95_ms']} ms"
        )
    for path, views in extra.get("records_views", {}).items():
        first, repeat = views["first_view"], views["repeat"]
        print(
            f"{path} in-process: first view (cache miss) p50 {first['p50_ms']} ms, "
            f"p95 {first['p95_ms']} ms; repeat p50 {repeat['p50_ms']} ms, p95 {repeat['p95_ms']} ms"
        )
    if "ma_so_lookup_service" in extra:
        lookup = extra["ma_so_lookup_service"]
        print(
            f"mã số lookup service: p50 {lookup['p50_ms']} ms, p95 {lookup['p95_ms']} ms, "
            f"p99 {lookup['p99_ms']} ms over {lookup['calls']} calls (found {lookup['found']})"
        )
    print(
        f"memory: {served:,} requests served; worker RSS {rss_start} MB at start, "
        f"{rss_end} MB at the end"
    )
    print(f"machine: {json.dumps(machine, ensure_ascii=False)}")
    results = {"machine": machine, "rows": rows, "extra": extra, "memory": memory}
    (OUT / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    (OUT / "results.txt").write_text(table + "\n")
    chart = save_chart(rows, machine, OUT / "results.png")
    print(f"saved {OUT / 'results.json'}" + (f" and {OUT / 'results.png'}" if chart else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
