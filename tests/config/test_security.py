"""Security review: sign-in limits, CSRF on every form, no inline scripts."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


def attempt(client, username="chefin", password="falsch", ip="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_admin_login_is_rate_limited_per_address(client, settings):
    settings.CORE_LOGIN_ATTEMPTS_PER_IP = 5
    for _ in range(5):
        assert attempt(client).status_code == 200  # the form again, with an error
    response = attempt(client)
    assert response.status_code == 429
    assert response["Retry-After"]
    assert attempt(Client(), ip="198.51.100.9").status_code == 200, "another address is not affected"


def test_admin_login_is_rate_limited_per_user_name_across_addresses(client, settings):
    settings.CORE_LOGIN_ATTEMPTS_PER_USER = 3
    for n in range(3):
        assert attempt(client, ip=f"192.0.2.{n}").status_code == 200
    assert attempt(client, ip="192.0.2.99").status_code == 429


def test_correct_login_still_works_below_the_limit(client):
    UserFactory(username="chefin", is_staff=True)
    attempt(client)
    response = attempt(client, password="secret-pass-123")
    assert response.status_code == 302


def test_login_limit_can_be_switched_off_for_load_tests(client, settings):
    settings.RATELIMIT_ENABLED = False
    settings.CORE_LOGIN_ATTEMPTS_PER_IP = 1
    for _ in range(3):
        assert attempt(client).status_code == 200


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms, self._current = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action"),
                "csrf": False,
            }
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None and attrs.get("name") == "csrfmiddlewaretoken":
            self._current["csrf"] = bool(attrs.get("value"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def post_forms(html):
    parser = _Forms()
    parser.feed(html)
    return [f for f in parser.forms if f["method"] == "post"]


def test_every_post_form_on_reader_pages_carries_a_csrf_token(client):
    post = PostFactory()
    pages = [reverse("blog:home"), post.get_absolute_url(), "/search/?q=x", "/nope/", "/polls/", LOGIN]
    seen = 0
    for url in pages:
        for form in post_forms(client.get(url).content.decode()):
            seen += 1
            assert form["csrf"], f"{url}: form posting to {form['action']} has no CSRF token"
    assert seen >= len(pages), "expected at least the language switch on every page"


def test_no_view_is_exempt_from_csrf():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for app in ("blog", "comments", "polls", "wpimport", "config")
        for path in (root / app).rglob("*.py")
        if re.search(r"csrf_exempt", path.read_text())
    ]
    assert offenders == []


def test_post_without_csrf_token_is_refused():
    post = PostFactory()
    client = Client(enforce_csrf_checks=True)
    client.get(post.get_absolute_url())
    response = client.post(reverse("set_language"), {"language": "en"})
    assert response.status_code == 403
