"""Fixtures that start real gunicorn processes sharing the test database and cache.

Both production set-ups are covered: on SQLite (the test database is a file, see
SQLITE_TEST_NAME) the processes share it and the SQLite-backed cache directory, without
Redis; on PostgreSQL they share the test database and Redis (CI's second run). Tests that
cut PostgreSQL or Redis off ask for ``pg_redis``.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection

from tests.live.stack import Gunicorn, TcpProxy, collect_static

pytestmark = pytest.mark.live
SECRET = "live-tests-shared-secret-" + "s" * 40


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/live" in str(item.fspath):
            item.add_marker(pytest.mark.live)


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    return collect_static(tmp_path_factory.mktemp("static"))


def _database_url(host: str | None = None, port: int | None = None) -> str:
    db = connection.settings_dict
    user = urllib.parse.quote(db.get("USER") or "postgres")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host or db.get('HOST') or '127.0.0.1'}:{port or db.get('PORT') or 5432}/{db['NAME']}"


def _shared_store() -> dict[str, str]:
    """Where the app processes find this test's data and cache, or a reason to skip."""
    cache = settings.CACHES["default"]
    if connection.vendor == "postgresql":
        if "redis" not in cache["BACKEND"].lower():
            pytest.skip("on PostgreSQL the scale-out tests run with REDIS_URL (CI's second run)")
        return {
            "DATABASE_URL": _database_url(),
            "REDIS_URL": cache["LOCATION"],
            "CACHE_KEY_PREFIX": cache.get("KEY_PREFIX", ""),
        }
    name = connection.settings_dict["NAME"]
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        pytest.skip("the live tests need a file database (SQLITE_TEST_NAME) or PostgreSQL")
    if cache["BACKEND"] != "core.cache.SharedDiskCache":
        pytest.skip("without Redis the live tests need the default shared cache")
    return {
        "DATABASE_URL": f"sqlite:///{Path(name).resolve()}",
        "REDIS_URL": "",
        "CACHE_DIR": str(Path(cache["LOCATION"]).resolve()),
    }


@pytest.fixture
def pg_redis():
    """For tests that cut PostgreSQL or Redis off: the production stack with both."""
    if connection.vendor != "postgresql" or "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        pytest.skip("cuts PostgreSQL or Redis off: needs both (CI's second run)")


@pytest.fixture
def stack_env(transactional_db, static_root, tmp_path):
    """Environment for app processes sharing this test's database and cache."""
    return {
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,
        "IP_HASH_KEY": settings.IP_HASH_KEY,
        **_shared_store(),
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "SERVE_MEDIA": "true",
        "CONN_MAX_AGE": "60",
        "LANGUAGE_CODE": "de",
    }


@pytest.fixture
def start_app(stack_env, tmp_path):
    """Start app processes: ``start_app(workers=2, **env_overrides)``; all stop after the test."""
    started: list[Gunicorn] = []

    def start(*, workers: int = 2, threads: int = 1, **overrides) -> Gunicorn:
        app = Gunicorn(
            {**stack_env, **overrides},
            workers=workers,
            threads=threads,
            log=tmp_path / f"gunicorn-{len(started)}.log",
        )
        started.append(app)
        return app.start()

    yield start
    for app in started:
        app.stop()


@pytest.fixture
def proxy():
    """``proxy(host, port)``: a TCP proxy that can cut a service off; closed after the test."""
    proxies: list[TcpProxy] = []

    def make(host: str, port: int) -> TcpProxy:
        p = TcpProxy(host, port).start()
        proxies.append(p)
        return p

    yield make
    for p in proxies:
        p.cut()


def database_url_via(port: int) -> str:
    return _database_url(host="127.0.0.1", port=port)


def redis_url_via(port: int) -> str:
    parts = urlsplit(settings.CACHES["default"]["LOCATION"])
    return parts._replace(netloc=f"127.0.0.1:{port}").geturl()


class _BehindTlsProxy(urllib.request.HTTPCookieProcessor):
    """Acts as the TLS-terminating proxy would: the app sees https and sets Secure cookies,
    which this plain-http client must still send back."""

    def http_request(self, request):
        request.add_unredirected_header("X-Forwarded-Proto", "https")
        return super().http_request(request)

    def http_response(self, request, response):
        response = super().http_response(request, response)
        for cookie in self.cookiejar:
            cookie.secure = False
        return response


class Visitor:
    """A browser-like HTTP client with its own cookies, for talking to several processes."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(_BehindTlsProxy(self.jar), _NoRedirect())

    def request(self, url: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        assert url.startswith("http://127.0.0.1:"), "live tests talk to this machine only"
        req = urllib.request.Request(url, data=body, headers={"Accept-Language": "de", **(headers or {})})  # noqa: S310
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), dict(error.headers)

    def get(self, url, **kw):
        return self.request(url, **kw)

    def post(self, url, data, **kw):
        referer = "https://" + url.split("://", 1)[1]
        return self.request(url, data=data, headers={"Referer": referer, **kw.pop("headers", {})}, **kw)

    def csrf_token(self, html: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert match, "no CSRF token in the page"
        return match.group(1)

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def visitor():
    return Visitor


os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
