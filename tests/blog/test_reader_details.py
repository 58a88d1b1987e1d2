"""What readers and search engines notice: structured data, descriptions, author pages, the
language of content, and what an editor's preview says about comments."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from blog.models import Post
from tests.factories import AuthorProfileFactory, CategoryFactory, PageFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def jsonld(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


def meta_description(html: str) -> str:
    return re.search(r'<meta name="description" content="([^"]*)">', html).group(1)


def test_blogposting_has_author_url_publisher_logo_image_and_description(client):
    profile = AuthorProfileFactory(user=UserFactory(username="erika"), display_name="Erika Muster")
    post = PostFactory(author=profile.user, body="<p>Erster Satz. Zweiter Satz.</p>")
    data = jsonld(client.get(post.get_absolute_url()).content.decode())
    assert data["@type"] == "BlogPosting"
    assert data["author"] == {
        "@type": "Person",
        "name": "Erika Muster",
        "url": "http://testserver/author/erika/",
    }
    assert data["publisher"]["name"] and data["publisher"]["logo"]["url"].startswith(
        "http://testserver/static/"
    )
    assert data["publisher"]["logo"]["url"].endswith(".png")
    assert data["image"]["url"] == data["publisher"]["logo"]["url"]  # no featured image: the logo
    assert data["description"] == "Erster Satz. Zweiter Satz."


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[poll gibt-es-nicht]\n\nNur ein Satz nach der Umfrage.", "Nur ein Satz nach der Umfrage."),
        ("[poll gibt-es-nicht]", "Nur eine Umfrage"),  # nothing but a shortcode: the title
    ],
)
def test_description_is_never_empty(client, body, expected):
    post = PostFactory(title="Nur eine Umfrage", body=body)
    html = client.get(post.get_absolute_url()).content.decode()
    assert meta_description(html) == expected
    assert jsonld(html)["description"] == expected


def test_description_from_first_sentences_stays_short():
    long_body = "<p>" + " ".join(f"Satz Nummer {n} erzählt etwas." for n in range(60)) + "</p>"
    post = PostFactory(excerpt="", body=long_body)
    post.teaser_html = ""  # as for a body whose first paragraph is a shortcode
    assert 0 < len(post.description) <= 300 and post.description.endswith(".")


def test_every_reader_page_has_a_meta_description(client):
    category = CategoryFactory(name="Marketing", slug="marketing")
    post = PostFactory(categories=[category])
    page = PageFactory(slug="impressum", body="<p>Wer wir sind.</p>")
    for url in ("/", "/category/marketing/", f"/author/{post.author.username}/", "/search/", "/search/?q=x",
                page.get_absolute_url(), post.get_absolute_url(), f"/{post.published_at:%Y}/"):  # fmt: skip
        html = client.get(url).content.decode()
        assert meta_description(html).strip(), url


def test_author_page_only_for_people_who_published(client, moderator, editor):
    PostFactory(author=editor, status=Post.Status.DRAFT, published_at=None)
    PostFactory(author=editor, published_at=timezone.now() + timedelta(days=1))  # scheduled
    assert client.get("/author/moderator/").status_code == 404
    assert client.get("/author/editor/").status_code == 404
    PostFactory(author=editor)
    assert client.get("/author/editor/").status_code == 200


def test_german_content_is_marked_when_the_interface_is_english(client):
    post = PostFactory(title="Über Beiträge", body="<p>Ein Text.</p>")
    english = client.get(post.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in english
    assert '<h1 id="post-title" lang="de">Über Beiträge</h1>' in english
    assert '<div class="post-body" lang="de">' in english
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<h2 class="h3" lang="de">' in home and '<div class="teaser" lang="de">' in home


def test_german_content_is_not_marked_again_in_a_german_interface(client):
    post = PostFactory()
    html = client.get(post.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="de">' in html and 'lang="de">' not in html.split("<html", 1)[1].split(">", 1)[1]


@pytest.mark.parametrize(("comments_open", "expected"), [(True, "will be open"), (False, "will be closed")])
def test_preview_of_scheduled_post_says_whether_comments_will_be_open(
    client, editor, comments_open, expected
):
    post = PostFactory(published_at=timezone.now() + timedelta(days=2), comments_open=comments_open)
    client.force_login(editor)
    html = client.get(post.get_preview_url()).content.decode()
    assert "scheduled for" in html
    assert f"Comments {expected} when this post is published." in html
    assert "Comments are closed." not in html


def test_preview_in_german_says_it_with_sie(client, editor):
    post = PostFactory(published_at=timezone.now() + timedelta(days=2))
    client.force_login(editor)
    html = client.get(post.get_preview_url(), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Kommentare sind möglich, sobald dieser Beitrag erscheint." in html
