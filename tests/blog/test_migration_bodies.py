"""Migration 0007 converts every Markdown body to editor HTML once; WordPress HTML is kept."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("blog", "0006_post_autosave")]
AFTER = [("blog", "0007_bodies_markdown_to_html")]
WORDPRESS = "<p>Zeile eins<br />\nZeile zwei</p>\n<p>Absatz mit <strong>fett</strong></p>"


def test_bodies_are_converted_once_and_wordpress_bodies_render_the_same(executor):
    from blog.rendering import render_post_body

    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    User = old_apps.get_model("auth", "User")
    Post = old_apps.get_model("blog", "Post")
    Page = old_apps.get_model("blog", "Page")
    author = User.objects.create(username="alt")
    markdown_post = Post.objects.create(
        title="Alt", slug="alt", author=author, body="## Titel\n\nEin **fetter** Satz.\n\n* eins\n* zwei"
    )
    wordpress_post = Post.objects.create(title="WP", slug="wp", author=author, body=WORDPRESS)
    impressum = Page.objects.create(
        title="Impressum", slug="impressum", body="**Firma GmbH**\nMusterstraße 1\n10115 Berlin"
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new_apps = executor.loader.project_state(AFTER).apps
    Post = new_apps.get_model("blog", "Post")
    Page = new_apps.get_model("blog", "Page")

    converted = Post.objects.get(pk=markdown_post.pk)
    assert converted.body.startswith("<h2>Titel</h2>")
    assert "<strong>fetter</strong>" in converted.body and "<li>eins</li>" in converted.body
    assert converted.body_html == render_post_body(converted.body)
    wordpress = Post.objects.get(pk=wordpress_post.pk)
    assert wordpress.body == WORDPRESS  # HTML blocks pass through untouched
    assert wordpress.body_html == render_post_body(WORDPRESS)
    page = Page.objects.get(pk=impressum.pk)
    assert "Musterstraße 1<br>" in page.body_html and "<br>\n10115 Berlin" in page.body_html
