"""Time ``import_registry`` on PostgreSQL (issue 7).

Writes a feed with ``bench/registry_feed.py`` (person + card + about 20
periods each, every 10th person a benefit and a visit), removes the persons
of a previous run (mã số prefix 6), then times three runs of the command:

1. the first import (everything created),
2. the same file again (nothing may change),
3. a corrected feed where every 50th period's salary differs (those rows
   update, nothing else changes).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x python bench/registry_import.py \
        [--persons 100000] [--format csv] [--batch-size 20000] [--runs first,again,corrected]

Prints lines/s and rows/s per run and saves bench/out/registry_import.json.
"""

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "bench"))

from registry_feed import write_feed  # noqa: E402

CLEANUP = [
    "DELETE FROM insurance_participationperiod WHERE person_id IN (SELECT id FROM insurance_person WHERE insurance_number LIKE '6%')",  # noqa: E501
    "DELETE FROM insurance_healthinsurancecard WHERE person_id IN (SELECT id FROM insurance_person WHERE insurance_number LIKE '6%')",  # noqa: E501
    "DELETE FROM insurance_benefitpayment WHERE person_id IN (SELECT id FROM insurance_person WHERE insurance_number LIKE '6%')",  # noqa: E501
    "DELETE FROM insurance_medicalvisit WHERE person_id IN (SELECT id FROM insurance_person WHERE insurance_number LIKE '6%')",  # noqa: E501
    "DELETE FROM insurance_person WHERE insurance_number LIKE '6%'",
]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def psql(url: str, sql: str) -> str:
    p = urlparse(url)
    cmd = ["psql", "-h", p.hostname or "127.0.0.1", "-p", str(p.port or 5432)]
    cmd += ["-U", p.username or "postgres", "-d", p.path.lstrip("/"), "-Atc", sql]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()


def run_import(env: dict, feed: Path, batch_size: int) -> dict:
    t0 = time.monotonic()
    out = subprocess.run(
        [sys.executable, "manage.py", "import_registry", str(feed)]
        + ["--batch-size", str(batch_size), "--progress-every", "1000000"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.monotonic() - t0
    counts = {
        m[1]: {"created": int(m[2].replace(",", "")), "updated": int(m[3].replace(",", ""))}
        for m in re.finditer(r"(\w+): ([\d,]+) created, ([\d,]+) updated", out.stdout)
    }
    lines = int(re.search(r"^([\d,]+) lines in", out.stdout, re.M)[1].replace(",", ""))
    log("\n".join(out.stdout.strip().splitlines()[-6:]))
    # The largest resident set of any import so far (the children's maximum).
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "seconds": seconds,
        "lines": lines,
        "lines_per_s": lines / seconds,
        "counts": counts,
        "peak_rss_mb": peak_mb,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    parser.add_argument("--batch-size", type=int, default=20_000)
    parser.add_argument(
        "--runs",
        default="first,again,corrected",
        help="which of the three imports to time (a 1,000,000-person run may skip 'corrected')",
    )
    args = parser.parse_args()
    runs = [r for r in ("first", "again", "corrected") if r in args.runs.split(",")]
    url = os.environ.get("DATABASE_URL", "")
    if urlparse(url).scheme not in {"postgres", "postgresql"}:
        raise SystemExit("DATABASE_URL must point at PostgreSQL")
    if urlparse(url).path.lstrip("/").startswith("test"):
        raise SystemExit("refusing to use a test database")
    env = {"SECRET_KEY": "bench-only", **os.environ, "DEBUG": "0", "LOG_LEVEL": "WARNING"}
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    if psql(url, "SELECT count(*) FROM lookup_province") == "0":
        subprocess.run(
            [sys.executable, "manage.py", "load_reference_data"], cwd=ROOT, env=env, check=True
        )
    feeds = {}
    for name, corrected in (("feed", 0), ("corrected", 50)):
        if name == "corrected" and "corrected" not in runs:
            continue
        path = OUT / f"registry_{name}_{args.persons}.{args.format}"
        if not path.exists():
            t0 = time.monotonic()
            write_feed(path, persons=args.persons, fmt=args.format, corrected=corrected)
            log(f"wrote {path.name} in {time.monotonic() - t0:.0f}s")
        feeds[name] = path
    log("removing the persons of a previous run (prefix 6)")
    for sql in CLEANUP:
        psql(url, sql)
    existing = int(psql(url, "SELECT count(*) FROM insurance_participationperiod"))
    results = {"persons": args.persons, "format": args.format, "periods_before": existing}
    for label, feed in (("first", "feed"), ("again", "feed"), ("corrected", "corrected")):
        if label not in runs:
            continue
        log(f"import ({label}) of {feeds[feed].name}")
        results[label] = run_import(env, feeds[feed], args.batch_size)
    rows = sum(c["created"] for c in results["first"]["counts"].values())
    results["rows_per_s"] = rows / results["first"]["seconds"]
    results["machine"] = {
        "cpus": os.cpu_count(),
        "load": os.getloadavg(),
        "python": platform.python_version(),
        "postgres": psql(url, "SHOW server_version"),
    }
    print(f"\nimport_registry, {args.persons:,} persons, {args.format}:")
    for label in runs:
        r = results[label]
        changed = sum(c["created"] + c["updated"] for c in r["counts"].values())
        print(
            f"  {label:10} {r['seconds']:7.1f}s {r['lines']:>12,} lines "
            f"{r['lines_per_s']:>9,.0f} lines/s  {changed:,} rows written  "
            f"peak RSS {r['peak_rss_mb']:,.0f} MB"
        )
    per_million = results["first"]["seconds"] * 1_000_000 / args.persons
    print(f"  1,000,000 persons at this rate: {per_million / 60:.1f} min")
    (OUT / "registry_import.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
