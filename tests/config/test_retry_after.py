"""Every 429 the site sends says when to come back: a ``Retry-After`` of whole seconds.

Behaviour for each rate-limited path, plus a check over the source: any function that
answers 429 sets ``Retry-After`` itself or goes through ``too_many_requests``.
"""

import ast
from pathlib import Path

import pytest
from django.urls import reverse

from tests.comments.factories import CommentFactory
from tests.comments.utils import form_data
from tests.factories import PostFactory
from tests.polls.factories import PollFactory

ROOT = Path(__file__).resolve().parents[2]
APPS = ("blog", "comments", "polls", "wpimport", "core", "config")
# (path, function) pairs allowed to answer 429 without Retry-After: none.
EXEMPT: set[tuple[str, str]] = set()


def assert_retry_after(response, seconds):
    assert response.status_code == 429
    assert response["Retry-After"] == str(seconds)


@pytest.mark.django_db
def test_comment_flood_429_says_when(client, settings):
    settings.COMMENTS_FLOOD_LIMIT, settings.COMMENTS_FLOOD_WINDOW = 1, 90
    post = PostFactory()
    url = reverse("comments:post", args=[post.pk])
    client.post(url, form_data(body="Erster"))
    assert_retry_after(client.post(url, form_data(body="Zweiter", email="b@example.org")), 90)


@pytest.mark.django_db
def test_report_429_says_when(client, settings):
    settings.COMMENTS_REPORT_LIMIT = 1
    comment = CommentFactory()
    url = reverse("comments:report", args=[comment.pk])
    assert client.post(url, {"reason": "Spam"}).status_code == 302
    assert_retry_after(client.post(url, {"reason": "Noch mal"}), 3600)


@pytest.mark.django_db
def test_login_429_says_when(client, settings):
    settings.CORE_LOGIN_ATTEMPTS_PER_IP, settings.CORE_LOGIN_WINDOW = 1, 900
    for _ in range(2):
        response = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert_retry_after(response, 900)


@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_vote_429_says_when(client, settings, accept):
    settings.POLLS_VOTE_RATE_LIMIT, settings.POLLS_VOTE_RATE_WINDOW = 1, 45
    poll = PollFactory(protection="none")
    url = reverse("polls:vote", kwargs={"slug": poll.slug})
    choice = poll.choices.first().pk
    client.post(url, {"choice": choice}, HTTP_ACCEPT=accept)
    assert_retry_after(client.post(url, {"choice": choice}, HTTP_ACCEPT=accept), 45)


def _functions_answering_429():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    constants = {n.value for n in ast.walk(node) if isinstance(n, ast.Constant)}
                    if 429 in constants:
                        yield path.relative_to(ROOT).as_posix(), node


def test_every_function_answering_429_sets_retry_after():
    found, missing = [], []
    for path, function in _functions_answering_429():
        found.append((path, function.name))
        names = {n.id for n in ast.walk(function) if isinstance(n, ast.Name)} | {
            n.attr for n in ast.walk(function) if isinstance(n, ast.Attribute)
        }
        strings = {n.value for n in ast.walk(function) if isinstance(n, ast.Constant)}
        exempt = (path, function.name) in EXEMPT
        if "Retry-After" not in strings and "too_many_requests" not in names and not exempt:
            missing.append(f"{path}: {function.name}()")
    assert found, "the scan found no 429 at all: it is looking in the wrong place"
    assert not missing, "429 without Retry-After in:\n" + "\n".join(missing)
