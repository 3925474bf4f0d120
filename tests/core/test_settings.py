"""Settings follow the environment: embedded default, real services, production."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
    "'db_name': str(settings.DATABASES['default']['NAME']), "
    "'cache': settings.CACHES['default']['BACKEND'], 'broker': settings.CELERY_BROKER_URL, "
    "'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'debug': settings.DEBUG, "
    "'storage': settings.STORAGES['default']['BACKEND'], "
    "'hasher': settings.PASSWORD_HASHERS[0]}))"
)
CLEAR = [
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "MEDIA_STORAGE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "PAYMENT_PROVIDER",
    "PAYMENT_GATEWAY_URL",
    "PAYMENT_TMN_CODE",
    "PAYMENT_HASH_SECRET",
    "PAYMENT_FAKE_GATEWAY",
]
# Production takes real money: a real merchant (the values are VNPay's sandbox
# examples; check --deploy refuses the fake gateway, insurance/checks.py).
PRODUCTION_GATEWAY = {
    "PAYMENT_PROVIDER": "vnpay",
    "PAYMENT_GATEWAY_URL": "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html",
    "PAYMENT_TMN_CODE": "2QXUI4J4",
    "PAYMENT_HASH_SECRET": "check-deploy-dummy-hash-secret-0123456789",
}


def run_settings(**env) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in CLEAR}
    clean.update(env, DJANGO_SETTINGS_MODULE="vssid_portal.settings")
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_nothing_set_gives_the_embedded_default():
    s = run_settings()
    assert s["debug"] is True
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["cache"].endswith("LocMemCache")
    assert s["broker"] == "memory://"
    assert s["eager"] is True
    assert s["storage"] == "django.core.files.storage.FileSystemStorage"
    assert s["hasher"].endswith("Argon2PasswordHasher")


def test_database_and_redis_urls_switch_to_real_services():
    s = run_settings(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/vssid",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["db_name"] == "vssid"
    assert s["cache"] == "django_redis.cache.RedisCache"
    assert s["broker"] == "redis://127.0.0.1:6379/3"
    assert s["eager"] is False


def test_production_without_a_secret_key_refuses_to_start():
    clean = {k: v for k, v in os.environ.items() if k not in CLEAR}
    clean.update(DEBUG="false", DJANGO_SETTINGS_MODULE="vssid_portal.settings")
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert out.returncode != 0
    assert "SECRET_KEY must be set" in out.stderr


def check_deploy(**env) -> subprocess.CompletedProcess:
    """``manage.py check --deploy --fail-level WARNING`` with production settings and ``env``."""
    clean = {k: v for k, v in os.environ.items() if k not in CLEAR}
    clean.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="example.vn",
        DJANGO_SETTINGS_MODULE="vssid_portal.settings",
        **env,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
    )


@pytest.fixture
def signing(tmp_path) -> dict:
    """A signing key and certificate, as production settings name them."""
    from insurance.signing import signing_key_create

    key, cert = signing_key_create(folder=tmp_path / "signing")
    return {"DOCUMENT_SIGNING_KEY": str(key), "DOCUMENT_SIGNING_CERT": str(cert)}


def test_production_settings_pass_check_deploy(signing):
    out = check_deploy(**signing, **PRODUCTION_GATEWAY)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


def test_production_without_a_document_signing_key_fails_check_deploy():
    out = check_deploy(DOCUMENT_SIGNING_KEY="", DOCUMENT_SIGNING_CERT="", **PRODUCTION_GATEWAY)
    assert out.returncode != 0
    assert "insurance.E001" in out.stdout + out.stderr
    assert "insurance.E011" not in out.stdout + out.stderr


def test_production_refuses_the_fake_payment_gateway(signing):
    """Without a real merchant, check --deploy fails: the fake would credit unpaid months."""
    out = check_deploy(**signing)
    assert out.returncode != 0
    assert "insurance.E011" in out.stderr
    assert "insurance.E001" not in out.stdout + out.stderr
