"""Settings from the environment, deployment checks and security headers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
PROD_KEY = "prod-" + "k3y" * 20


def manage(*args, env=None):
    """Run manage.py in a clean process with the given environment."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "CAPTCHA_TEST_MODE",
            "RATELIMIT_ENABLED",
            "SECURE_SSL_REDIRECT",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    base.update(env or {})
    if args[0] == "shell":
        args = ("shell", "--no-imports", *args[1:])
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        "SECRET_KEY": PROD_KEY,
        "SITE_URL": "https://blog.example.org",
        "ALLOWED_HOSTS": "blog.example.org",
        # An empty database of its own: the checkout's db.sqlite3 may hold `make run`'s demo logins.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("variable", "code"),
    [("CAPTCHA_TEST_MODE", "blogwerk.E001"), ("RATELIMIT_ENABLED", "blogwerk.E002")],
)
def test_check_deploy_flags_test_switches(variable, code):
    value = "true" if variable == "CAPTCHA_TEST_MODE" else "false"
    result = manage("check", "--deploy", env={"SECRET_KEY": PROD_KEY, variable: value})
    assert result.returncode != 0
    assert code in result.stderr + result.stdout


def test_secret_key_is_required_without_debug():
    result = manage("check", env={})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_debug_has_a_development_key():
    result = manage("check", env={"DEBUG": "true"})
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_responses_carry_security_headers(client):
    response = client.get(reverse("blog:home"))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


@pytest.mark.django_db
def test_foreign_host_header_gets_400(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400


def test_production_cookies_are_secure_and_http_only():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.CSRF_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS > 0, s.SECURE_SSL_REDIRECT)"
    )
    result = manage("shell", "-c", code, env={"SECRET_KEY": PROD_KEY})
    assert result.stdout.split() == ["True"] * 6, result.stderr


@pytest.mark.django_db
def test_sqlite_is_set_up_for_concurrent_writers():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000


def test_sqlite_file_database_uses_wal(tmp_path):
    db = tmp_path / "wal.sqlite3"
    result = manage(
        "shell",
        "-c",
        "from django.db import connection as c; cur=c.cursor(); cur.execute('PRAGMA journal_mode'); print(cur.fetchone()[0])",
        env={"DEBUG": "true", "DATABASE_URL": f"sqlite:///{db}"},
    )
    assert result.stdout.strip().splitlines()[-1] == "wal", result.stderr


def test_redis_url_selects_a_shared_cache_and_sessions():
    code = "from django.conf import settings as s; print(s.CACHES['default']['BACKEND'], s.SESSION_ENGINE)"
    result = manage("shell", "-c", code, env={"DEBUG": "true", "REDIS_URL": "redis://127.0.0.1:6379/9"})
    assert result.stdout.split() == [
        "django_redis.cache.RedisCache",
        "django.contrib.sessions.backends.cached_db",
    ]


def test_database_url_selects_postgresql():
    code = "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'])"
    result = manage(
        "shell", "-c", code, env={"DEBUG": "true", "DATABASE_URL": "postgres://u@127.0.0.1:5432/blogwerk"}
    )
    assert result.stdout.split() == ["django.db.backends.postgresql", "blogwerk"]


def test_s3_bucket_moves_media_to_object_storage():
    code = "from django.conf import settings as s; d=s.STORAGES['default']; print(d['BACKEND'], d['OPTIONS']['bucket_name'], d['OPTIONS']['endpoint_url'])"
    result = manage(
        "shell",
        "-c",
        code,
        env={"DEBUG": "true", "S3_BUCKET": "blog-media", "S3_ENDPOINT_URL": "https://s3.example.org"},
    )
    assert result.stdout.split() == ["storages.backends.s3.S3Storage", "blog-media", "https://s3.example.org"]


def test_media_stays_on_the_file_system_by_default():
    code = "from django.conf import settings as s; print(s.STORAGES['default']['BACKEND'])"
    result = manage("shell", "-c", code, env={"DEBUG": "true"})
    assert result.stdout.split() == ["django.core.files.storage.FileSystemStorage"]


def test_csp_image_hosts_come_from_the_environment():
    code = "from django.conf import settings as s; print(*s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"
    result = manage(
        "shell", "-c", code, env={"DEBUG": "true", "CSP_IMG_HOSTS": "https://altes-blog.example.org"}
    )
    assert result.stdout.split() == ["'self'", "data:", "https://altes-blog.example.org"]
