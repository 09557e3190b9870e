"""One environment-driven settings module.

SQLite (WAL) in ``SOMU_DATA_DIR`` by default; PostgreSQL when ``DATABASE_URL`` is set.
Every value a deployment may need to change is read from the environment here and nowhere else.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("SOMU_DATA_DIR", "somu-data")).resolve()


def _secret_key() -> str:
    """SECRET_KEY from the environment, else generated once and kept in the data directory."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        # O_EXCL: when several processes start at once only one writes the key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# Previous SECRET_KEYs (comma-separated), newest first, while rotating: encrypted values saved
# under them (chat webhook URLs and tokens) stay readable until `somu manage reencrypt_secrets`.
SOMU_OLD_SECRET_KEYS = tuple(_env_list("SOMU_OLD_SECRET_KEYS", ""))
DEBUG = _env_bool("SOMU_DEBUG")
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "somu.core",
    "somu.org",
    "somu.audit",
    "somu.survey",
    "somu.jobs",
    "somu.notify",
    "somu.procedures",
    "somu.approvals",
    "somu.expenses",
    "somu.plans",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "somu.core.middleware.RequestIdMiddleware",
    "somu.core.middleware.ApiErrorBodyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "somu.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "somu.org.middleware.TenancyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "somu.urls"
WSGI_APPLICATION = "somu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "somu.shell.context_processors.shell",
            ],
            "builtins": ["somu.core.templatetags.somu"],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.config(conn_max_age=60, conn_health_checks=True),
    }
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "somu.sqlite3"),
            "OPTIONS": {
                # Writers take the lock when the transaction starts instead of failing half way
                # through with "database is locked"; readers are never blocked in WAL mode.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"

# --- Auth and security -------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Failed logins per account (and per client address) within the window before logins are refused.
SOMU_LOGIN_MAX_FAILURES = int(os.environ.get("SOMU_LOGIN_MAX_FAILURES", "5"))
SOMU_LOGIN_WINDOW_SECONDS = int(os.environ.get("SOMU_LOGIN_WINDOW_SECONDS", "900"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Behind HTTPS (directly or via a TLS-terminating proxy) cookies must never travel in clear text.
SOMU_HTTPS = _env_bool("SOMU_HTTPS")
if SOMU_HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("SOMU_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SOMU_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = False
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Load balancers probe over plain HTTP; a redirect would mark every process as down.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Addresses of the reverse proxies in front of somu. Only requests from them may name the client
# in X-Forwarded-For; otherwise login throttling would count every user as the proxy.
SOMU_PROXY_IPS = frozenset(_env_list("FORWARDED_ALLOW_IPS", "127.0.0.1"))

# --- i18n --------------------------------------------------------------------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One display format of dates for people: 2026-12-05 (土) (see somu/formats/).
FORMAT_MODULE_PATH = ["somu.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("SOMU_TIME_ZONE", "Asia/Tokyo")

# --- Static files ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# The shell's CSS/JS live in the project package, not in an app: the finders must be told.
STATICFILES_DIRS: list[Path] = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# The app serves its static files straight from the package: no collectstatic step to forget.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"

# Large imports are streamed to a temporary file rather than held in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A 入社日 further ahead than this many years is refused as a typo (people, their import).
SOMU_HIRE_DATE_MAX_YEARS_AHEAD = int(os.environ.get("SOMU_HIRE_DATE_MAX_YEARS_AHEAD", "2"))
# The largest file a request takes as an attachment (20 MB unless set).
SOMU_MAX_ATTACHMENT_BYTES = int(os.environ.get("SOMU_MAX_ATTACHMENT_BYTES",
                                               str(20 * 1024 * 1024)))
SOMU_IMPORT_MAX_BYTES = int(os.environ.get("SOMU_IMPORT_MAX_BYTES", str(50 * 1024 * 1024)))

# --- Email -------------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "somu@localhost")
# A hung mail server or chat service must not hold a worker: seconds per blocking call.
EMAIL_TIMEOUT = float(os.environ.get("SOMU_EMAIL_TIMEOUT", "20"))
SOMU_HTTP_TIMEOUT = float(os.environ.get("SOMU_HTTP_TIMEOUT", "10"))
# How long a worker's claim on a job (and on a delivery it sends) lasts: a worker that died frees
# its job after this. Must be longer than the timeouts above (checked at startup).
SOMU_JOB_LEASE_SECONDS = float(os.environ.get("SOMU_JOB_LEASE_SECONDS", "600"))
# The address people reach somu at, for links in emails (questionnaires, reminders).
SOMU_BASE_URL = os.environ.get("SOMU_BASE_URL", "http://127.0.0.1:8000")
# `somu worker` builds the day's overdue/due-soon digests at its first check after this hour.
SOMU_DIGEST_HOUR = int(os.environ.get("SOMU_DIGEST_HOUR", "8"))

# --- Logging -----------------------------------------------------------------------------------
# Log lines carry the request id, never request bodies, query strings or personal data.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "somu.core.requestid.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("SOMU_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django logs 4xx with the full path (search terms are personal data): errors only.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "ERROR"},
    },
}
