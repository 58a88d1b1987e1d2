"""Drafts and scheduled posts stay hidden from readers; editors preview them."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from blog.models import Post
from tests.factories import CategoryFactory, PostFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def draft():
    return PostFactory(title="Geheimer Entwurf", status=Post.Status.DRAFT, published_at=None)


@pytest.fixture
def scheduled():
    with time_machine.travel(datetime(2024, 3, 1, 9, 0, tzinfo=BERLIN), tick=False):
        return PostFactory(
            title="Geplanter Beitrag",
            published_at=datetime(2024, 3, 5, 8, 0, tzinfo=BERLIN),
            tags=[TagFactory(slug="plan")],
            categories=[CategoryFactory(slug="planung")],
        )


def reader_urls(post):
    return [
        post.get_absolute_url(),
        reverse("blog:home"),
        reverse("blog:tag", kwargs={"slug": "plan"}),
        reverse("blog:category", kwargs={"slug": "planung"}),
        reverse("blog:search") + "?q=Geplanter",
        reverse("blog:feed"),
        "/sitemap-posts.xml",
    ]


def test_draft_is_404_for_anonymous_visitors(client, draft):
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 404
    assert "Geheimer Entwurf" not in response.content.decode()


def test_draft_preview_is_refused_to_anonymous_visitors_and_plain_users(client, draft):
    response = client.get(draft.get_preview_url())
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert "Geheimer Entwurf" not in response.content.decode()
    client.force_login(UserFactory())
    response = client.get(draft.get_preview_url())
    assert response.status_code == 403
    assert "Geheimer Entwurf" not in response.content.decode()


def test_draft_is_not_listed_anywhere(client, draft):
    PostFactory(title="Sichtbar")
    for url in (reverse("blog:home"), reverse("blog:feed"), "/sitemap-posts.xml"):
        body = client.get(url).content.decode()
        assert "Geheimer Entwurf" not in body
        assert draft.slug not in body


def test_draft_preview_shows_editor_the_page_as_readers_will_see_it(client, editor, draft):
    client.force_login(editor)
    response = client.get(draft.get_preview_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Geheimer Entwurf" in html
    assert 'name="robots" content="noindex"' in html
    assert 'role="note"' in html  # the "not visible to readers" notice
    assert "no-cache" in response["Cache-Control"]


def test_draft_is_visible_to_staff_at_its_permalink(client, editor, draft):
    client.force_login(editor)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Geheimer Entwurf" in response.content.decode()


def test_scheduled_post_is_hidden_until_its_time(client, scheduled):
    with time_machine.travel(datetime(2024, 3, 5, 7, 59, tzinfo=BERLIN), tick=False):
        assert client.get(scheduled.get_absolute_url()).status_code == 404
        for url in reader_urls(scheduled)[1:]:
            html = client.get(url).content.decode()
            assert "Geplanter Beitrag" not in html, url
            assert scheduled.slug not in html, url


def test_scheduled_post_is_previewable_by_editors(client, editor, scheduled):
    client.force_login(editor)
    with time_machine.travel(datetime(2024, 3, 2, tzinfo=BERLIN), tick=False):
        response = client.get(scheduled.get_preview_url())
        assert response.status_code == 200
        assert "Geplanter Beitrag" in response.content.decode()
        assert client.get(scheduled.get_absolute_url()).status_code == 200


def test_scheduled_post_appears_by_itself_when_its_time_comes(client, scheduled):
    with time_machine.travel(datetime(2024, 3, 5, 8, 0, 1, tzinfo=BERLIN), tick=False):
        for url in reader_urls(scheduled):
            response = client.get(url)
            assert response.status_code == 200, url
            assert scheduled.get_absolute_url() in response.content.decode(), url


def test_scheduled_post_counts_in_the_sidebar_when_its_time_comes(client, scheduled, settings):
    settings.LANGUAGE_CODE = "de"
    PostFactory(categories=[scheduled.categories.get()], published_at=datetime(2024, 1, 1, tzinfo=BERLIN))
    with time_machine.travel(datetime(2024, 3, 4, tzinfo=BERLIN), tick=False):
        assert "(1)" in client.get("/").content.decode()
    with time_machine.travel(datetime(2024, 3, 6, tzinfo=BERLIN), tick=False):
        html = client.get("/").content.decode()
        assert "(2)" in html
        assert "März 2024" in html


def test_unpublished_post_goes_away_again(client):
    post = PostFactory(title="Zurückgezogen")
    assert client.get(post.get_absolute_url()).status_code == 200
    post.status = Post.Status.DRAFT
    post.save()
    assert client.get(post.get_absolute_url()).status_code == 404
    assert "Zurückgezogen" not in client.get("/").content.decode()


def test_share_link_of_a_draft_is_404(client, draft):
    response = client.get(reverse("blog:share", kwargs={"pk": draft.pk, "network": "email"}))
    assert response.status_code == 404


def test_scheduled_post_stays_out_of_newer_older_navigation(client):
    old = PostFactory(title="Alt", published_at=datetime(2024, 1, 1, tzinfo=BERLIN))
    PostFactory(title="Zukunft", published_at=datetime(2099, 1, 1, tzinfo=BERLIN))
    html = client.get(old.get_absolute_url()).content.decode()
    assert "Zukunft" not in html
    assert timedelta(0) < datetime(2099, 1, 1, tzinfo=BERLIN) - old.published_at
