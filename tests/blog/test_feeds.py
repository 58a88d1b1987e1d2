"""RSS 2.0 and Atom feeds, site-wide and per category, parsed as XML."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from defusedxml import ElementTree

from blog.models import Post
from tests.factories import AuthorProfileFactory, CategoryFactory, PostFactory, TagFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
BERLIN = ZoneInfo("Europe/Berlin")


def parse(client, url, content_type):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    return ElementTree.fromstring(response.content)


@pytest.fixture
def posts():
    profile = AuthorProfileFactory(display_name="Erika Muster")
    marketing = CategoryFactory(name="Marketing", slug="marketing")
    facebook = CategoryFactory(name="Facebook", slug="facebook", parent=marketing)
    return {
        "old": PostFactory(
            title="Alt & bewährt",
            slug="alt",
            author=profile.user,
            categories=[marketing],
            tags=[TagFactory(name="Strategie")],
            body="<p><strong>Fett</strong> und <script>alert(1)</script></p>",
            published_at=datetime(2011, 5, 24, 10, tzinfo=BERLIN),
        ),
        "new": PostFactory(
            title="Neu",
            slug="neu",
            categories=[facebook],
            published_at=datetime(2011, 6, 1, 10, tzinfo=BERLIN),
        ),
        "other": PostFactory(title="Anderes Thema", slug="anderes"),
        "draft": PostFactory(title="Entwurf", status=Post.Status.DRAFT, published_at=None),
        "scheduled": PostFactory(title="Geplant", published_at=datetime(2099, 1, 1, tzinfo=BERLIN)),
    }


def test_rss_feed_lists_published_posts_newest_first(client, posts):
    rss = parse(client, "/feed/", "application/rss+xml")
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    items = rss.findall("channel/item")
    titles = [item.findtext("title") for item in items]
    assert titles == ["Anderes Thema", "Neu", "Alt & bewährt"]
    old = items[2]
    assert old.findtext("link") == "http://testserver/2011/05/alt/"
    assert "Erika Muster" in old.findtext("{http://purl.org/dc/elements/1.1/}creator")
    assert {c.text for c in old.findall("category")} == {"Marketing", "Strategie"}
    description = old.findtext("description")
    assert "<strong>Fett</strong>" in description
    assert "<script" not in description
    assert old.findtext("pubDate").startswith("Tue, 24 May 2011")


def test_atom_feed_is_valid_atom(client, posts):
    feed = parse(client, "/feed/atom/", "application/atom+xml")
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Anderes Thema", "Neu", "Alt & bewährt"]
    old = entries[2]
    assert old.find(f"{ATOM}link").get("href") == "http://testserver/2011/05/alt/"
    published = datetime.fromisoformat(old.findtext(f"{ATOM}published"))
    assert published == datetime(2011, 5, 24, 10, tzinfo=BERLIN)
    assert old.findtext(f"{ATOM}updated")
    assert old.findtext(f"{ATOM}id")


def test_category_feed_holds_the_category_and_its_sub_categories(client, posts):
    rss = parse(client, "/category/marketing/feed/", "application/rss+xml")
    titles = {item.findtext("title") for item in rss.findall("channel/item")}
    assert titles == {"Alt & bewährt", "Neu"}
    assert "Marketing" in rss.findtext("channel/title")
    child = parse(client, "/category/facebook/feed/", "application/rss+xml")
    assert [i.findtext("title") for i in child.findall("channel/item")] == ["Neu"]


def test_category_feed_of_unknown_category_is_404(client):
    assert client.get("/category/nichts/feed/").status_code == 404


def test_feed_hides_unknown_shortcodes(client):
    PostFactory(title="Mit Umfrage", body='Vorher\n\n[gallery ids="1,2"]\n\nNachher')
    rss = parse(client, "/feed/", "application/rss+xml")
    description = rss.find("channel/item").findtext("description")
    assert "Vorher" in description and "Nachher" in description
    assert "gallery" not in description


def test_feed_query_count_does_not_grow_with_posts(client, django_assert_max_num_queries):
    tags = [TagFactory() for _ in range(3)]
    for _ in range(15):
        PostFactory(tags=tags, categories=[CategoryFactory()])
    with django_assert_max_num_queries(5):
        assert client.get("/feed/").status_code == 200


def test_feed_content_has_only_absolute_urls(client):
    """Feed readers show posts away from the site: "/polls/…" would point nowhere."""
    from tests.polls.factories import PollFactory

    PollFactory(slug="frage")
    PostFactory(body='[poll frage]\n\n<a href="/2011/05/alt/">Alt</a> <img src="/media/a.jpg" alt="A">')
    for url in ("/feed/", "/feed/atom/"):
        body = client.get(url).content.decode()
        import html as html_lib

        text = html_lib.unescape(body)
        assert 'href="http://testserver/polls/' in text or "http://testserver/polls/" in text
        assert 'href="/' not in text and 'src="/' not in text and 'action="/' not in text, url
        assert 'href="http://testserver/2011/05/alt/"' in text
