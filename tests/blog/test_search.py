"""German full-text search on SQLite (FTS5 + Snowball) and PostgreSQL (german configuration)."""

import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection

from blog import search
from blog.models import Post
from blog.search_relevance import QUERIES, relevance_hits, relevance_load
from tests.factories import AuthorProfileFactory, CategoryFactory, PostFactory, TagFactory, UserFactory
from tests.wpimport.builder import Item
from tests.wpimport.conftest import run_import  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def at(day, month=5, year=2011, hour=12):
    return datetime(year, month, day, hour, tzinfo=BERLIN)


def page(client, query, **params):
    response = client.get("/search/", {"q": query, **params})
    assert response.status_code == 200
    return response.content.decode()


def text(html):
    """The page's text: tags (such as the highlighting <mark>) removed."""
    return re.sub(r"<[^>]+>", "", html)


def titles(client, query):
    """Result titles in their order."""
    html = page(client, query)
    return [text(t) for t in re.findall(r'<h2 class="h4"(?: lang="de")?><a [^>]*>(.*?)</a></h2>', html)]


# --- what is found ------------------------------------------------------------------------


def test_search_finds_words_in_title_and_body(client):
    PostFactory(title="Facebook im Marketing", body="Text")
    PostFactory(title="Anderes", body="Hier geht es um Kommentare und Facebook.")
    PostFactory(title="Nichts davon", body="Twitter")
    PostFactory(title="Facebook-Entwurf", status=Post.Status.DRAFT, published_at=None)
    html = page(client, "facebook")
    assert sorted(titles(client, "facebook")) == ["Anderes", "Facebook im Marketing"]
    assert 'name="robots" content="noindex"' in html


def test_search_empty_query_shows_the_form(client):
    PostFactory(title="Irgendwas")
    html = page(client, "")
    assert 'id="search-q"' in html and "Irgendwas" not in html


@pytest.mark.parametrize(
    "query",
    ["'", '"', "!!", "a & b | !c", "<script>alert(1)</script>", "x" * 500, "%00", "-", "((", "NEAR(a b)",
     "title:x", "^a", "a*", "_", "__init__", "ÄÖÜ ß", "\u0000", "'); DROP TABLE blog_post; --", "die der das"],
)  # fmt: skip
def test_search_hostile_queries_never_fail(client, query):
    PostFactory(title="Facebook")
    if "\x00" in query:  # refused before any query runs (core's NUL middleware), with a page
        response = client.get("/search/", {"q": query})
        assert response.status_code == 400 and b"<html" in response.content
        return
    html = page(client, query)
    assert "<script>alert(1)</script>" not in html


def test_search_stems_german_words(client):
    """Plurals and inflected forms find each other (SQLite: Snowball; PostgreSQL: german)."""
    PostFactory(title="Über Leserbriefe", body="Die Kommentare der Leser sind wichtig.")
    PostFactory(title="Eine Richtlinie für alle", body="Text.")
    PostFactory(title="Fremd", body="Nichts hiervon.")
    assert titles(client, "Kommentar") == ["Über Leserbriefe"]
    assert titles(client, "Richtlinien") == ["Eine Richtlinie für alle"]
    assert titles(client, "leser kommentaren") == ["Über Leserbriefe"]


def test_search_finds_non_ascii_words_in_any_case(client):
    PostFactory(title="Ärger mit Übersetzungen")
    assert titles(client, "ärger") == ["Ärger mit Übersetzungen"]
    assert titles(client, "ÜBERSETZUNG") == ["Ärger mit Übersetzungen"]


def test_search_finds_tags_categories_and_the_author(client):
    author = AuthorProfileFactory(display_name="Hildegard Quellmann").user
    PostFactory(title="Abstimmung", tags=[TagFactory(name="Umfrage", slug="umfrage")])
    PostFactory(title="Praxisbericht", categories=[CategoryFactory(name="Fallstudien", slug="fallstudien")])
    PostFactory(title="Von ihr", author=author)
    PostFactory(title="Anderes")
    assert titles(client, "Umfragen") == ["Abstimmung"]
    assert titles(client, "Fallstudie") == ["Praxisbericht"]
    assert titles(client, "Quellmann") == ["Von ihr"]


def test_search_follows_renamed_tags_and_changed_links(client):
    tag = TagFactory(name="Umfrage", slug="umfrage")
    post = PostFactory(title="Abstimmung", tags=[tag])
    tag.name = "Abstimmungsrunde"
    tag.save()
    assert titles(client, "Umfrage") == []
    assert titles(client, "Abstimmungsrunde") == ["Abstimmung"]
    post.tags.clear()
    assert titles(client, "Abstimmungsrunde") == []
    tag.posts.add(post)  # from the tag's side
    assert titles(client, "Abstimmungsrunde") == ["Abstimmung"]
    tag.delete()
    assert titles(client, "Abstimmungsrunde") == []


def test_search_follows_edits_and_deletions(client):
    post = PostFactory(title="Alter Titel", body="Text.")
    post.title = "Neuer Titel über Podcasts"
    post.save()
    assert titles(client, "Podcast") == ["Neuer Titel über Podcasts"]
    assert titles(client, "Alter") == []
    post.delete()
    assert titles(client, "Podcast") == []


def test_search_follows_the_authors_name(client):
    user = UserFactory(first_name="Karl", last_name="Vorher")
    PostFactory(title="Sein Beitrag", author=user)
    user.last_name = "Nachher"
    user.save()
    assert titles(client, "Nachher") == ["Sein Beitrag"]
    assert titles(client, "Vorher") == []


def test_search_hides_unpublished_and_scheduled_posts(client):
    PostFactory(title="Podcast-Entwurf", status=Post.Status.DRAFT, published_at=None)
    PostFactory(title="Podcast geplant", published_at=datetime.now(BERLIN) + timedelta(days=2))
    PostFactory(title="Podcast live")
    assert titles(client, "Podcast") == ["Podcast live"]


def test_search_ranks_title_above_tags_above_body(client):
    PostFactory(title="Nebenbei", body="Ein Wort über Strategie.", published_at=at(3))
    PostFactory(title="Mit Schlagwort", tags=[TagFactory(name="Strategie")], published_at=at(2))
    PostFactory(title="Strategie", body="Text.", published_at=at(1))
    assert titles(client, "Strategie") == ["Strategie", "Mit Schlagwort", "Nebenbei"]


def test_search_relevance_set_puts_the_right_post_first(client):
    """The relevance set of blog/search_relevance.py: every query's post comes first."""
    posts = relevance_load(published_at=lambda n: at(1 + n))
    misses = [row for row in relevance_hits(posts) if row[1] != row[2]]
    assert misses == [], f"{len(QUERIES) - len(misses)}/{len(QUERIES)} hits on {connection.vendor}"


# --- what is shown ------------------------------------------------------------------------


def test_search_highlights_matches_in_title_and_snippet(client):
    PostFactory(
        title="Richtlinien für Mitarbeiter",
        body="Langer Vorspann. " * 30 + "Hier steht die Richtlinie. Und noch mehr Text danach. " * 5,
    )
    html = page(client, "Richtlinie")
    assert "<mark>Richtlinien</mark> für Mitarbeiter" in html
    snippet = re.search(r'<p class="search-snippet"(?: lang="de")?>(.*?)</p>', html).group(1)
    assert snippet.startswith("… ") and "die <mark>Richtlinie</mark>." in snippet
    assert len(text(snippet).split()) <= search.SNIPPET_WORDS + 2


def test_search_snippet_escapes_the_post_text(client):
    """Text that looks like markup stays text, also next to highlighted words."""
    PostFactory(
        title="Code <b>fett</b>",
        body="<p>Schreiben Sie <code>&lt;script&gt;alert(1)&lt;/script&gt;</code> nie in Kommentare.</p>",
    )
    html = page(client, "Kommentare")
    assert "<script>alert(1)</script>" not in html and "<b>fett</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<mark>Kommentare</mark>" in html


def test_search_highlight_never_marks_query_markup(client):
    PostFactory(title="mark und script")
    html = page(client, "<mark>script</mark>")
    assert "<mark>mark</mark> und <mark>script</mark>" in html
    assert "&lt;mark&gt;script&lt;/mark&gt;" in html  # the query, echoed in the field


def test_search_suggests_the_closest_word_for_a_typo(client):
    PostFactory(title="Eine Richtlinie für Social Media")
    html = page(client, "Richtlinei")
    assert "Did you mean" in html
    assert 'href="/search/?q=Richtlinie"' in html
    assert "search-suggestion" not in page(client, "Richtlinie")
    assert "search-suggestion" not in page(client, "Quantenphysik")  # nothing close: no guess


def test_search_paginates_with_the_query_kept(client):
    for n in range(12):
        PostFactory(title=f"Treffer {n}", published_at=at(1 + n))
    html = page(client, "Treffer")
    assert "12 posts found" in html
    assert 'href="?q=Treffer&amp;page=2"' in html
    assert len(titles(client, "Treffer")) == 10
    second = text(page(client, "Treffer", page=2))
    assert "Treffer 1\n" in second or "Treffer 1<" in second or "Treffer 1" in second
    assert client.get("/search/", {"q": "Treffer", "page": 9}).status_code == 404


def test_search_queries_stay_within_budget(client, django_assert_max_num_queries):
    for n in range(30):
        PostFactory(title=f"Treffer {n}", tags=[TagFactory()], categories=[CategoryFactory()])
    client.get("/search/?q=Treffer")  # one-time rows (sessions, settings)
    with django_assert_max_num_queries(12):
        assert client.get("/search/?q=Treffer").status_code == 200


def test_index_rebuild_restores_a_lost_index(client):
    PostFactory(title="Verloren geglaubt")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM blog_post_fts")
        assert titles(client, "verloren") == []
    call_command("search_reindex", stdout=io.StringIO())
    assert titles(client, "verloren") == ["Verloren geglaubt"]


def test_search_finds_imported_tags(client, run_import):  # noqa: F811
    """The WordPress import links tags in bulk (no m2m signal): it indexes them itself."""
    run_import(items=[Item(1, title="Hallo Welt", slug="hallo-welt", tags=[("umfrage", "Umfrage")])])
    assert titles(client, "Umfragen") == ["Hallo Welt"]


def test_search_form_may_be_indexed_but_result_pages_not(client):
    form = page(client, "")
    assert '<meta name="description" content="Search the posts of this blog.">' in form
    assert 'name="robots"' not in form
    assert '<meta name="robots" content="noindex">' in page(client, "Social")
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /search/?" in robots and "Disallow: /search/\n" not in robots
