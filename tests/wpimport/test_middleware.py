import pytest

from blog.models import Page, Post
from tests.wpimport.builder import Item

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(run_import):
    run_import(
        items=[
            Item(101, slug="hallo-welt"),
            Item(102, slug="neuer-monat", link="http://alt.example.org/2011/05/neuer-monat/"),
            Item(103, slug="entwurf", status="draft"),
            Item(104, slug="%c3%bcber-mich", link="http://alt.example.org/%C3%BCber-mich/"),
            Item(
                201,
                "Impressum",
                post_type="page",
                slug="impressum",
                link="http://alt.example.org/about/impressum/",
            ),
            Item(
                202, "Kontakt", post_type="page", slug="kontakt", link="http://alt.example.org/?page_id=202"
            ),
        ]
    )
    return {p.legacy_items.get().wp_id: p for p in [*Post.objects.all(), *Page.objects.all()]}


def test_old_dated_permalink_redirects_permanently(client, imported):
    response = client.get("/2011/05/24/hallo-welt/")
    assert response.status_code == 301
    assert response["Location"] == imported[101].get_absolute_url() == "/2011/05/hallo-welt/"


def test_old_path_without_trailing_slash_and_encoded_slug_redirect(client, imported):
    assert client.get("/2011/05/24/hallo-welt")["Location"] == "/2011/05/hallo-welt/"
    response = client.get("/%C3%BCber-mich/")
    assert response.status_code == 301
    assert response["Location"] == imported[104].get_absolute_url()


def test_question_mark_p_redirects_on_any_path(client, imported):
    response = client.get("/", {"p": "101"})
    assert response.status_code == 301
    assert response["Location"] == "/2011/05/hallo-welt/"
    assert client.get("/irgendwo/", {"p": "101"})["Location"] == "/2011/05/hallo-welt/"
    assert client.get("/", {"page_id": "202"})["Location"] == imported[202].get_absolute_url()


def test_old_page_path_redirects_to_the_page(client, imported):
    response = client.get("/about/impressum/")
    assert response.status_code == 301
    assert response["Location"] == "/impressum/"


def test_same_path_as_the_new_permalink_is_simply_served(client, imported):
    assert client.get("/2011/05/neuer-monat/").status_code == 200


def test_drafts_and_unknown_ids_are_not_found_not_the_home_page(client, imported):
    assert client.get("/2011/05/24/entwurf/").status_code == 404
    assert client.get("/", {"p": "103"}).status_code == 404
    assert client.get("/", {"p": "999"}).status_code == 404
    assert client.get("/", {"page_id": "999"}).status_code == 404
    assert client.get("/", {"attachment_id": "999"}).status_code == 404
    assert client.get("/", {"p": "abc"}).status_code == 404
    assert client.get("/", {"p": "9" * 40}).status_code == 404
    assert client.get("/gibt-es-nicht/").status_code == 404
    assert client.get("/", {"page": "1"}).status_code == 200


def test_redirect_lookup_costs_one_query(client, imported, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        client.get("/", {"p": "101"})
