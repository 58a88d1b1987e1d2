"""One API says what changed: each key bumped once, after the commit, never before."""

import pytest
from django.core import checks
from django.db import transaction
from django.test import Client

from core import invalidation
from core.checks import test_cache_shared as cache_check
from core.versions import content_version
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_outside_a_transaction_the_bump_is_immediate():
    before = content_version("post", 7)
    invalidation.post_page_changed(7)
    assert content_version("post", 7) == before + 1


def test_inside_a_transaction_each_key_is_bumped_once_after_commit(django_capture_on_commit_callbacks):
    post_before, site_before = content_version("post", 7), content_version("site", 0)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        invalidation.post_changed(7)
        invalidation.post_page_changed(7)
        invalidation.site_changed()
        with transaction.atomic():  # a savepoint adds to the same set
            invalidation.post_changed(7)
        assert content_version("post", 7) == post_before  # not yet: the data is not committed
    assert content_version("post", 7) == post_before + 1
    assert content_version("site", 0) == site_before + 1


def test_a_rolled_back_change_bumps_nothing(django_capture_on_commit_callbacks):
    before = content_version("poll", 3)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        invalidation.poll_changed(3)
        raise RuntimeError
    assert content_version("poll", 3) == before


def test_fragment_keys_change_with_what_they_show():
    site_key = invalidation.fragment_key("sidebar", site=True)
    poll_key = invalidation.fragment_key("results", poll=3)
    assert invalidation.fragment_key("sidebar", site=True) == site_key
    invalidation.poll_changed(3)
    assert invalidation.fragment_key("results", poll=3) != poll_key
    assert invalidation.fragment_key("sidebar", site=True) == site_key
    invalidation.site_changed()
    assert invalidation.fragment_key("sidebar", site=True) != site_key


def test_the_sitemap_is_fresh_the_moment_a_post_is_published():
    reader = Client()
    PostFactory(title="Schon da")
    assert reader.get("/sitemap-posts.xml")["X-Page-Cache"] == "miss"
    cached = reader.get("/sitemap-posts.xml")
    assert cached["X-Page-Cache"] == "hit"
    assert cached["Content-Type"].startswith("application/xml")
    new = PostFactory(title="Gerade veröffentlicht")
    assert new.get_absolute_url() in reader.get("/sitemap-posts.xml").content.decode()


def test_a_process_local_cache_with_the_page_cache_on_is_warned_about(settings):
    assert cache_check(None) == []
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    warnings = cache_check(None)
    assert [w.id for w in warnings] == ["blogwerk.W001"]
    assert warnings[0].level == checks.WARNING
    settings.PAGECACHE_SECONDS = 0
    assert cache_check(None) == []
