"""Blogwerk settings: one module, safe by default, everything read from the environment.

See ``README.md`` for the variables. Defaults suit local development only where DEBUG is on.
"""

import os
from pathlib import Path

import bootstrap
import environ
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

_PACKAGE_DIR = Path(__file__).resolve().parent
if (_PACKAGE_DIR / "templates").is_dir():
    # Installed (pip install .): the project-wide templates, static files and translations
    # are package data of config (see setup.py); data lives where the process is started.
    BASE_DIR = _PACKAGE_DIR
    _DEFAULT_DATA_DIR = Path.cwd()
else:
    # A source checkout: the folders at its top, data beside them.
    BASE_DIR = _PACKAGE_DIR.parent
    _DEFAULT_DATA_DIR = BASE_DIR

# Where the SQLite database, uploads, collected static files and the .env file live unless
# DATABASE_URL, MEDIA_ROOT or STATIC_ROOT say otherwise.
DATA_DIR = Path(os.environ.get("DATA_DIR") or _DEFAULT_DATA_DIR)

env = environ.Env()
environ.Env.read_env(DATA_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-do-not-deploy-8f2b1c")
else:
    SECRET_KEY = env.str("SECRET_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Before contrib.staticfiles so runserver serves static files like production does.
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "reversion",
    "reversion_compare",
    "csp",
    "django_prose_editor",
    "django_tasks",
    "django_tasks_db",
    "core",
    "blog",
    "comments",
    "polls",
    "wpimport",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML is compressed here, outside the page cache: a cached page gets each reader's CSRF
    # token and captcha first, then gzip. BREACH: Django masks the CSRF token anew for every
    # response and pads each gzip stream by a random length; static files come pre-compressed
    # from WhiteNoise, which answers before this line.
    "django.middleware.gzip.GZipMiddleware",
    "csp.middleware.CSPMiddleware",
    # A NUL byte in the address or a header is a 400 before sessions or views read it.
    "core.middleware.RejectNullCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Cached pages for anonymous readers leave here, before URL resolution (core.pagecache).
    "core.pagecache.PageCacheMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Old WordPress links (?p=N, old permalinks on 404) answer with a 301 to the new address.
    "wpimport.middleware.LegacyRedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "csp.context_processors.nonce",
                "blog.context_processors.site",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The test suite's database as a file, so real server processes can share it (tests/live).
    if env.str("SQLITE_TEST_NAME", default=""):
        DATABASES["default"]["TEST"] = {"NAME": env.str("SQLITE_TEST_NAME")}
        Path(DATABASES["default"]["TEST"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Parallel comments and votes must queue, never fail with "database is locked":
    # IMMEDIATE takes the write lock at BEGIN, WAL lets readers run beside the writer.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=20000;"
            "PRAGMA foreign_keys=ON;"
        ),
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Fail fast when the database is unreachable, so /healthz and readers get a 503 quickly.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions ---------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="blogwerk"),
            "OPTIONS": {
                # A Redis outage degrades to "no cache" instead of 500s; limits that need
                # the cache decide for themselves how to fail (see core.ratelimit).
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Without Redis, every process on this machine shares one cache in SQLite files (diskcache):
    # page cache, content versions, rate and flood limits. Never process memory: with several
    # gunicorn workers each would keep its own truth (see core.checks).
    CACHE_DIR = Path(env.str("CACHE_DIR", default=str(DATA_DIR / "var" / "cache")))
    CACHES = {
        "default": {
            "BACKEND": "core.cache.SharedDiskCache",
            "LOCATION": str(CACHE_DIR),
            "SHARDS": 4,
            # Reads never wait for writers (WAL); writes retry past this lock timeout.
            "DATABASE_TIMEOUT": 0.05,
            "OPTIONS": {"size_limit": env.int("CACHE_SIZE_LIMIT", default=512 * 1024 * 1024)},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Auth -------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# --- i18n -------------------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="de")
LANGUAGES = [("de", _("German")), ("en", _("English"))]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Berlin")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static and media files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(DATA_DIR / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap from django-bootstrap-static, under the name the templates use.
    ("vendor/bootstrap", Path(bootstrap.__file__).resolve().parent / "static" / "bootstrap"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))
# Let Django serve uploads itself (single-box set-ups, tests); behind a proxy let the proxy do it.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)
# Uploads in S3-compatible object storage (pip install ".[s3]"), so every app server on
# every machine sees the same media; credentials come from the usual AWS_* variables.
S3_BUCKET = env.str("S3_BUCKET", default="")
if S3_BUCKET:
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.str("S3_ENDPOINT_URL", default=None),
            "region_name": env.str("S3_REGION", default=None),
            "custom_domain": env.str("S3_CUSTOM_DOMAIN", default=None),
            "location": env.str("S3_LOCATION", default="media"),
            "default_acl": None,
            "querystring_auth": False,
            "file_overwrite": False,
        },
    }
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploads larger than this go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- E-mail -----------------------------------------------------------------------------
_email = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(_email)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Blogwerk <blog@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds an SMTP connection may block: a hung mail server delays a worker, never for long.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)

# --- Background tasks ---------------------------------------------------------------------
# Django's tasks API (django-tasks, built into Django 6) with the database backend: tasks are
# rows in this database, written in the same transaction as the change that causes them, so
# no broker is needed and none can lose them. Also with REDIS_URL: Redis is a cache here
# (it may evict, and an outage is tolerated), no place for mail that must not get lost.
# `python manage.py blogwerk_worker` runs them, retries with backoff, and runs the periodic
# jobs (see core/tasks.py) — no cron lines.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A task still "running" this many seconds after it started lost its worker (killed,
# machine gone) and is run again. Far above any job's run time: a mail takes EMAIL_TIMEOUT.
TASKS_LEASE_SECONDS = env.int("TASKS_LEASE_SECONDS", default=600)

# --- Security ---------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "core.errors.csrf_failure"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

EMBED_MASTODON_HOSTS = env.list("EMBED_MASTODON_HOSTS", default=["mastodon.social"])


def _embed_frame_hosts():
    from blog.embeds import frame_hosts

    return frame_hosts(EMBED_MASTODON_HOSTS)


# No inline scripts anywhere: every script is a static file. Inline style attributes are
# allowed because the admin and Bootstrap's width utilities for poll bars need them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # A nonce only where a page asks for one (the editor's import map in the admin).
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        # Images from other hosts (e.g. an old WordPress site's uploads) only where listed.
        "img-src": [SELF, "data:", *env.list("CSP_IMG_HOSTS", default=[])],
        "font-src": [SELF],
        # Frames only from the players of two-click embeds, after the reader's click.
        "frame-src": [SELF, *_embed_frame_hosts()],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Third-party apps --------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

CAPTCHA_TEST_MODE = env.bool("CAPTCHA_TEST_MODE", default=False)

RATELIMIT_ENABLED = env.bool("RATELIMIT_ENABLED", default=True)
# How many reverse proxies in front of the app append to X-Forwarded-For (0: trust none).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Keyed hashes of IP addresses (votes, share counts) use this pepper, separate from
# SECRET_KEY so rotating one does not reset the other.
IP_HASH_KEY = env.str("IP_HASH_KEY", default=SECRET_KEY)

# --- Logging ----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django_redis": {"level": "WARNING"},
    },
}

SITE_NAME = env.str("SITE_NAME", default="Blogwerk")
# The site's public address for absolute links in mails and feeds, e.g.
# https://blog.example.org. Required without DEBUG (check --deploy reports it missing); when
# unset, the one CSRF_TRUSTED_ORIGINS entry a single-site deployment has is that address.
_SITE_ORIGINS = [origin for origin in CSRF_TRUSTED_ORIGINS if "*" not in origin]
SITE_URL = env.str(
    "SITE_URL", default=_SITE_ORIGINS[0] if len(CSRF_TRUSTED_ORIGINS) == len(_SITE_ORIGINS) == 1 else ""
).rstrip("/")
