"""Error pages: friendly, and a refused form hands back what the visitor typed."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_csrf_failure_keeps_the_visitors_text():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"body": "Mein langer <Kommentar>", "name": "Erika"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Mein langer &lt;Kommentar&gt;" in html
    assert "<Kommentar>" not in html
    assert 'id="kept-name"' in html


def test_csrf_failure_without_text_still_explains():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "en"})
    assert response.status_code == 403
    assert "kept-" not in response.content.decode()


def test_404_page_is_friendly(client):
    response = client.get("/diese-seite-gibt-es-nicht/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'role="search"' in html
    assert "<footer" in html


def test_database_outage_in_a_view_is_a_friendly_503(client, monkeypatch):
    from django.db import OperationalError

    from blog import views

    def broken(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(views.HomeView, "get_queryset", broken)
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Traceback" not in response.content.decode()


def test_database_outage_on_a_post_hands_the_text_back(rf):
    from core.middleware import service_unavailable

    request = rf.post("/comments/post/", {"body": "Bitte nicht verlieren", "name": "Erika"})
    response = service_unavailable(request)
    html = response.content.decode()
    assert response.status_code == 503
    assert "could not be saved" in html
    assert "Bitte nicht verlieren" in html


def test_favicon_ico_points_at_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
