"""Fast by construction: the home page and a post page cost a fixed number of queries."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blog.models import Post
from tests.factories import (
    AuthorProfileFactory,
    CategoryFactory,
    ImageFactory,
    PageFactory,
    PostFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

# Cold cache: sidebar (3), footer pages (1) and a sidebar poll (1) included; the post page
# also holds the comment thread and form (3: thread, moderation settings, captcha).
HOME_BUDGET = 10
POST_BUDGET = 15


def build_blog(size: int):
    """``size`` posts, tags and categories (nested), all cross-linked, with images and pages."""
    author = AuthorProfileFactory().user
    image = ImageFactory()
    root = CategoryFactory()
    categories = [root] + [CategoryFactory(parent=root) for _ in range(size - 1)]
    tags = [TagFactory() for _ in range(size)]
    posts = [
        PostFactory(author=author, featured_image=image, categories=categories, tags=tags)
        for _ in range(size)
    ]
    for _ in range(3):
        PageFactory()
    return posts


def count_queries(client, url: str, *, warm: bool) -> int:
    client.get(url)  # settles one-time rows (e.g. a settings singleton) before counting
    if not warm:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("warm", [False, True], ids=["cold-cache", "warm-cache"])
def test_home_page_queries_do_not_grow_with_content(client, warm):
    build_blog(3)
    small = count_queries(client, "/", warm=warm)
    build_blog(30)
    large = count_queries(client, "/", warm=warm)
    assert small == large
    assert large <= HOME_BUDGET


@pytest.mark.parametrize("warm", [False, True], ids=["cold-cache", "warm-cache"])
def test_post_page_queries_do_not_grow_with_content(client, warm):
    small_post = build_blog(3)[0]
    small = count_queries(client, small_post.get_absolute_url(), warm=warm)
    large_post = build_blog(30)[0]
    large = count_queries(client, large_post.get_absolute_url(), warm=warm)
    assert small == large
    assert large <= POST_BUDGET


@pytest.mark.parametrize("url", ["/", "/?page=2", "/search/?q=Beitrag", "/feed/"])
def test_listing_pages_stay_within_budget(client, django_assert_max_num_queries, url):
    posts = build_blog(30)
    tag, category = posts[0].tags.first(), posts[0].categories.last()
    with django_assert_max_num_queries(HOME_BUDGET):
        assert client.get(url).status_code == 200
    cache.clear()
    for listing in (
        tag.get_absolute_url(),
        category.get_absolute_url(),
        "/2026/",
        f"/author/{posts[0].author.username}/",
    ):
        with django_assert_max_num_queries(HOME_BUDGET + 1):
            response = client.get(listing)
            assert response.status_code in (200, 404)


def test_post_page_within_budget(client, django_assert_max_num_queries):
    posts = build_blog(30)
    client.get(posts[0].get_absolute_url())  # one-time rows, as in count_queries
    cache.clear()
    post = posts[5]
    with django_assert_max_num_queries(POST_BUDGET):
        assert client.get(post.get_absolute_url()).status_code == 200


def test_post_page_preview_within_budget(client, editor, django_assert_max_num_queries):
    post = build_blog(30)[5]
    client.force_login(editor)
    with django_assert_max_num_queries(POST_BUDGET + 6):  # session, user, permissions
        assert client.get(post.get_preview_url()).status_code == 200


def test_body_html_is_not_recomputed_per_request(client):
    post = PostFactory(body="<p>Ein <strong>fetter</strong> Satz.</p>", excerpt="Ein _kurzer_ Teaser.")
    with (
        mock.patch("blog.rendering.render_post_body", side_effect=AssertionError("rendered per request")),
        mock.patch("markdown.Markdown.convert", side_effect=AssertionError("markdown per request")),
        mock.patch(
            "blog.rendering.sanitize_editor_html", side_effect=AssertionError("sanitised per request")
        ),
    ):
        home = client.get("/")
        page = client.get(post.get_absolute_url())
        feed = client.get("/feed/")
    assert home.status_code == page.status_code == feed.status_code == 200
    assert "<em>kurzer</em>" in home.content.decode()
    assert "<strong>fetter</strong>" in page.content.decode()


def test_post_page_warm_costs_four_queries(client, settings, django_assert_num_queries):
    """Rendered anew (page cache off) with warm fragments: the post, its categories, its tags
    and the whole comment thread — related posts, newer/older, sidebar, footer, moderation
    settings and the comment form come from versioned fragments."""
    settings.PAGECACHE_SECONDS = 0
    post = build_blog(30)[5]
    client.get(post.get_absolute_url())
    with django_assert_num_queries(4):
        assert client.get(post.get_absolute_url()).status_code == 200


def test_post_page_neighbours_follow_a_new_post_at_once(client):
    older, post = PostFactory(title="Älter"), PostFactory(title="Mitte")
    Post.objects.filter(pk=older.pk).update(published_at=post.published_at - timedelta(days=1))
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Älter" in html
    newer = PostFactory(title="Ganz neu", published_at=post.published_at + timedelta(hours=1))
    html = client.get(post.get_absolute_url()).content.decode()
    assert newer.get_absolute_url() in html


def test_listing_counts_once_per_site_version(client, settings):
    # Issue 15: no COUNT(*) over the posts on every page view; a new post recounts.
    settings.PAGECACHE_SECONDS = 0
    for _ in range(11):
        PostFactory()
    for url in ("/", "/?page=2"):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert not [q for q in queries.captured_queries if "COUNT(*)" in q["sql"]], url
    assert client.get("/?page=3").status_code == 404
    PostFactory()
    assert client.get("/?page=2").status_code == 200
    assert len(client.get("/?page=2").context["posts"]) == 2
