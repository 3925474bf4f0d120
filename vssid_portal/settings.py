"""Settings for VssID Portal, driven by environment variables.

With nothing set the portal runs on the embedded default: DEBUG, SQLite,
Celery tasks executed eagerly in-process, messages kept in the outbox and
uploads in a local private folder. ``DATABASE_URL`` and ``REDIS_URL`` switch
to PostgreSQL and Redis (cache and Celery broker); ``DEBUG=false`` turns on
the production hardening that ``manage.py check --deploy`` looks for.
"""

import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

import environ
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# GENERAL ---------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=True)
_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"
SECRET_KEY = env("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# APPS ------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "accounts",
    "lookup",
    "insurance",
    "declarations",
    "notifications",
    "support",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "vssid_portal.db_router.ReplicaReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "vssid_portal.ratelimit.RateLimitMiddleware",
]

ROOT_URLCONF = "vssid_portal.urls"
WSGI_APPLICATION = "vssid_portal.wsgi.application"
ASGI_APPLICATION = "vssid_portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vssid_portal.context_processors.portal",
                "notifications.context_processors.inbox",
            ],
        },
    },
]

# Widgets may use templates from templates/ (the captcha does).
# Same templates; selects and inputs drawn in Python (vssid_portal/forms_renderer.py).
FORM_RENDERER = "vssid_portal.forms_renderer.FastWidgetRenderer"

# DATABASES -------------------------------------------------------------------
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-db-url
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A connection broken by a database restart is replaced at the next request
# instead of failing it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # A file, not shared memory: the browser tests' live server reads it
    # from its own thread with its own connection.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test_db.sqlite3")}
# A read replica (PostgreSQL streaming replication) takes the citizens' reads
# of registry and reference data; see vssid_portal/db_router.py and
# docs/scaling.md. The alias always exists (without a URL it is the primary
# itself and the router never uses it); tests mirror it onto the test database.
# https://docs.djangoproject.com/en/5.2/topics/db/multi-db/#automatic-database-routing
_replica_url = env("DATABASE_REPLICA_URL", default="")
DATABASES["replica"] = {
    **(env.db("DATABASE_REPLICA_URL") if _replica_url else DATABASES["default"]),
    "TEST": {"MIRROR": "default"},
}
DATABASES["replica"].setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
DATABASE_REPLICA_READS = bool(_replica_url)
DATABASE_REPLICA_APPS = ("insurance", "lookup")
DATABASE_ROUTERS = ["vssid_portal.db_router.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# CACHES ----------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
            "KEY_PREFIX": "vssid",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Fixed text of the layout and the home page per language ({% cache %} in the
# templates): the same for every visitor and changed only by a deploy, so each
# worker keeps its own copy in memory. Nothing personal goes there.
CACHES["template_fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "template-fragments",
    "TIMEOUT": 24 * 60 * 60,
}

# The registry part of each citizen's records pages and API answers, kept per
# viewer until the registry changes (insurance/records_cache.py); 0 turns it off.
RECORDS_CACHE_SECONDS = env.int("RECORDS_CACHE_SECONDS", default=5 * 60)

# Sessions: in the database, read through Redis when there is one (a signed-
# in page then reads its session without a query; writes go to both).
# https://docs.djangoproject.com/en/5.2/topics/http/sessions/#using-cached-sessions
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

# AUTHENTICATION --------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/dang-nhap/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
# https://docs.djangoproject.com/en/5.2/topics/auth/passwords/#using-argon2-with-django
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "first_name", "email", "phone")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# INTERNATIONALISATION --------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# STATIC AND MEDIA ------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads (ID card photos, portraits) are personal data: they live outside
# any public URL and are served only through views that check the viewer.
MEDIA_STORAGE = env("MEDIA_STORAGE", default="local")
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private_media")))
if MEDIA_STORAGE == "s3":
    # https://django-storages.readthedocs.io/en/latest/backends/amazon-S3.html
    _private_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME", default="vssid-private"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
        },
    }
elif MEDIA_STORAGE == "local":
    _private_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    }
else:
    raise ImproperlyConfigured("MEDIA_STORAGE must be 'local' or 's3'.")
STORAGES = {
    "default": _private_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedStaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 10

# CELERY ----------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
# With acks_late a prefetched task is redelivered if the worker dies, and
# message_deliver's claim keeps that exactly-once; prefetching a few tasks
# per process saves a broker round trip per message (docs/performance.md).
CELERY_WORKER_PREFETCH_MULTIPLIER = env.int("CELERY_PREFETCH_MULTIPLIER", default=4)
# prefork (default) or threads: the SMS worker mostly waits on the gateway,
# so a threads pool with a high -c sends more per core (docs/scaling.md).
CELERY_WORKER_POOL = env("CELERY_WORKER_POOL", default="prefork")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Publishing must not hang a citizen's request when the broker is down: a
# few quick retries, then the periodic sweeper picks the message up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 2,
    "visibility_timeout": 3600,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BEAT_SCHEDULE = {
    # Publishes again the outbox rows the broker lost (down at commit time,
    # worker killed mid-send). Every minute: https://crontab.guru/#*_*_*_*_*
    "notifications-sweep": {"task": "notifications.message_sweep", "schedule": 60.0},
}

# DECLARATIONS (registration wizard) -------------------------------------------
# Abandoned wizard drafts and their uploads are removed after 24 hours;
# checked every hour (seconds; https://docs.celeryq.dev/en/stable/userguide/periodic-tasks.html).
CELERY_BEAT_SCHEDULE["declarations-drafts-purge"] = {
    "task": "declarations.drafts_purge",
    "schedule": 3600.0,
}
# Requests: an approved change of the initial KCB facility takes effect on
# the first day of the next quarter; hourly, idempotent (each applied once).
CELERY_BEAT_SCHEDULE["declarations-requests-apply-due"] = {
    "task": "declarations.requests_apply_due",
    "schedule": 3600.0,
}

# NOTIFICATIONS ---------------------------------------------------------------
SMS_BACKEND = env("SMS_BACKEND", default="outbox")
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER", default="")
TWILIO_API_BASE_URL = env("TWILIO_API_BASE_URL", default="")
# Once a message is sent, replace its full text (initial password, OTP) by
# the redacted copy; the outbox keeps secrets only until they have left.
NOTIFICATIONS_REDACT_SENT = env.bool("NOTIFICATIONS_REDACT_SENT", default=not DEBUG)
# Gateway errors are retried with backoff up to this many attempts in all.
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=12)
# Socket timeout (seconds) for one Twilio request or SMTP conversation.
NOTIFICATIONS_GATEWAY_TIMEOUT = env.float("NOTIFICATIONS_GATEWAY_TIMEOUT", default=10.0)
# SMS of one batch task in flight at once, each on its own kept-alive
# connection: the gateway's latency, not the CPU, bounds a worker process
# that sends one at a time (docs/performance.md, docs/scaling.md).
NOTIFICATIONS_SEND_THREADS = env.int("NOTIFICATIONS_SEND_THREADS", default=8)
# The sweeper publishes again rows queued for longer than this (seconds)...
NOTIFICATIONS_SWEEP_QUEUED_AFTER = env.int("NOTIFICATIONS_SWEEP_QUEUED_AFTER", default=60)
# ...and rows stuck in "sending" (worker killed during the gateway call).
NOTIFICATIONS_SWEEP_SENDING_AFTER = env.int("NOTIFICATIONS_SWEEP_SENDING_AFTER", default=300)
# Message centre: each account's unread count is kept in the cache under
# notifications.selectors.inbox_unread_cache_key and dropped after every
# change; this many seconds bound a count read just before a change commits.
NOTIFICATIONS_INBOX_UNREAD_CACHE_SECONDS = env.int(
    "NOTIFICATIONS_INBOX_UNREAD_CACHE_SECONDS", default=600
)
# Entries per page of /ca-nhan/thong-bao/ and /api/v1/me/messages/.
NOTIFICATIONS_INBOX_PAGE_SIZE = 20
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="VssID Portal <no-reply@vssid.example.vn>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Proxies in front that append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# PORTAL ----------------------------------------------------------------------
HOTLINE = "1900.9068"
HOTLINE_TEL = "19009068"

# Office clocks (Decree 45/2020: a dossier is acknowledged or returned for
# correction within 8 working hours). Working periods of a working day, in
# local time, "HH:MM-HH:MM" separated by commas; Saturdays, Sundays and the
# PublicHoliday rows (reference data) are not working days.
WORKING_HOURS = env("WORKING_HOURS", default="07:30-11:30,13:00-17:00")
DECLARATION_ACKNOWLEDGE_WORKING_HOURS = env.float(
    "DECLARATION_ACKNOWLEDGE_WORKING_HOURS", default=8
)

# REST FRAMEWORK --------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "VssID Portal API",
    "DESCRIPTION": "Dữ liệu và thủ tục của công dân cho ứng dụng di động.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# SECURITY --------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 60 * 60
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies are bound to this host, HTTPS and path "/".
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
if env.bool("BEHIND_PROXY", default=False):
    # Only behind a proxy that overwrites this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy through django-csp 4.
# https://django-csp.readthedocs.io/en/latest/configuration.html
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# LOGGING ---------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "vssid_portal.logformat.SafeFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # fpdf2's font subsetting logs every glyph table at INFO.
        "fontTools": {"level": "WARNING"},
    },
}

# LOOKUPS (issue 8) -----------------------------------------------------------
# Two "level" choice sets (BHXH office level, facility level) need names of
# their own in the OpenAPI schema.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "OfficeLevelEnum": "lookup.models.Office.Level",
        "FacilityLevelEnum": "lookup.models.MedicalFacility.Level",
    }
)
# STAFF REVIEW (issue 5): declaration choice sets named once in the schema.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "DeclarationStatusEnum": "declarations.models.Declaration.Status",
        "DeclarationKindEnum": "declarations.models.Declaration.Kind",
        "StaffQueueStatusEnum": "declarations.selectors.STAFF_QUEUE_STATUSES",
        "ServiceRequestKindEnum": "declarations.requests.models.ServiceRequest.Kind",
    }
)
# ACCOUNT SECURITY (accounts app: sign-in, lockout, OTP, devices) -------------
# Decisions: docs/security.md; requirements: reference/security.md §1–§4.
AUTHENTICATION_BACKENDS = ["accounts.backends.LockoutBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "accounts.validators.CommonPasswordValidator"},
    {
        "NAME": "accounts.validators.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "email", "phone")},
    },
    {"NAME": "accounts.validators.ForbiddenWordsValidator"},
    {"NAME": "accounts.validators.PersonalDataValidator"},
    {"NAME": "accounts.validators.PasswordHistoryValidator"},
]
LOGIN_LOCK_THRESHOLD = 5
LOGIN_CAPTCHA_AFTER = 2  # a captcha is required from the 3rd consecutive failure
INITIAL_PASSWORD_DAYS = 30
PASSWORD_MAX_AGE_DAYS = 183
PASSWORD_REMINDER_DAYS = (14, 3)
PASSWORD_HISTORY_COUNT = 3
OTP_TTL_SECONDS = 300
OTP_RESEND_SECONDS = 60
OTP_MAX_PER_HOUR = 5
OTP_MAX_WRONG_PER_DAY = 20
SESSION_IDLE_TIMEOUT = 30 * 60
SESSION_ABSOLUTE_TIMEOUT = 12 * 60 * 60
DEVICE_COOKIE_NAME = "vssid_device" if DEBUG else "__Host-vssid_device"
DEVICE_COOKIE_AGE = 2 * 365 * 24 * 60 * 60
API_TOKEN_TTL = 12 * 60 * 60
API_REFRESH_TTL = 30 * 24 * 60 * 60
# (limit, window in seconds) per scope; counted in the cache (Redis).
ACCOUNTS_RATE_LIMITS = {
    "sign_in_ip": {"limit": 20, "window": 60},
    "sign_in_account": {"limit": 10, "window": 60},
    "otp_ip": {"limit": 20, "window": 3600},
    "forgot_ip": {"limit": 10, "window": 3600},
    "forgot_account": {"limit": 5, "window": 3600},
    "password_check_account": {"limit": 5, "window": 900},
}
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "accounts.middleware.AccountSecurityMiddleware",
)
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "accounts.api_auth.DeviceTokenAuthentication",
    "rest_framework.authentication.SessionAuthentication",
]
CELERY_BEAT_SCHEDULE["accounts-password-rotation-reminders"] = {
    "task": "accounts.tasks.password_rotation_reminders",
    "schedule": 6 * 60 * 60,  # four times a day; each reminder is queued once per cycle
}
# Every operation documents the shared 400/401/403/404/429 answers.
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "vssid_portal.schema.error_responses_document",
]
# TRANSPARENCY AND STRONGER SIGN-IN (issue 20) ----------------------------------
# The citizen's log (/ca-nhan/nhat-ky/) keeps 5 years, then a daily beat job
# removes older rows (accounts.audit.account_log_purge).
ACCOUNT_LOG_RETENTION_DAYS = env.int("ACCOUNT_LOG_RETENTION_DAYS", default=5 * 365 + 2)
# Display policy: the citizen sees the office and role of a clerk who opened
# their record; the clerk's name only when this is turned on. The row keeps
# the actor for the audit either way.
TRANSPARENCY_LOG_SHOWS_STAFF_NAMES = env.bool("TRANSPARENCY_LOG_SHOWS_STAFF_NAMES", default=False)
# A phone/e-mail change takes effect this long after its e-mail code is
# confirmed; the "Không phải tôi" link in the notice works this many days.
CONTACT_CHANGE_COOLING_OFF_HOURS = 12
CONTACT_CHANGE_REPORT_DAYS = 30
# Authenticator apps show this name above the code.
TOTP_ISSUER = env("TOTP_ISSUER", default="BHXH Việt Nam")
RECOVERY_CODE_COUNT = 10
# Passkeys (WebAuthn): the relying party id is the site's domain. Empty
# means the request's host (already checked against ALLOWED_HOSTS) and its
# origin; set both behind a proxy or when serving several host names.
WEBAUTHN_RP_ID = env("WEBAUTHN_RP_ID", default="")
WEBAUTHN_ORIGIN = env("WEBAUTHN_ORIGIN", default="")
WEBAUTHN_RP_NAME = "BHXH Việt Nam"
CELERY_BEAT_SCHEDULE["accounts-contact-changes-apply"] = {
    "task": "accounts.tasks.contact_changes_apply",
    "schedule": 5 * 60.0,  # a change takes effect at most 5 minutes after its 12 hours
}
CELERY_BEAT_SCHEDULE["accounts-log-purge"] = {
    "task": "accounts.tasks.account_log_purge",
    "schedule": 24 * 60 * 60.0,  # once a day
}
# VERIFIABLE DOCUMENTS (issue 21) ---------------------------------------------
# The PDFs the portal issues (participation extract, BHYT card attestation,
# tờ khai, payment receipts) carry a check code and a QR to /xac-thuc/ and a
# PAdES signature (insurance/signing.py, docs/security.md). Key and
# certificate: a file path or the PEM text itself. Required when DEBUG is
# false (``check --deploy`` reports insurance.E001); with DEBUG a self-signed
# development key is made in DOCUMENT_SIGNING_DEV_DIR at first use.
DOCUMENT_SIGNING_KEY = env("DOCUMENT_SIGNING_KEY", default="")
DOCUMENT_SIGNING_CERT = env("DOCUMENT_SIGNING_CERT", default="")
DOCUMENT_SIGNING_KEY_PASSWORD = env("DOCUMENT_SIGNING_KEY_PASSWORD", default="")
# Certificates of retired keys: documents signed with them still verify.
DOCUMENT_SIGNING_PREVIOUS_CERTS = env.list("DOCUMENT_SIGNING_PREVIOUS_CERTS", default=[])
DOCUMENT_SIGNING_DEV_DIR = Path(
    env("DOCUMENT_SIGNING_DEV_DIR", default=str(BASE_DIR / "var" / "signing"))
)
# Lookups on /xac-thuc/ and /api/v1/documents/ per client IP: every code
# looked up, codes not found (what an enumeration produces), files checked.
VERIFICATION_RATE_LIMITS = {
    "code_ip": {"limit": 60, "window": 600},
    "miss_ip": {"limit": 20, "window": 3600},
    "file_ip": {"limit": 20, "window": 600},
}
# pyHanko logs every untrusted certificate it meets (any uploaded forgery)
# with its subject and a traceback; the verdict is what matters.
LOGGING["loggers"]["pyhanko"] = {"level": "ERROR"}
LOGGING["loggers"]["pyhanko_certvalidator"] = {"level": "ERROR"}

# PAYMENTS (issue 21: voluntary BHXH, household BHYT renewal) -----------------
# The gateway speaks VNPay's API 2.1.0 (insurance/payments/providers.py,
# docs/payments.md). "fake": the portal's own loopback gateway at
# /dev/cong-thanh-toan/ (development, tests, demo; check --deploy refuses it
# with DEBUG off); "vnpay": the real one, with the merchant code and hash
# secret VNPay issues and its payment URL, e.g.
# https://sandbox.vnpayment.vn/paymentv2/vpcpay.html for the sandbox.
PAYMENT_PROVIDER = env("PAYMENT_PROVIDER", default="fake")
PAYMENT_GATEWAY_URL = env("PAYMENT_GATEWAY_URL", default="")
PAYMENT_TMN_CODE = env("PAYMENT_TMN_CODE", default="")
PAYMENT_HASH_SECRET = env("PAYMENT_HASH_SECRET", default="")
# The fake gateway's pages answer (else 404) in development and whenever the
# fake provider is configured.
PAYMENT_FAKE_GATEWAY = env.bool("PAYMENT_FAKE_GATEWAY", default=DEBUG or PAYMENT_PROVIDER == "fake")
# vnp_ExpireDate: the gateway refuses to take money after this many minutes.
PAYMENT_EXPIRE_MINUTES = env.int("PAYMENT_EXPIRE_MINUTES", default=15)
# A pending payment is shown as expired this long after vnp_ExpireDate (the
# gateway's clock and its IPN retries); a success reported later still counts.
PAYMENT_EXPIRE_GRACE_MINUTES = env.int("PAYMENT_EXPIRE_GRACE_MINUTES", default=15)
# The State's support of voluntary BHXH, in percent of the contribution on the
# rural poverty line, by household category (read from the BHYT group: HN
# poor, CN near-poor). Decree 134/2015/NĐ-CP as amended; not in the domain
# reference, so inferred [I]: check the decree in force before relying on it.
PAYMENT_STATE_SUPPORT_PERCENT = {"poor": 30, "near_poor": 25, "other": 10}
# New payments an account may start per hour (each is a gateway transaction).
PAYMENT_CREATE_LIMIT_PER_HOUR = env.int("PAYMENT_CREATE_LIMIT_PER_HOUR", default=20)
# The browser is sent to the gateway after the "Thanh toán" form: CSP's
# form-action must allow the gateway's origin (Chromium applies it to the
# redirect).
_gateway_origin = re.match(r"https?://[^/]+", PAYMENT_GATEWAY_URL)
if _gateway_origin:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(_gateway_origin.group(0))
# Payment choice sets named once in the OpenAPI schema.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "PaymentKindEnum": "insurance.payments.models.PaymentKind",
        "PaymentStatusEnum": "insurance.payments.models.PaymentStatus",
        "PaymentMethodEnum": "insurance.payments.models.VoluntaryMethod",
        "PaymentSupportCategoryEnum": "insurance.payments.models.SupportCategory",
    }
)
# Pending payments past their deadline are marked expired every 5 minutes.
CELERY_BEAT_SCHEDULE["insurance-payments-expire"] = {
    "task": "insurance.payments_expire",
    "schedule": 300.0,
}
