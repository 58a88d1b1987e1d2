"""The sitemap lists every published post, page and listing; nothing unpublished.

``/sitemap.xml`` is the whole sitemap while every address fits in one part, and past
``PART_SIZE`` addresses an index of parts (``/sitemap-posts.xml?p=2``) of at most
``PART_SIZE`` addresses each (issue 15).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from defusedxml import ElementTree

from blog import sitemaps
from blog.models import Post
from blog.sitemaps import PostSitemap
from tests.factories import CategoryFactory, PageFactory, PostFactory, TagFactory

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BERLIN = ZoneInfo("Europe/Berlin")


def sitemap_root(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return ElementTree.fromstring(response.content)


def parts(client) -> list[str]:
    root = sitemap_root(client)
    assert root.tag == f"{NS}sitemapindex"
    return [entry.findtext(f"{NS}loc") for entry in root.findall(f"{NS}sitemap")]


@pytest.fixture
def small_parts(monkeypatch):
    """Parts of four addresses, so a handful of posts makes ``/sitemap.xml`` an index."""
    monkeypatch.setattr(sitemaps, "PART_SIZE", 4)
    for cls in (sitemaps.PostSitemap, sitemaps.PageSitemap, sitemaps.TaxonomySitemap):
        monkeypatch.setattr(cls, "limit", 4)


def part_entries(client, url: str) -> list:
    response = client.get(url.removeprefix("http://testserver"))
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{NS}urlset"
    return root.findall(f"{NS}url")


def sitemap_locations(client) -> list[str]:
    """Every address of the sitemap: in ``/sitemap.xml`` itself or in every part it names."""
    root = sitemap_root(client)
    if root.tag == f"{NS}urlset":
        return [url.findtext(f"{NS}loc") for url in root.findall(f"{NS}url")]
    return [url.findtext(f"{NS}loc") for part in parts(client) for url in part_entries(client, part)]


def test_a_small_site_has_its_whole_sitemap_in_one_file(client):
    posts = [PostFactory() for _ in range(3)]
    PageFactory(slug="impressum")
    root = sitemap_root(client)
    assert root.tag == f"{NS}urlset"
    locations = [url.findtext(f"{NS}loc") for url in root.findall(f"{NS}url")]
    assert len(locations) == len(set(locations))
    assert "http://testserver/" in locations
    assert "http://testserver/impressum/" in locations
    for post in posts:
        assert f"http://testserver{post.get_absolute_url()}" in locations


@pytest.mark.usefixtures("small_parts")
def test_past_one_part_the_sitemap_becomes_an_index(client):
    posts = [PostFactory() for _ in range(3)]
    assert sitemap_root(client).tag == f"{NS}urlset"  # home + 3 posts: one part
    posts.append(PostFactory())  # now five addresses
    locations = sitemap_locations(client)
    assert sitemap_root(client).tag == f"{NS}sitemapindex"
    for post in posts:
        assert locations.count(f"http://testserver{post.get_absolute_url()}") == 1


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
    # Not touched since publication: lastmod is the publication; then the "updated" time.
    assert sitemap.lastmod(item) == post.published_at
    assert sitemap.entries(1) == [("/2011/05/datiert/", post.published_at)]
    post.updated_at = datetime(2012, 2, 3, tzinfo=BERLIN)
    post.save()
    assert sitemap.entries(1) == [("/2011/05/datiert/", post.updated_at)]
    assert sitemap.latest_lastmod() == post.updated_at


def test_sitemap_lastmod_in_the_part_is_the_updated_time(client):
    PostFactory(
        slug="revidiert",
        published_at=datetime(2011, 5, 24, 10, tzinfo=BERLIN),
        updated_at=datetime(2013, 1, 2, 9, tzinfo=BERLIN),
    )
    [entry] = part_entries(client, "/sitemap-posts.xml")
    assert entry.findtext(f"{NS}loc") == "http://testserver/2011/05/revidiert/"
    assert entry.findtext(f"{NS}lastmod") == "2013-01-02T09:00:00+01:00"


@pytest.mark.usefixtures("small_parts")
def test_sitemap_is_an_index_of_parts_that_hold_every_post(client):
    posts = [PostFactory() for _ in range(10)]
    index = parts(client)
    assert index.count("http://testserver/sitemap-posts.xml") == 1
    assert "http://testserver/sitemap-posts.xml?p=2" in index
    assert "http://testserver/sitemap-posts.xml?p=3" in index
    assert "http://testserver/sitemap-posts.xml?p=4" not in index
    second = part_entries(client, "/sitemap-posts.xml?p=2")
    assert len(second) == 4  # ?p= pages the part; the WordPress ?p= redirect leaves it alone
    locations = sitemap_locations(client)
    for post in posts:
        assert locations.count(f"http://testserver{post.get_absolute_url()}") == 1
    for bad in ("?p=4", "?p=0", "?p=x", "?p=99999999999999999999"):
        assert client.get(f"/sitemap-posts.xml{bad}").status_code == 404, bad
    assert client.get("/sitemap-posts.xml?p=2%00").status_code == 400
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_sitemap_part_size_stays_within_the_protocol_and_issue_15():
    assert PostSitemap.limit <= 5_000


@pytest.mark.usefixtures("small_parts")
def test_sitemap_index_and_parts_go_through_the_page_cache(client):
    PostFactory(title="Vorher 1")
    PostFactory(title="Vorher 2")
    PostFactory(title="Vorher 3")
    PostFactory(title="Schon da")
    for url in ("/sitemap.xml", "/sitemap-posts.xml"):
        assert client.get(url)["X-Page-Cache"] == "miss"
        assert client.get(url)["X-Page-Cache"] == "hit"
    new = PostFactory(title="Neu")  # saving says so through core.invalidation
    assert client.get("/sitemap.xml")["X-Page-Cache"] == "miss"
    # Oldest first: the fifth post opens the second part of four.
    assert new.get_absolute_url() in client.get("/sitemap-posts.xml?p=2").content.decode()


def test_sitemap_query_count_is_fixed(client, django_assert_max_num_queries, monkeypatch):
    for _ in range(20):
        PostFactory()
    # One file for a small site: the index's look-ups plus each section's rows.
    with django_assert_max_num_queries(11):
        assert len(sitemap_locations(client)) == 21
    for _ in range(20):
        PostFactory()
    client.get("/sitemap.xml")  # warm, then as an index
    monkeypatch.setattr(sitemaps, "PART_SIZE", 30)
    for cls in (sitemaps.PostSitemap, sitemaps.PageSitemap, sitemaps.TaxonomySitemap):
        monkeypatch.setattr(cls, "limit", 30)
    PostFactory()  # a change, so the index is worked out anew
    # Index: latest change and size of each section (the taxonomy is read whole: two small
    # tables), and the page cache's next scheduled publication. Part: its size and its rows.
    with django_assert_max_num_queries(7):
        parts(client)
    with django_assert_max_num_queries(3):
        part_entries(client, "/sitemap-posts.xml?p=1")
