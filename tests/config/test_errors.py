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
