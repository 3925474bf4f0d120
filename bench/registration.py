"""Registration with three 3 MB phone photos: the upload step and the submit.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scale python bench/registration.py \\
        [--rounds 30]

Walks the wizard at /dang-ky/ in-process (Django's test client, production
settings, captchas answered through a fixed code) for ``--rounds``
different registry persons made by ``bench/generate.py``. Each round posts
the three photos (4000x3000 JPEGs of about 3.5 MB, like a phone's) to the
upload step, then the review step's "Gửi" (the submit: the declaration row,
the files copied to their final place, the notifications queued). Prints
p50/p95 of both against the bare view, and saves bench/out/registration.json.
Run ``bench/generate.py`` first (or ``bench/run.py``, which does).
"""

import argparse
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def phone_photo(seed: int) -> bytes:
    """A 12-megapixel JPEG of about 3.5 MB (gradient and sensor-like noise)."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:3000, 0:4000]
    base = np.stack([x / 4000 * 200, y / 3000 * 180, (x + y) / 7000 * 220], axis=-1)
    pixels = np.clip(base + rng.normal(0, 10, base.shape), 0, 255).astype("uint8")
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", quality=90)
    return out.getvalue()


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
        "max_ms": round(ordered[-1], 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    os.environ.update(
        DEBUG="false",
        SECRET_KEY=os.environ.get("SECRET_KEY") or "bench-only-secret-key-" + "x" * 40,
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        DJANGO_SETTINGS_MODULE="vssid_portal.settings",
        LOG_LEVEL="WARNING",
        CELERY_TASK_ALWAYS_EAGER="true",
    )
    os.environ.setdefault("PRIVATE_MEDIA_ROOT", str(OUT / "private_media"))
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    import vssid_portal.captcha
    from accounts.models import User
    from declarations.models import Declaration
    from insurance.models import Person
    from lookup.models import Office

    vssid_portal.captcha.generate_code = lambda: "ABCD"
    from vssid_portal.captcha import captcha_new

    photos = [phone_photo(seed) for seed in range(3)]
    print(f"photos: {', '.join(f'{len(p) / 2**20:.1f} MB' for p in photos)}")
    office = Office.objects.filter(level="district", province_id="79").order_by("code").first()
    taken = set(User.objects.values_list("username", flat=True)) | set(
        Declaration.objects.values_list("insurance_number", flat=True)
    )
    people = [
        p
        for p in Person.objects.filter(
            insurance_number__startswith=office.province_id, id_number__regex=r"^[0-9]{12}$"
        ).order_by("-pk")[: args.rounds * 3]
        if p.insurance_number not in taken
    ][: args.rounds]
    if len(people) < args.rounds:
        raise SystemExit("not enough free registry persons: run bench/generate.py")

    timings: dict[str, list[float]] = {"bare view": [], "upload step": [], "submit": []}
    for i, person in enumerate(people):
        client = Client(REMOTE_ADDR=f"10.7.{i // 250}.{i % 250 + 1}")
        t0 = time.perf_counter()
        client.get("/healthz/")
        timings["bare view"].append((time.perf_counter() - t0) * 1000)
        client.post("/dang-ky/", {"kind": "own_account", "action": "continue"})
        response = client.post(
            "/dang-ky/to-khai/",
            {
                "full_name": person.full_name,
                "insurance_number": person.insurance_number,
                "date_of_birth": person.date_of_birth.strftime("%d/%m/%Y"),
                "id_number": person.id_number,
                "contact_address": person.address or "12 Đường số 3, Quận 4",
                "contact_person": person.full_name,
                "email": "",
                "phone": f"0912{i:06d}",
                "action": "continue",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        files = {
            slot: SimpleUploadedFile(f"{slot}.jpg", photo, content_type="image/jpeg")
            for slot, photo in zip(("portrait", "id_front", "id_back"), photos, strict=True)
        }
        t0 = time.perf_counter()
        response = client.post("/dang-ky/anh/", {**files, "action": "continue"})
        timings["upload step"].append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 302, response.content.decode()[:2000]
        response = client.post(
            "/dang-ky/noi-nop/",
            {
                "province": office.code[:3],
                "office": office.code,
                "submission_mode": "at_office",
                "action": "continue",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        t0 = time.perf_counter()
        response = client.post(
            "/dang-ky/xem-lai/",
            {
                "commitment": "on",
                "action": "continue",
                "captcha_0": captcha_new(),
                "captcha_1": "ABCD",
            },
        )
        timings["submit"].append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 302, response.content.decode()[:2000]
    results = {name: percentiles(values) for name, values in timings.items()}
    results["load_average"] = os.getloadavg()
    print(f"\n{'registration':16} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  (n={args.rounds})")
    for name in ("bare view", "upload step", "submit"):
        r = results[name]
        print(f"{name:16} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['max_ms']:8.1f}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "registration.json").write_text(json.dumps(results, indent=2))
    Declaration.objects.filter(insurance_number__in=[p.insurance_number for p in people]).delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
