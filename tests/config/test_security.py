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


def test_every_post_form_on_reader_pages_carries_a_csrf_token():
    from tests.polls.factories import PollFactory

    poll = PollFactory(slug="umfrage")
    post = PostFactory(body="Vorher\n\n[poll umfrage]\n\nNachher")
    pages = [
        reverse("blog:home"),
        post.get_absolute_url(),
        "/search/?q=x",
        "/nope/",
        "/polls/",
        poll.get_absolute_url(),
        LOGIN,
    ]
    actions = set()
    for url in pages:
        for _view in ("rendered", "from the page cache"):
            for form in post_forms(Client().get(url).content.decode()):
                actions.add(form["action"])
                assert form["csrf"], f"{url}: form posting to {form['action']} has no CSRF token"
    assert any("/comments/" in (action or "") for action in actions), "the comment form was not seen"
    assert any("/vote/" in (action or "") for action in actions), "the vote form was not seen"


def test_every_post_form_on_a_cached_page_is_refused_without_its_token():
    """CSRF is checked on every form a cached page carries: the token it brings (with the
    cookie the page sets) is accepted, none or another reader's is refused."""
    from tests.polls.factories import PollFactory

    PollFactory(slug="umfrage")
    post = PostFactory(body="[poll umfrage]")
    Client().get(post.get_absolute_url())  # rendered and stored
    reader, other = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page = reader.get(post.get_absolute_url())
    assert page["X-Page-Cache"] == "hit"
    other_page = other.get(post.get_absolute_url())
    forms = post_forms(page.content.decode())
    assert len(forms) >= 2  # comment form and vote form
    own = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    foreign = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', other_page.content.decode()).group(1)
    for form in forms:
        assert reader.post(form["action"], {}).status_code == 403, form["action"]
        assert reader.post(form["action"], {"csrfmiddlewaretoken": foreign}).status_code == 403, form[
            "action"
        ]
        assert reader.post(form["action"], {"csrfmiddlewaretoken": own}).status_code != 403, form["action"]


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
