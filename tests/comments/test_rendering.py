"""Fast by construction: the thread is one query whatever its size; listings count in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments.models import Comment
from comments.sanitize import render_comment_body
from comments.tree import build_thread
from tests.comments.factories import CommentFactory
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _render_every_time(settings):
    settings.PAGECACHE_SECONDS = 0  # measure the real rendering, not the anonymous page cache


def make_thread(post, count, max_depth=3):
    """``count`` approved comments in threads up to ``max_depth`` levels, created level by level."""
    html = render_comment_body("Ein Kommentar mit <em>etwas</em> Text.")
    made = []
    level = [None]
    while len(made) < count:
        next_level = []
        for parent in level:
            for _ in range(3 if parent else max(1, count // 10)):
                if len(made) + len(next_level) >= count:
                    break
                next_level.append(
                    Comment(
                        post=post,
                        parent=parent,
                        depth=parent.depth + 1 if parent else 0,
                        author_name="Leser",
                        author_email="leser@example.org",
                        body="Ein Kommentar",
                        body_html=html,
                        status=Comment.Status.APPROVED,
                    )
                )
        Comment.objects.bulk_create(next_level)
        made.extend(next_level)
        level = [c for c in next_level if c.depth < max_depth - 1] or [None]
    return made


def post_page_queries(client, post):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_post_page_queries_do_not_grow_with_comments(client, settings):
    settings.COMMENTS_PAGE_SIZE = 10_000  # render every thread on one page
    small, big = PostFactory(), PostFactory()
    make_thread(small, 10)
    make_thread(big, 1000)
    settings.PAGECACHE_SECONDS = 0  # render both pages for real
    client.get(small.get_absolute_url())  # warm the settings and neighbour fragments
    client.get(big.get_absolute_url())
    small_count, _ = post_page_queries(client, small)
    big_count, response = post_page_queries(client, big)
    assert big_count == small_count
    assert response.content.decode().count('class="comment depth-') == 1000
    assert 'class="comment depth-2' in response.content.decode()


def test_post_page_with_1000_comments_query_budget(client, django_assert_max_num_queries):
    post = PostFactory()
    make_thread(post, 1000)
    client.get(post.get_absolute_url())
    comment_queries = []
    with CaptureQueriesContext(connection) as ctx:
        client.get(post.get_absolute_url())
    comment_queries = [q["sql"] for q in ctx.captured_queries if "comments_comment" in q["sql"]]
    assert len(comment_queries) == 1  # the whole thread, once (count and section share it)
    with django_assert_max_num_queries(14):
        client.get(post.get_absolute_url())


def test_home_page_counts_comments_for_all_posts_in_one_query(client, django_assert_num_queries):
    posts = [PostFactory() for _ in range(10)]
    for index, post in enumerate(posts):
        for _ in range(index % 3):
            CommentFactory(post=post)
        CommentFactory(post=post, status=Comment.Status.PENDING)
    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/")
    comment_queries = [q for q in ctx.captured_queries if "comments_comment" in q["sql"]]
    assert len(comment_queries) == 1
    html = response.content.decode()
    assert html.count("with 2 comments") == 3
    assert html.count("with 1 comment<") == 3
    with django_assert_num_queries(len(ctx.captured_queries)):
        client.get("/")


def test_home_page_query_count_is_pinned_with_10_posts(client, django_assert_max_num_queries):
    for _ in range(10):
        CommentFactory(post=PostFactory())
    client.get("/")
    # count, posts, categories, tags, comment counts (+1 spare for the sidebar's own caches)
    with django_assert_max_num_queries(6):
        response = client.get("/")
    assert response.content.decode().count("with 1 comment<") == 10


def test_comment_count_counts_approved_only(client):
    post = PostFactory()
    CommentFactory(post=post)
    CommentFactory(post=post)
    for status in ("pending", "spam", "trash"):
        CommentFactory(post=post, status=status)
    html = client.get(post.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "with 2 comments" in html
    assert "2 comments on" in html


def test_spam_and_trash_are_never_shown(client):
    post = PostFactory()
    spam = CommentFactory(post=post, status="spam", body="SPAMTEXT")
    trash = CommentFactory(post=post, status="trash", body="TRASHTEXT")
    html = client.get(post.get_absolute_url()).content.decode()
    assert f"comment-{spam.pk}" not in html and f"comment-{trash.pk}" not in html
    assert "SPAMTEXT" not in html and "TRASHTEXT" not in html


def test_body_html_is_rendered_name_and_url_escaped(client):
    post = PostFactory()
    CommentFactory(post=post, author_name='<b onmouseover="x">Eve</b>', author_url="javascript:alert(1)")
    html = client.get(post.get_absolute_url()).content.decode()
    assert "&lt;b onmouseover=&quot;x&quot;&gt;Eve&lt;/b&gt;" in html
    assert "javascript:alert" not in html


def test_build_thread_nests_and_promotes_orphans():
    post = PostFactory()
    root = CommentFactory(post=post)
    child = CommentFactory(post=post, parent=root)
    hidden = CommentFactory(post=post, status="spam")
    orphan = CommentFactory(post=post, parent=hidden)
    comments = list(Comment.objects.for_thread(post.pk))
    thread = build_thread(comments)
    assert [c.pk for c in thread.roots] == [root.pk, orphan.pk]
    assert [c.pk for c in thread.by_id[root.pk].children] == [child.pk]
    assert thread.approved_count == 3


def test_comments_feed_lists_newest_approved_without_email(client):
    post = PostFactory()
    CommentFactory(post=post, body="Im Feed", author_email="geheim@example.org")
    CommentFactory(post=post, body="Wartet", status="pending")
    for url in (reverse("comments:feed"), reverse("comments:post_feed", args=[post.pk])):
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 200
        assert "Im Feed" in body
        assert "Wartet" not in body
        assert "geheim@example.org" not in body


def test_post_feed_of_draft_is_404(client):
    post = PostFactory(status="draft", published_at=None)
    assert client.get(reverse("comments:post_feed", args=[post.pk])).status_code == 404
