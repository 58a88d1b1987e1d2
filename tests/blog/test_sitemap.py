"""The sitemap lists every published post, page and listing; nothing unpublished."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from defusedxml import ElementTree

from blog.models import Post
from blog.sitemaps import PostSitemap
from tests.factories import CategoryFactory, PageFactory, PostFactory, TagFactory

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BERLIN = ZoneInfo("Europe/Berlin")


def sitemap_locations(client) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{NS}urlset"
    return [url.findtext(f"{NS}loc") for url in root.findall(f"{NS}url")]


def test_sitemap_has_every_published_post_and_no_hidden_one(client):
    published = [PostFactory() for _ in range(25)]
    draft = PostFactory(status=Post.Status.DRAFT, published_at=None)
    scheduled = PostFactory(published_at=datetime(2099, 1, 1, tzinfo=BERLIN))
    locations = sitemap_locations(client)
    for post in published:
        assert f"http://testserver{post.get_absolute_url()}" in locations
    assert f"http://testserver{draft.get_absolute_url()}" not in locations
    assert f"http://testserver{scheduled.get_absolute_url()}" not in locations
    assert not any(draft.slug in loc or scheduled.slug in loc for loc in locations)


def test_sitemap_has_home_pages_and_listings(client):
    PageFactory(slug="impressum")
    PageFactory(slug="entwurf", is_published=False)
    CategoryFactory(slug="marketing")
    TagFactory(slug="facebook")
    locations = sitemap_locations(client)
    assert "http://testserver/" in locations
    assert "http://testserver/impressum/" in locations
    assert "http://testserver/entwurf/" not in locations
    assert "http://testserver/category/marketing/" in locations
    assert "http://testserver/tag/facebook/" in locations


def test_sitemap_post_lastmod_and_permalink_date():
    post = PostFactory(slug="datiert", published_at=datetime(2011, 5, 24, tzinfo=BERLIN))
    sitemap = PostSitemap()
    [item] = list(sitemap.items())
    assert sitemap.location(item) == "/2011/05/datiert/"
    assert sitemap.lastmod(item) == Post.objects.get(pk=post.pk).modified_at


def test_sitemap_holds_all_posts_of_a_large_blog_in_one_file():
    # One /sitemap.xml (no index) must not cut off posts beyond its page size.
    assert PostSitemap.limit >= 50_000


def test_sitemap_query_count_is_fixed(client, django_assert_max_num_queries):
    for _ in range(20):
        PostFactory()
    with django_assert_max_num_queries(6):
        sitemap_locations(client)
