"""Reader pages: listings, permalinks, archives, search, static pages, sharing, robots."""

from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from blog.models import Post
from tests.factories import (
    AuthorProfileFactory,
    CategoryFactory,
    PageFactory,
    PostFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def at(day, month=5, year=2011, hour=12):
    return datetime(year, month, day, hour, tzinfo=BERLIN)


def html_of(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


# --- home -------------------------------------------------------------------------------


def test_home_paginates_newest_first(client, settings):
    settings.BLOG_POSTS_PER_PAGE = 10  # read when the view class is built; pinned here
    posts = [PostFactory(title=f"Folge {n:02d}", published_at=at(1) + timedelta(days=n)) for n in range(12)]
    first = html_of(client, "/")
    assert first.index("Folge 11") < first.index("Folge 10")
    assert "Folge 01" not in first
    assert 'rel="next" href="?page=2"' in first
    second = html_of(client, "/?page=2")
    assert "Folge 01" in second and "Folge 00" in second
    assert "Folge 11" not in second
    assert 'rel="prev"' in second
    assert '<link rel="canonical" href="http://testserver/?page=2">' in second
    assert len(posts) == 12


@pytest.mark.parametrize("page", ["99", "abc", "0", "-1"])
def test_home_out_of_range_page_is_friendly_404(client, page):
    PostFactory()
    html = html_of(client, f"/?page={page}", status=404)
    assert 'role="search"' in html


def test_home_sticky_post_comes_first(client):
    PostFactory(title="Neu", published_at=at(20))
    PostFactory(title="Angeheftet", published_at=at(1), is_sticky=True)
    html = html_of(client, "/")
    assert html.index("Angeheftet") < html.index("Neu")
    assert "is-sticky" in html


def test_home_shows_german_date_and_teaser(client, settings):
    settings.LANGUAGE_CODE = "de"
    PostFactory(title="Datum", published_at=at(24), excerpt="Der **Teaser**.", body="Ganz anderer Text.")
    html = html_of(client, "/")
    assert "24. Mai 2011" in html
    assert "<strong>Teaser</strong>" in html
    assert "Ganz anderer Text" not in html


def test_home_footer_links_static_pages(client):
    PageFactory(title="Impressum", slug="impressum")
    PageFactory(title="Versteckt", slug="versteckt", show_in_footer=False)
    html = html_of(client, "/")
    assert 'href="/impressum/"' in html
    assert "/versteckt/" not in html


# --- permalinks -------------------------------------------------------------------------


def test_post_permalink_shows_the_post(client):
    profile = AuthorProfileFactory(display_name="Erika Muster", byline="Akademieleitung Social Media")
    post = PostFactory(
        title="Der Beitrag",
        slug="der-beitrag",
        author=profile.user,
        published_at=at(24),
        tags=[TagFactory(name="Facebook")],
    )
    assert post.get_absolute_url() == "/2011/05/der-beitrag/"
    html = html_of(client, "/2011/05/der-beitrag/")
    assert "<h1" in html and "Der Beitrag" in html
    assert "Erika Muster" in html and "Akademieleitung Social Media" in html
    assert '<link rel="canonical" href="http://testserver/2011/05/der-beitrag/">' in html
    assert 'property="og:title" content="Der Beitrag"' in html
    assert '"@type": "BlogPosting"' in html
    assert 'rel="tag"' in html


@pytest.mark.parametrize("wrong", ["/2012/05/der-beitrag/", "/2011/04/der-beitrag/"])
def test_post_wrong_year_or_month_redirects_to_canonical_url(client, wrong):
    PostFactory(slug="der-beitrag", published_at=at(24))
    response = client.get(wrong + "?utm_source=x")
    assert response.status_code == 301
    assert response["Location"] == "/2011/05/der-beitrag/?utm_source=x"


def test_post_unknown_slug_is_404(client):
    assert client.get("/2011/05/gibt-es-nicht/").status_code == 404


def test_post_newer_and_older_links(client):
    old = PostFactory(title="Älter", published_at=at(1))
    middle = PostFactory(title="Mitte", published_at=at(2))
    new = PostFactory(title="Neuer", published_at=at(3))
    html = html_of(client, middle.get_absolute_url())
    assert f'rel="prev" href="{old.get_absolute_url()}"' in html
    assert f'rel="next" href="{new.get_absolute_url()}"' in html


# --- archives ---------------------------------------------------------------------------


def test_year_and_month_archives(client, settings):
    settings.LANGUAGE_CODE = "de"
    PostFactory(title="Mai-Beitrag", published_at=at(24))
    PostFactory(title="Juni-Beitrag", published_at=at(2, month=6))
    PostFactory(title="Anderes Jahr", published_at=at(2, year=2012))
    year = html_of(client, "/2011/")
    assert "Mai-Beitrag" in year and "Juni-Beitrag" in year and "Anderes Jahr" not in year
    month = html_of(client, "/2011/05/")
    assert "Mai-Beitrag" in month and "Juni-Beitrag" not in month
    assert "Mai 2011" in month


def test_month_archive_uses_local_time(client):
    # 23:30 UTC on 31 May is 1 June in Berlin: the June archive and permalink agree.
    PostFactory(title="Um Mitternacht", published_at=datetime(2011, 5, 31, 23, 30, tzinfo=ZoneInfo("UTC")))
    PostFactory(title="Mitte Mai", published_at=datetime(2011, 5, 15, 12, 0, tzinfo=ZoneInfo("UTC")))
    assert "Um Mitternacht" in html_of(client, "/2011/06/")
    assert "Um Mitternacht" not in html_of(client, "/2011/05/")


@pytest.mark.parametrize("url", ["/2011/13/", "/2011/00/"])
def test_month_archive_rejects_impossible_months(client, url):
    assert client.get(url).status_code == 404


# --- taxonomy and authors ---------------------------------------------------------------


def test_category_lists_posts_of_its_sub_categories(client):
    parent = CategoryFactory(name="Marketing", slug="marketing", description="Alles über Marketing.")
    child = CategoryFactory(name="Social Media", slug="social-media", parent=parent)
    grandchild = CategoryFactory(name="Facebook", slug="facebook", parent=child)
    other = CategoryFactory(name="Technik", slug="technik")
    PostFactory(title="Eltern-Beitrag", categories=[parent])
    PostFactory(title="Enkel-Beitrag", categories=[grandchild])
    PostFactory(title="Doppelt", categories=[parent, child])
    PostFactory(title="Technik-Beitrag", categories=[other])
    html = html_of(client, "/category/marketing/")
    assert "Eltern-Beitrag" in html and "Enkel-Beitrag" in html
    assert html.count(">Doppelt</a>") == 1
    assert "Technik-Beitrag" not in html
    assert "Alles über Marketing." in html
    assert 'href="/category/marketing/feed/"' in html
    child_html = html_of(client, "/category/social-media/")
    assert "Enkel-Beitrag" in child_html and "Eltern-Beitrag" not in child_html


def test_category_unknown_is_404(client):
    assert client.get("/category/nichts/").status_code == 404


def test_sidebar_shows_category_tree_with_counts(client):
    parent = CategoryFactory(name="Marketing")
    child = CategoryFactory(name="Social Media", parent=parent)
    PostFactory(categories=[child])
    PostFactory(categories=[child], status=Post.Status.DRAFT, published_at=None)
    html = html_of(client, "/")
    assert 'class="depth-1"><a href="/category/social-media/">Social Media</a>' in html
    assert 'Social Media</a> <span class="text-body-secondary">(1)</span>' in html


def test_tag_lists_its_posts(client):
    tag = TagFactory(name="Twitter", slug="twitter")
    PostFactory(title="Mit Tag", tags=[tag])
    PostFactory(title="Ohne Tag")
    html = html_of(client, "/tag/twitter/")
    assert "Mit Tag" in html and "Ohne Tag" not in html
    assert client.get("/tag/unbekannt/").status_code == 404


def test_author_lists_posts_and_profile(client):
    profile = AuthorProfileFactory(
        user=UserFactory(username="erika"), display_name="Erika Muster", byline="Akademieleitung"
    )
    PostFactory(title="Von Erika", author=profile.user)
    PostFactory(title="Von jemand anderem")
    html = html_of(client, "/author/erika/")
    assert "Von Erika" in html and "Von jemand anderem" not in html
    assert "Erika Muster" in html and "Akademieleitung" in html
    assert client.get("/author/niemand/").status_code == 404


# Search: tests/blog/test_search.py


# --- static pages, errors ---------------------------------------------------------------


def test_static_page_renders_and_unpublished_is_404(client, editor):
    PageFactory(title="Datenschutz", slug="datenschutz", body="<h2>Verantwortlich</h2><p>Wir.</p>")
    PageFactory(title="Entwurf", slug="entwurf", is_published=False)
    html = html_of(client, "/datenschutz/")
    assert "<h2>Verantwortlich</h2>" in html
    assert client.get("/entwurf/").status_code == 404
    client.force_login(editor)
    assert client.get("/entwurf/").status_code == 200


def test_404_page_is_friendly(client):
    response = client.get("/gibt/es/wirklich/nicht/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<html" in html
    assert 'role="search"' in html and 'href="/"' in html
    assert 'name="robots" content="noindex"' in html


# --- related posts ----------------------------------------------------------------------


def test_related_posts_by_shared_tags_and_categories(client):
    marketing, technik = CategoryFactory(), CategoryFactory()
    facebook, twitter, xing = TagFactory(), TagFactory(), TagFactory()
    post = PostFactory(title="Ausgang", categories=[marketing], tags=[facebook, twitter])
    PostFactory(title="Zwei Tags", tags=[facebook, twitter], published_at=at(1))
    PostFactory(title="Nur Kategorie", categories=[marketing], published_at=at(3))
    PostFactory(title="Ein Tag", tags=[facebook], published_at=at(2))
    PostFactory(title="Fremd", categories=[technik], tags=[xing])
    PostFactory(
        title="Entwurf mit Tags", tags=[facebook, twitter], status=Post.Status.DRAFT, published_at=None
    )
    html = html_of(client, post.get_absolute_url())
    section = html[html.index('class="related-posts') :]
    assert section.index("Zwei Tags") < section.index("Ein Tag") < section.index("Nur Kategorie")
    assert "Fremd" not in section and "Entwurf mit Tags" not in section


def test_related_posts_absent_without_tags_or_categories(client):
    post = PostFactory()
    PostFactory()
    assert "related-posts" not in html_of(client, post.get_absolute_url())


# --- sharing ----------------------------------------------------------------------------


def test_share_links_load_no_third_party_script(client):
    post = PostFactory()
    html = html_of(client, post.get_absolute_url())
    assert f'href="/share/{post.pk}/facebook/"' in html
    assert "facebook.com" not in html and "connect.facebook" not in html
    for src in html.split("<script")[1:]:
        assert 'src="http' not in src.split(">")[0]


def test_share_redirects_and_counts_once_per_address_per_day(client):
    post = PostFactory(title="Teilen & Co", slug="teilen")
    url = reverse("blog:share", kwargs={"pk": post.pk, "network": "facebook"})
    response = client.get(url, REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 302
    assert response["Location"].startswith(
        "https://www.facebook.com/sharer/sharer.php?u=http%3A%2F%2Ftestserver"
    )
    client.get(url, REMOTE_ADDR="203.0.113.5")
    client.get(reverse("blog:share", kwargs={"pk": post.pk, "network": "x"}), REMOTE_ADDR="203.0.113.5")
    post.refresh_from_db()
    assert post.share_count == 1
    client.get(url, REMOTE_ADDR="198.51.100.7")
    post.refresh_from_db()
    assert post.share_count == 2
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        client.get(url, REMOTE_ADDR="203.0.113.5")
    post.refresh_from_db()
    assert post.share_count == 3
    assert "(3)" in html_of(client, post.get_absolute_url())


def test_share_mailto_and_unknown_network(client):
    post = PostFactory(title="Teilen & Co")
    response = client.get(reverse("blog:share", kwargs={"pk": post.pk, "network": "email"}))
    assert response["Location"].startswith("mailto:?subject=Teilen%20%26%20Co&body=http")
    assert client.get(f"/share/{post.pk}/myspace/").status_code == 404
    assert client.post(f"/share/{post.pk}/email/").status_code == 405


# --- robots, health ---------------------------------------------------------------------


def test_robots_txt(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "User-agent: *" in text
    assert "Disallow: /admin/" in text and "Disallow: /preview/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_healthz_503_when_database_fails(client):
    with mock.patch("blog.views.connection.cursor", side_effect=DatabaseError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503


def test_related_posts_by_tags_only_or_categories_only(client):
    tag, category = TagFactory(), CategoryFactory()
    by_tag = PostFactory(tags=[tag])
    PostFactory(title="Gleicher Tag", tags=[tag])
    by_category = PostFactory(categories=[category])
    PostFactory(title="Gleiche Kategorie", categories=[category])
    assert "Gleicher Tag" in html_of(client, by_tag.get_absolute_url()).split("related-posts")[1]
    assert "Gleiche Kategorie" in html_of(client, by_category.get_absolute_url()).split("related-posts")[1]
