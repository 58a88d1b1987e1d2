"""Migration wpimport 0004 turns the read-only PageComment archive into real comments."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("wpimport", "0003_page_comments_and_terms"), ("comments", "0008_comments_on_pages")]
AFTER = [("wpimport", "0004_page_comments_become_comments")]


def test_page_comments_move_over_with_threads_statuses_dates_and_authors(executor):
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    Page = old_apps.get_model("blog", "Page")
    PageComment = old_apps.get_model("wpimport", "PageComment")
    page = Page.objects.create(title="Über uns", slug="ueber-uns", body="x")
    when = datetime.datetime(2011, 5, 24, 13, 5, tzinfo=datetime.UTC)
    root = PageComment.objects.create(
        site="alt.example.org",
        wp_id=901,
        page=page,
        author_name="Anna",
        author_url="https://anna.example/",
        body_html="<p>Schöne Seite!</p>\n<p>Wirklich &amp; ehrlich.</p>",
        status="approved",
        created_at=when,
    )
    PageComment.objects.create(
        site="alt.example.org",
        wp_id=902,
        page=page,
        parent=root,
        depth=1,
        author_name="Ben",
        body_html="<p>Danke!</p>",
        status="pending",
        created_at=when + datetime.timedelta(hours=1),
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new_apps = executor.loader.project_state(AFTER).apps
    Comment = new_apps.get_model("comments", "Comment")
    LegacyComment = new_apps.get_model("wpimport", "LegacyComment")

    first = LegacyComment.objects.get(wp_id=901).comment_id
    second = LegacyComment.objects.get(wp_id=902).comment_id
    anna, ben = Comment.objects.get(pk=first), Comment.objects.get(pk=second)
    assert (anna.page_id, anna.post_id, anna.status, anna.created_at) == (page.pk, None, "approved", when)
    assert anna.author_name == "Anna" and anna.author_url == "https://anna.example/"
    assert anna.body == "Schöne Seite!\n\nWirklich & ehrlich." and "<p>Schöne Seite!</p>" in anna.body_html
    assert (ben.parent_id, ben.depth, ben.status) == (anna.pk, 1, "pending")
    assert anna.announced_at is not None  # nobody is notified again about old comments
    assert "pagecomment" not in {m._meta.model_name for m in new_apps.get_app_config("wpimport").get_models()}
