"""The anonymous page cache: shared copies, per-reader tokens, nothing stale after a change."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.pagecache import vary_on_cookie
from core.versions import bump, version_key
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_second_anonymous_view_is_served_from_the_cache(client):
    post = PostFactory()
    first = client.get(post.get_absolute_url())
    second = client.get(post.get_absolute_url())
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert post.title in second.content.decode()
    assert "private" in second["Cache-Control"]


def test_cached_page_carries_each_readers_own_working_csrf_token():
    post = PostFactory()
    Client().get(post.get_absolute_url())  # fills the cache with another reader's token
    reader = Client(enforce_csrf_checks=True)
    response = reader.get(post.get_absolute_url())
    assert response["X-Page-Cache"] == "hit"
    token = TOKEN.search(response.content.decode()).group(1)
    assert "@@" not in token
    switched = reader.post(
        reverse("set_language"), {"language": "en", "next": "/", "csrfmiddlewaretoken": token}
    )
    assert switched.status_code == 302


def test_an_edit_makes_the_cached_page_stale_at_once(client):
    post = PostFactory(title="Vorher")
    client.get(post.get_absolute_url())
    post.title = "Nachher"
    post.save()
    response = client.get(post.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert "Nachher" in response.content.decode()


def test_a_version_bump_of_a_dependency_makes_listings_stale(client):
    post = PostFactory()
    client.get(reverse("blog:home"))
    assert client.get(reverse("blog:home"))["X-Page-Cache"] == "hit"
    bump(version_key("post", post.pk))  # e.g. a comment was approved: the count changed
    assert client.get(reverse("blog:home"))["X-Page-Cache"] == "miss"


def test_staff_and_readers_with_a_session_always_get_a_fresh_page(client):
    post = PostFactory()
    client.get(post.get_absolute_url())
    client.force_login(UserFactory(is_staff=True))
    response = client.get(post.get_absolute_url())
    assert not response.has_header("X-Page-Cache")


def test_registered_cookie_gives_readers_their_own_copy(client):
    vary_on_cookie("bw_test_state")
    post = PostFactory()
    client.get(post.get_absolute_url())
    client.cookies["bw_test_state"] = "3"
    assert client.get(post.get_absolute_url())["X-Page-Cache"] == "miss"
    assert client.get(post.get_absolute_url())["X-Page-Cache"] == "hit"


def test_scheduled_post_appears_on_a_cached_home_page_when_due(client):
    PostFactory(title="Schon da")
    PostFactory(title="Kommt gleich", published_at=timezone.now() + timedelta(minutes=10))
    assert "Kommt gleich" not in client.get("/").content.decode()
    assert client.get("/")["X-Page-Cache"] == "hit"
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert "Kommt gleich" in client.get("/").content.decode()


def test_counted_share_shows_on_the_cached_post_page(client):
    post = PostFactory()
    client.get(post.get_absolute_url())
    client.get(reverse("blog:share", kwargs={"pk": post.pk, "network": "x"}))
    response = client.get(post.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert "(1)" in response.content.decode()


def test_admin_bulk_publish_makes_cached_pages_stale(client, superuser, django_capture_on_commit_callbacks):
    draft = PostFactory(title="Frisch veröffentlicht", status="draft", published_at=None)
    anonymous = Client()
    anonymous.get("/")
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:blog_post_changelist"),
            {"action": "publish", "_selected_action": [draft.pk]},
        )
    assert "Frisch veröffentlicht" in anonymous.get("/").content.decode()


def test_cached_hit_keeps_security_headers_and_sets_the_readers_csrf_cookie():
    post = PostFactory()
    Client().get(post.get_absolute_url())
    reader = Client()
    response = reader.get(post.get_absolute_url())
    assert response["X-Page-Cache"] == "hit"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "csrftoken" in response.cookies
    assert response["Content-Language"]


def test_a_bump_lost_to_a_cache_outage_makes_every_page_stale_when_it_is_back(client):
    from django.core.cache import caches

    from core import versions

    post = PostFactory()
    client.get(post.get_absolute_url())
    assert client.get(post.get_absolute_url())["X-Page-Cache"] == "hit"

    backend = caches["default"]
    backend.incr = lambda *args, **kwargs: None  # what django-redis answers while Redis is down
    try:
        bump(version_key("post", post.pk))
    finally:
        del backend.incr
    assert versions._lost_bump

    assert client.get(post.get_absolute_url())["X-Page-Cache"] == "miss"
    assert not versions._lost_bump


def test_moderation_settings_and_new_polls_make_cached_pages_stale(
    client, django_capture_on_commit_callbacks
):
    from comments.models import ModerationSettings
    from tests.polls.factories import PollFactory

    post = PostFactory()
    client.get(post.get_absolute_url())
    assert client.get(post.get_absolute_url())["X-Page-Cache"] == "hit"
    settings_record = ModerationSettings.load()
    settings_record.max_depth = 2
    settings_record.save()
    assert client.get(post.get_absolute_url())["X-Page-Cache"] == "miss"

    assert client.get(post.get_absolute_url())["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        PollFactory()  # the sidebar shows the newest open poll on every page
    assert client.get(post.get_absolute_url())["X-Page-Cache"] == "miss"


# --- copies each process keeps, one read per hit ---------------------------------------------
def _entry(size: int, expires_in: float = 60.0) -> dict:
    import time

    return {"size": size, "expires_at": time.time() + expires_in}


def test_local_copies_drop_the_least_recently_used_beyond_their_page_limit():
    from core.pagecache import LocalCopies

    copies = LocalCopies(max_bytes=1_000_000, max_pages=3)
    for n in range(3):
        copies.put(f"k{n}", 7, _entry(100))
    assert copies.get("k0", 7) is not None  # used: now the most recent
    copies.put("k3", 7, _entry(100))
    assert len(copies) == 3
    assert copies.get("k1", 7) is None, "the least recently used copy goes first"
    assert all(copies.get(key, 7) is not None for key in ("k0", "k2", "k3"))


def test_local_copies_keep_to_their_byte_limit_and_skip_huge_pages():
    from core.pagecache import LocalCopies

    copies = LocalCopies(max_bytes=8_000, max_pages=1_000)
    for n in range(20):
        copies.put(f"k{n}", 1, _entry(900))
        assert copies.bytes <= 8_000
    assert len(copies) == 8
    copies.put("huge", 1, _entry(1_001))  # more than an eighth of the limit
    assert copies.get("huge", 1) is None and len(copies) == 8
    copies.put("k19", 1, _entry(500))  # replacing a copy counts its size once
    assert copies.bytes == 7 * 900 + 500


def test_local_copy_is_not_served_at_another_generation_or_once_expired():
    from core.pagecache import LocalCopies

    copies = LocalCopies(max_bytes=1_000_000, max_pages=10)
    copies.put("page", 5, _entry(100))
    copies.put("old", 5, _entry(100, expires_in=-1))
    assert copies.get("page", 5) is not None
    assert copies.get("page", 6) is None
    assert copies.get("old", 5) is None


def test_a_hit_reads_only_the_generation_and_a_bump_anywhere_ends_the_copy(client, monkeypatch):
    from core import pagecache

    post = PostFactory(title="Erste Fassung")
    client.get(post.get_absolute_url())
    reads = []
    real = pagecache.cache

    class CountingCache:
        def __getattr__(self, name):
            if name in ("get", "get_many"):
                reads.append(name)
            return getattr(real, name)

    monkeypatch.setattr(pagecache, "cache", CountingCache())
    for _n in range(3):
        response = client.get(post.get_absolute_url())
        assert response["X-Page-Cache"] == "hit"
    assert reads == [], "a hit on a page this process keeps reads nothing but the generation"

    Post = type(post)
    Post.objects.filter(pk=post.pk).update(title="Zweite Fassung")  # no signal: not yet stale
    assert "Erste Fassung" in client.get(post.get_absolute_url()).content.decode()
    bump(version_key("post", post.pk))  # what core.invalidation does after the commit
    response = client.get(post.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert "Zweite Fassung" in response.content.decode()


def test_a_cache_clear_ends_every_kept_copy(client):
    from django.core.cache import cache

    post = PostFactory()
    client.get(post.get_absolute_url())
    assert client.get(post.get_absolute_url())["X-Page-Cache"] == "hit"
    cache.clear()
    assert client.get(post.get_absolute_url())["X-Page-Cache"] == "miss"


def test_generation_moves_on_with_every_bump_and_never_repeats():
    from core.versions import generation

    seen = [generation()]
    for _n in range(5):
        bump(version_key("post", 1))
        seen.append(generation())
    assert None not in seen and seen == sorted(seen) and len(set(seen)) == len(seen)


def test_pages_without_a_post_form_carry_no_csrf_token_and_set_no_cookie(client):
    from tests.factories import CategoryFactory

    category = CategoryFactory(slug="themen")
    PostFactory(categories=[category])
    for url in ("/", "/category/themen/", "/search/?q=Beitrag"):
        for _view in ("rendered", "from the page cache"):
            response = Client().get(url)
            assert response.status_code == 200
            assert "csrfmiddlewaretoken" not in response.content.decode(), url
            assert "csrftoken" not in response.cookies, url


def test_one_cached_page_gives_every_csrf_input_the_readers_one_token():
    from tests.polls.factories import PollFactory

    PollFactory(slug="eins")
    post = PostFactory(body="[poll eins]")
    Client().get(post.get_absolute_url())
    response = Client().get(post.get_absolute_url())
    assert response["X-Page-Cache"] == "hit"
    tokens = TOKEN.findall(response.content.decode())
    assert len(tokens) >= 2 and len(set(tokens)) == 1  # comment form and vote form


def test_text_a_visitor_typed_is_never_taken_for_the_csrf_slot(client):
    from tests.comments.factories import CommentFactory

    post = PostFactory()
    CommentFactory(post=post, body="Ich schreibe @@csrf-token@@ hin.")
    client.get(post.get_absolute_url())
    html = client.get(post.get_absolute_url()).content.decode()
    assert "@@csrf-token@@" in html
