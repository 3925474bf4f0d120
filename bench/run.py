"""Benchmark the portal's pages against a bare Django view, in one run.

Starts gunicorn with the production settings on loopback, warms up, then
drives wrk against each target in turn and prints one table: requests per
second, latency percentiles, queries per request and the ratio of each
target's requests/s to the bare view's. Results are saved as JSON.

    python bench/run.py [--duration 10] [--connections 16] [--only home,bare]

Uses DATABASE_URL when set (PostgreSQL for the national-scale figures),
otherwise a SQLite file under bench/out/. Needs wrk (Debian package).
"""

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))


@dataclass
class Target:
    name: str
    path: str
    baseline: bool = False


# Later benchmarks add their pages here (and the data they need in setup()).
TARGETS = [
    Target("bare view (baseline)", "/healthz/", baseline=True),
    Target("home page", "/"),
    Target("sign-in page", "/dang-nhap/"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_env() -> dict:
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY=env.get("SECRET_KEY") or "bench-only-secret-key-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        DJANGO_SETTINGS_MODULE="vssid_portal.settings",
        LOG_LEVEL="WARNING",
    )
    env.setdefault("DATABASE_URL", f"sqlite:///{OUT / 'bench.sqlite3'}")
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def setup(env: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_reference_data")
    manage(env, "collectstatic", "--noinput", "-v0")


def queries_per_request(env: dict, path: str) -> int:
    """Count the SQL queries one anonymous request to ``path`` makes."""
    code = (
        "import django, sys; django.setup();"
        "from django.test import Client; from django.test.utils import CaptureQueriesContext;"
        "from django.db import connection;"
        "c = Client(); c.get(sys.argv[1]);"
        "ctx = CaptureQueriesContext(connection)\n"
        "with ctx: r = c.get(sys.argv[1])\n"
        "print(len(ctx.captured_queries))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, path],
        cwd=ROOT,
        env={**env, "ALLOWED_HOSTS": "testserver"},
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    log = (OUT / "gunicorn.log").open("w")
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
        stdout=log,
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


def run_wrk(url: str, duration: int, connections: int, threads: int) -> dict:
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "-s",
            str(ROOT / "bench" / "percentiles.lua"),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(line for line in out.stdout.splitlines() if line.startswith("JSON "))
    data = json.loads(line[5:])
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    return data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per target")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per target")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--only", default="", help="comma-separated target names to run")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")

    env = bench_env()
    setup(env)
    port = free_port()
    targets = [t for t in TARGETS if not args.only or t.name in args.only.split(",") or t.baseline]
    proc = start_gunicorn(env, port, args.workers)
    rows = []
    try:
        for target in targets:
            url = f"http://127.0.0.1:{port}{target.path}"
            run_wrk(url, args.warmup, args.connections, args.threads)
            result = run_wrk(url, args.duration, args.connections, args.threads)
            result.update(asdict(target), queries=queries_per_request(env, target.path))
            rows.append(result)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)

    base = next(r for r in rows if r["baseline"])["rps"]
    header = f"{'target':28} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'queries':>7} {'errors':>6} {'vs bare':>8}"
    print()
    print(header)
    print("-" * len(header))
    for r in rows:
        r["ratio"] = r["rps"] / base
        print(
            f"{r['name']:28} {r['rps']:9.0f} {r['p50_us'] / 1000:8.2f} {r['p95_us'] / 1000:8.2f} "
            f"{r['p99_us'] / 1000:8.2f} {r['queries']:7d} {r['errors']:6d} {r['ratio']:8.2f}"
        )
    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "database": env["DATABASE_URL"].split(":", 1)[0],
        "workers": args.workers,
        "connections": args.connections,
        "duration_s": args.duration,
    }
    print(f"\n{machine}")
    (OUT / "results.json").write_text(json.dumps({"machine": machine, "rows": rows}, indent=2))
    print(f"saved {OUT / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
