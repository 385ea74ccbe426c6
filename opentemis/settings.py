"""OpenTEMIS settings: one module, driven by environment variables.

Defaults give the embedded setup (SQLite under var/, local file storage, local-memory cache), so
`make demo` and `make test` need no other server. Production sets DATABASE_URL (PostgreSQL),
REDIS_URL and the S3 variables; see docs/operations.md.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.utils.translation import gettext_lazy as _

# Django's generic classes written as the type checker reads them (``admin.ModelAdmin[User]``,
# ``Paginator[Person]``) work at run time too. django-stubs-ext comes with django-tasks, which
# also calls this on import; called here so that it does not depend on the order of the apps.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("OPENTEMIS_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("OPENTEMIS_REQUIRE_SECRET", False):
        raise RuntimeError("SECRET_KEY must be set in production")
    SECRET_KEY = "insecure-dev-key-change-me-" + "x" * 32

ALLOWED_HOSTS = [
    h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "axes",
    "treebeard",
    "opentemis.core",
    "opentemis.orgs",
    "opentemis.staff",
    "opentemis.accounts",
    "opentemis.standards",
    "opentemis.evidence",
    "opentemis.evaluations",
    "opentemis.training",
    "opentemis.plans",
    "opentemis.cascade",
    "opentemis.learning",
    "opentemis.materials",
    "opentemis.packages",
    "opentemis.quizzes",
    "opentemis.products",
    "opentemis.forums",
    "opentemis.classes",
    "opentemis.surveys",
    "opentemis.certificates",
    "opentemis.jobs",
    "opentemis.reports",
    "opentemis.notifications",
    "opentemis.tracking",
    "opentemis.audits",
    "opentemis.loop",
    "opentemis.site",
    # After opentemis.jobs, whose `db_worker` (the library's, plus the lease sweeps) overrides
    # theirs: the first app listed wins a command name.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # First: a request that waited too long in the proxy's queue is shed before any work
    # (sessions, database) is spent on it (core/admission.py).
    "opentemis.core.admission.AdmissionMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's GZipMiddleware for text (pages, HTMX partials, the API); downloads are left as
    # they are. Static files come precompressed from WhiteNoise, above, which answers them before
    # this runs. Above everything that reads or writes the body. BREACH: CSRF tokens are masked
    # afresh for every response and Django pads each gzip response; see docs/operations.md.
    "opentemis.core.compression.TextGZipMiddleware",
    # Pins a browser that wrote to the primary for a while; unused without a replica.
    "opentemis.core.replicas.ReplicaPinMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "opentemis.core.middleware.SlidingSessionMiddleware",
    # Vietnamese unless the person chose another language; the browser's is ignored.
    "opentemis.core.locale.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "opentemis.core.middleware.DraftSafetyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "opentemis.core.middleware.ScopeMiddleware",
    "opentemis.core.params.InputGuardMiddleware",  # 400 for NUL bytes, over-long values
    "opentemis.accounts.middleware.ForcePasswordChangeMiddleware",
    # Last, so that a lockout answer comes after the session and scope are in place.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "opentemis.urls"
WSGI_APPLICATION = "opentemis.wsgi.application"
ASGI_APPLICATION = "opentemis.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "opentemis" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "opentemis.accounts.context_processors.navigation",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'opentemis.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        # A persistent connection is checked (SELECT 1) before its first use in each request
        # and replaced if the server dropped it (restart, failover, terminated sessions), so
        # a database that came back answers the next request instead of one 500 per worker.
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the demo server and a CLI import share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# A PostgreSQL streaming replica (docs/operations.md, "Read replicas"; decision 0026): reports,
# progress pages, lists and exports marked in their views read from it, unless it lags more
# than REPLICA_MAX_LAG_SECONDS or cannot be reached (checked every REPLICA_CHECK_SECONDS per
# process, connecting for at most REPLICA_CONNECT_TIMEOUT), and except for a browser that
# wrote in the last REPLICA_PIN_SECONDS (or the replica's lag, if longer). Unset: one database.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
REPLICA_PIN_SECONDS = int(os.environ.get("REPLICA_PIN_SECONDS", "10"))
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "30"))
REPLICA_CHECK_SECONDS = float(os.environ.get("REPLICA_CHECK_SECONDS", "5"))
REPLICA_CONNECT_TIMEOUT = int(os.environ.get("REPLICA_CONNECT_TIMEOUT", "2"))
DATABASE_ROUTERS: list[str] = []
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = REPLICA_CONNECT_TIMEOUT
    # Tests read the replica through the test database (no second copy is made).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["opentemis.core.replicas.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # One Redis shared by every node: the cache, the sign-in counters, and the sessions, which
    # are read from Redis and kept in the database behind it (a Redis restart loses none). A
    # Redis that is down or restarting is a miss, never an error (opentemis/core/cache.py;
    # docs/operations.md, "Redis").
    CACHES = {
        "default": {"BACKEND": "opentemis.core.cache.TolerantRedisCache", "LOCATION": REDIS_URL}
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
# Where core's fail-closed scoping reads a user's visible subtrees (the paths of their active
# roles). core imports no app; the roles' owner is named here (docs/decisions/0014-layers.md).
SCOPE_PATHS_RESOLVER = "opentemis.accounts.permissions.scope_paths"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "opentemis.accounts.backends.StaffCodeOrUsernameBackend",
]
# Argon2id with OWASP's parameters first (opentemis/accounts/hashers.py, decision 0011); the
# PBKDF2 hashes stored before it still verify and are re-hashed with Argon2id at the next
# successful sign-in (Django's check_password upgrades any hash not made by the first hasher).
PASSWORD_HASHERS = [
    "opentemis.accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    # Initial passwords from bulk provisioning: cheaper to hash, must be changed at first login,
    # and upgraded to the first hasher when they are. See docs/decisions/0003-initial-passwords.md.
    "opentemis.accounts.hashers.InitialPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in limits: docs/decisions/0011-sign-in.md and opentemis/accounts/signin.py.
# Lock by the pair (account, address): one school behind a shared address is not locked out
# because one account was guessed at, and one account is not locked for everybody everywhere.
# The account is named the same whatever was typed (username or staff code, any case).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "opentemis.accounts.signin.lockout_username"
AXES_CLIENT_IP_CALLABLE = "opentemis.core.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_VERBOSE = False
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Password spraying (one address, many accounts): past this many failures from one address in
# the current and previous window (seconds), the address is refused except for accounts that
# signed in from that browser or address within SIGNIN_STANDING_DAYS. 0 switches it off.
SIGNIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("SIGNIN_ADDRESS_FAILURE_LIMIT", "50"))
SIGNIN_ADDRESS_WINDOW = int(os.environ.get("SIGNIN_ADDRESS_WINDOW", str(15 * 60)))
SIGNIN_STANDING_DAYS = int(os.environ.get("SIGNIN_STANDING_DAYS", "90"))
# The reverse proxies in front of the application (addresses or networks, comma-separated):
# X-Forwarded-For is believed only from them (opentemis/core/client_ip.py), and so is the
# X-Forwarded-Proto that tells Django the request came over HTTPS.
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]
# API tokens stop working this long after they were issued (seconds; default one day).
API_TOKEN_TTL = int(os.environ.get("API_TOKEN_TTL", str(24 * 3600)))
# Self-service password reset links work once, for this long (seconds; Django's setting).
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(3 * 24 * 3600)))

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
FORMAT_MODULE_PATH = ["opentemis.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "opentemis" / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
WHITENOISE_USE_FINDERS = DEBUG
# Static files are collected under content-hashed names (app.3f2a9c.css): those WhiteNoise sends
# as cacheable for ten years and "immutable", since a change gives a new name. A file asked for
# by its plain name (nothing in the pages does) may be cached this many seconds.
WHITENOISE_MAX_AGE = int(os.environ.get("WHITENOISE_MAX_AGE", "3600"))

STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Needs `collectstatic` (its manifest maps names to hashed names): `make demo`, `make serve`,
    # `make bench` and the deployment steps run it. The tests use the plain storage (conftest.py).
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if os.environ.get("S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID"),
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# Uploads: spreadsheets are streamed to disk past 2.5 MB; the import itself caps the size.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 5_242_880
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "100000"))
# Longest value of a query parameter, and of a form field or JSON string, in characters; longer
# ones (and control characters) are answered 400 before any view runs (core/params.py).
INPUT_MAX_QUERY_VALUE = int(os.environ.get("INPUT_MAX_QUERY_VALUE", "2000"))
INPUT_MAX_FORM_VALUE = int(os.environ.get("INPUT_MAX_FORM_VALUE", "200000"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "opentemis.accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "opentemis.core.api.CappedPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # A stale version answers the one 409 body of every versioned record (core/conflicts.py).
    "EXCEPTION_HANDLER": "opentemis.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OpenTEMIS API",
    "DESCRIPTION": "Units and staff of Vietnam's education sector, scoped to the caller's units.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Several models have a `status` or `kind`: name each enum in the schema.
    "ENUM_NAME_OVERRIDES": {
        "EvaluationStatusEnum": "opentemis.evaluations.models.Status",
        "CycleStatusEnum": "opentemis.evaluations.models.CycleStatus",
        "EvaluationKindEnum": "opentemis.evaluations.models.EvaluationKind",
        "UnitKindEnum": "opentemis.orgs.models.UnitKind",
        "UnitStatusEnum": "opentemis.orgs.models.UnitStatus",
        "CatalogueKindEnum": "opentemis.training.models.CatalogueKind",
        "CatalogueStatusEnum": "opentemis.training.models.CatalogueStatus",
        "PlanStatusEnum": "opentemis.plans.models.PlanStatus",
        "PlanChangeStatusEnum": "opentemis.plans.models.ChangeStatus",
    },
}

# HTTPS (docs/operations.md, "Security"): SECURE_COOKIES=1 behind the TLS proxy turns on secure
# cookies, the redirect to HTTPS and HSTS; each can be set on its own.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Sessions slide: a person who keeps working is never signed out; SESSION_IDLE_HOURS without a
# request ends the session. 12 hours: a teacher signs in once a school day (morning lessons,
# afternoon break, evening grading), while a school computer left signed in after the last
# lesson is closed by the next morning (docs/operations.md, "Sessions and drafts"). The expiry
# is pushed forward at most once every SESSION_REFRESH_SECONDS, not on every request, so reads
# and autosaves do not each rewrite the session row (SlidingSessionMiddleware).
SESSION_COOKIE_AGE = int(float(os.environ.get("SESSION_IDLE_HOURS", "12")) * 3600)
SESSION_REFRESH_SECONDS = int(os.environ.get("SESSION_REFRESH_SECONDS", "300"))
# A refused form is a friendly page that can send it again (or JSON for the API and HTMX).
CSRF_FAILURE_VIEW = "opentemis.site.views.csrf_failure"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SESSION_COOKIE_SECURE)
# The load balancer's health probe may come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(
    os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600 if SESSION_COOKIE_SECURE else 0))
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SESSION_COOKIE_SECURE)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SESSION_COOKIE_SECURE)
if TRUSTED_PROXIES:
    # The proxy sets (overwrites) X-Forwarded-Proto; requests reach Django only through it.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Email (reminders to lagging units). SMTP when EMAIL_HOST is set (production); otherwise the
# console backend (development, `make demo`): messages are printed, never lost in a dead relay.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "OpenTEMIS <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The site's address for links in emails, e.g. https://temis.example.edu.vn (no trailing /).
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

STAFF_PAGE_SIZE = 50
# The audit of reads (decision 0012): one audit row per read of other people's staff records
# (a record, a list page, an export). On by default; off only to measure what it costs.
AUDIT_READS = env_bool("OPENTEMIS_AUDIT_READS", True)

# Background work (print-all forms, exports): Django's Tasks API (the django-tasks backport until
# Django 6), stored in the database by default so `make demo` needs no other server; run
# `manage.py db_worker` beside the web server. Tests run tasks immediately.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Online learning's materials (issue 13, docs/operations.md "Videos"): upload limits, how videos
# are streamed (nginx's X-Accel-Redirect location when a proxy serves the files, else presigned
# S3 URLs or ranges from the app itself), and the low-bitrate copy made when ffmpeg is there.
MATERIALS_VIDEO_MAX_BYTES = int(os.environ.get("MATERIALS_VIDEO_MAX_BYTES", str(500 * 1024**2)))
MATERIALS_FILE_MAX_BYTES = int(os.environ.get("MATERIALS_FILE_MAX_BYTES", str(20 * 1024**2)))
MEDIA_ACCEL_REDIRECT = os.environ.get("MEDIA_ACCEL_REDIRECT", "")
MATERIALS_PRESIGNED_SECONDS = int(os.environ.get("MATERIALS_PRESIGNED_SECONDS", "300"))
MATERIALS_TRANSCODE = os.environ.get("MATERIALS_TRANSCODE", "1") not in ("0", "false", "no")
MATERIALS_TRANSCODE_TIMEOUT = float(os.environ.get("MATERIALS_TRANSCODE_TIMEOUT", str(3 * 3600)))

# A job's lease (jobs app, docs/decisions/0008-jobs.md): a running job reports progress at
# least this often (seconds); one silent for longer lost its worker and is queued again, at
# most JOB_MAX_RETRIES times, then failed with a message (its owner can run it again). The
# worker sweeps for such jobs (and for other apps' lost work) every JOB_SWEEP_SECONDS.
JOB_LEASE_SECONDS = int(os.environ.get("JOB_LEASE_SECONDS", "120"))
JOB_MAX_RETRIES = int(os.environ.get("JOB_MAX_RETRIES", "2"))
JOB_SWEEP_SECONDS = float(os.environ.get("JOB_SWEEP_SECONDS", "30"))

# With the database unreachable, pages and the API answer 503 with this Retry-After (seconds).
DB_UNAVAILABLE_RETRY_AFTER = int(os.environ.get("DB_UNAVAILABLE_RETRY_AFTER", "30"))

# Admission control (core/admission.py, docs/operations.md "Overload and admission control"):
# a request that waited in the proxy's queue (X-Request-Start, from TRUSTED_PROXIES only) longer
# than its class's budget (seconds; 0 = never shed) is answered 503 with this Retry-After.
ADMISSION_CONTROL = env_bool("ADMISSION_CONTROL", True)
ADMISSION_BUDGET_COMPLETE = float(os.environ.get("ADMISSION_BUDGET_COMPLETE", "0"))
ADMISSION_BUDGET_WRITE = float(os.environ.get("ADMISSION_BUDGET_WRITE", "8"))
ADMISSION_BUDGET_BROWSE = float(os.environ.get("ADMISSION_BUDGET_BROWSE", "2"))
ADMISSION_BUDGET_REPORT = float(os.environ.get("ADMISSION_BUDGET_REPORT", "1"))
ADMISSION_RETRY_AFTER = int(os.environ.get("ADMISSION_RETRY_AFTER", "10"))

# Evidence uploads (minh chứng): sizes and accepted types, checked by content (see evidence app).
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024)))

# Evaluations: a reviewer finalising before the colleagues' opinions deadline while no opinion
# (for a manager, no poll answer) has arrived is warned and must confirm (page and API alike).
EVALUATION_CONFIRM_FINALISE_WITHOUT_OPINIONS = env_bool(
    "EVALUATION_CONFIRM_FINALISE_WITHOUT_OPINIONS", True
)

# TEMIS report (reports app). Sub-columns (women, DTTS, women DTTS, disadvantaged area) that
# would expose fewer people than this are suppressed (docs/decisions/0009-reports.md).
REPORT_MIN_CELL = int(os.environ.get("REPORT_MIN_CELL", "5"))
# Completion groups of child units: (name, minimum percent finalised), highest first.
REPORT_GROUPS = [("A", 80.0), ("B", 50.0), ("C", 0.0)]
# Summaries older than this are brought up to date before a report is shown (seconds).
REPORT_MAX_STALENESS = int(os.environ.get("REPORT_MAX_STALENESS", "30"))
# A refresh of the summaries holds its year's lock in one transaction; on PostgreSQL the server
# ends one that sits idle longer than this (its process hung or vanished), so the next refresh
# is blocked that long at most (seconds; above the longest pause of a national rebuild).
REPORT_REFRESH_LEASE_SECONDS = float(os.environ.get("REPORT_REFRESH_LEASE_SECONDS", "600"))

# Notices (notifications app): people with pending work are told when a cycle's deadline is
# this many days away (`manage.py send_notices`, daily); e.g. NOTICE_DEADLINE_DAYS=7,1.
# A notice email claimed for sending this long ago (seconds) died with its process: it is sent
# again, NOTICE_EMAIL_MAX_ATTEMPTS attempts in all, then marked failed (notifications/emails.py).
NOTICE_EMAIL_LEASE_SECONDS = int(os.environ.get("NOTICE_EMAIL_LEASE_SECONDS", "600"))
NOTICE_EMAIL_MAX_ATTEMPTS = int(os.environ.get("NOTICE_EMAIL_MAX_ATTEMPTS", "3"))
NOTICE_DEADLINE_DAYS = tuple(
    int(d) for d in os.environ.get("NOTICE_DEADLINE_DAYS", "7,1").split(",") if d.strip()
)
