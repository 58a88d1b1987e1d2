"""The database or Redis going away: friendly answers, and recovery without a restart."""

import time

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import PostFactory
from tests.live.conftest import database_url_via, redis_url_via

pytestmark = pytest.mark.live


def wait_for(check, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    return check()


def test_database_outage_gives_503_and_recovers(start_app, proxy, visitor):
    post = PostFactory(title="Bleibt lesbar")
    db = connection.settings_dict
    pg = proxy(db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432))
    app = start_app(DATABASE_URL=database_url_via(pg.port))
    reader = visitor()
    assert reader.get(app.url + "/healthz")[:2] == (200, "ok")

    pg.cut()
    status, _, _ = reader.get(app.url + "/healthz")
    assert status == 503
    status, html, headers = reader.get(app.url + post.get_absolute_url())
    assert status == 503
    assert "Traceback" not in html and "<h1>" in html
    assert headers.get("Retry-After") == "30"

    pg.restore()
    assert wait_for(lambda: reader.get(app.url + "/healthz")[0] == 200)
    status, html, _ = reader.get(app.url + post.get_absolute_url())
    assert status == 200 and "Bleibt lesbar" in html


def test_redis_outage_degrades_to_no_cache(start_app, proxy, visitor):
    post = PostFactory(title="Ohne Cache")
    host, port = settings.CACHES["default"]["LOCATION"].split("//", 1)[1].split("/")[0].split(":")
    redis = proxy(host, int(port))
    app = start_app(REDIS_URL=redis_url_via(redis.port))
    reader = visitor()
    assert reader.get(app.url + "/")[0] == 200

    redis.cut()
    for path in ("/", post.get_absolute_url(), "/feed/", "/healthz"):
        status, _, _ = reader.get(app.url + path)
        assert status == 200, path
    assert "Ohne Cache" in reader.get(app.url + post.get_absolute_url())[1]

    redis.restore()
    assert wait_for(lambda: reader.get(app.url + "/")[0] == 200)
