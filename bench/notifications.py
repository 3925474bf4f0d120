"""Messages per second delivered by one real Celery worker to a fake Twilio.

Starts a loopback fake of Twilio's Messages API (in a process of its own,
so that its HTTP parsing does not share a GIL with the enqueueing) and one
``celery worker`` process (``--concurrency`` children) with
``SMS_BACKEND=twilio`` pointed at the fake, queues ``--messages`` SMS
through ``message_queue`` (in transactions of ``--batch``), and times
from the first commit until every row is ``sent``. Prints the figure and saves it under bench/out/.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_notif_bench \\
    REDIS_URL=redis://127.0.0.1:6379/5 python bench/notifications.py --messages 2000

Needs PostgreSQL (the worker shares the database) and Redis (the broker).
The database is migrated; the rows this run writes are deleted at the end.
"""

import argparse
import json
import multiprocessing
import os
import platform
import sys
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vssid_portal.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# Production settings, as bench/run.py uses; the worker inherits them.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)


def serve_fake_twilio(delay: float, conn) -> None:
    """The fake gateway's process: send its URL, serve until told, send what it received."""
    from tests.notifications.conftest import FakeTwilio, _handler_for

    fake = FakeTwilio(delay=delay)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(fake))
    server.daemon_threads = True
    server.request_queue_size = 128
    threading.Thread(target=server.serve_forever, daemon=True).start()
    conn.send(f"http://127.0.0.1:{server.server_address[1]}")
    conn.recv()
    server.shutdown()
    conn.send((len(fake.requests), fake.bodies()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--gateway-delay", type=float, default=0.0, help="seconds per request")
    parser.add_argument("--pool", default="prefork", help="worker pool: prefork or threads")
    parser.add_argument("--log-level", default="WARNING", help="the worker's log level")
    parser.add_argument(
        "--send-threads",
        type=int,
        default=None,
        help="NOTIFICATIONS_SEND_THREADS for the worker (default: the setting's)",
    )
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url:
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL.")

    # Before Django and any thread: the fork copies nothing that runs.
    conn, child_conn = multiprocessing.Pipe()
    gateway = multiprocessing.get_context("fork").Process(
        target=serve_fake_twilio, args=(args.gateway_delay, child_conn), daemon=True
    )
    gateway.start()
    gateway_url = conn.recv()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction
    from django.db.models import Max, Min

    from kombu import pools

    from notifications.models import Message
    from notifications.services import message_queue
    from tests.conftest import CeleryWorker
    from tests.notifications.conftest import FakeTwilio, twilio_env
    from vssid_portal.celery import app as celery_app

    call_command("migrate", verbosity=0)

    env = {
        **twilio_env(FakeTwilio(url=gateway_url)),
        "CELERY_WORKER_POOL": args.pool,
        "LOG_LEVEL": args.log_level,
    }
    if args.send_threads is not None:
        env["NOTIFICATIONS_SEND_THREADS"] = str(args.send_threads)
    worker = CeleryWorker(redis_url, database_url, extra_env=env)
    pools.reset()
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = redis_url
    celery_app.conf.task_default_queue = worker.queue
    worker.start(concurrency=args.concurrency)

    ids: list[int] = []
    try:
        started = time.monotonic()
        for first in range(0, args.messages, args.batch):
            with transaction.atomic():
                for i in range(first, min(first + args.batch, args.messages)):
                    message = message_queue(
                        channel="sms",
                        recipient=f"+8491{i % 10_000_000:07d}",
                        template="otp",
                        context={"code": f"{i:06d}", "purpose_label": "đăng nhập", "minutes": 5},
                        sensitive=["code"],
                    )
                    ids.append(message.pk)
        queued_in = time.monotonic() - started
        pending = Message.objects.filter(pk__in=ids).exclude(status=Message.Status.SENT)
        deadline = time.monotonic() + max(120, args.messages / 20)
        while pending.exists():
            if time.monotonic() > deadline:
                sys.exit(f"timed out: {pending.count()} of {args.messages} not sent")
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        # The worker's own rate, from its first claim to its last send
        # (the enqueueing above runs at the same time, on the same cores).
        first_claim, last_sent = (
            Message.objects.filter(pk__in=ids)
            .aggregate(first=Min("claimed_at"), last=Max("sent_at"))
            .values()
        )
        worker_seconds = (last_sent - first_claim).total_seconds()
    finally:
        worker.stop()
        conn.send("stop")
        calls, bodies = conn.recv()
        gateway.join(10)

    duplicates = calls - len(bodies)
    result = {
        "messages": args.messages,
        "concurrency": args.concurrency,
        "gateway_delay_s": args.gateway_delay,
        "seconds": round(elapsed, 2),
        "messages_per_second": round(args.messages / elapsed, 1),
        "enqueue_seconds": round(queued_in, 2),
        "worker_seconds": round(worker_seconds, 2),
        "worker_messages_per_second": round(args.messages / worker_seconds, 1),
        "pool": args.pool,
        "send_threads": int(
            env.get("NOTIFICATIONS_SEND_THREADS", settings.NOTIFICATIONS_SEND_THREADS)
        ),
        "gateway_calls": calls,
        "duplicate_calls": duplicates,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    Message.objects.filter(pk__in=ids).delete()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "notifications.json").write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"{args.messages} SMS delivered by one worker (-c {args.concurrency}) to the fake "
        f"Twilio in {elapsed:.2f} s: {result['messages_per_second']} messages/s "
        f"(enqueue {queued_in:.2f} s; worker from first claim to last send "
        f"{worker_seconds:.2f} s = {result['worker_messages_per_second']} messages/s; "
        f"pool {args.pool}, {result['send_threads']} send threads; "
        f"gateway calls {calls}, duplicates {duplicates})"
    )
    return 0 if calls == args.messages and duplicates == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
