"""Feeds expand the polls of all their posts at once: one poll query, not one per post (issue 15)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CategoryFactory, PostFactory
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db


def feed_queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/", "/category/umfragen/feed/"])
def test_feed_with_polls_in_every_post_costs_one_poll_query(client, url):
    category = CategoryFactory(slug="umfragen")
    first = PollFactory(question="Erste Umfrage?", legacy_id=4711)
    PostFactory(body="<p>Eins</p>\n<p>[polldaddy poll=4711]</p>", categories=[category])
    few, content = feed_queries(client, url)
    assert "Erste Umfrage?" in content
    second = PollFactory(question="Zweite Umfrage?")
    for n in range(12):
        body = f"<p>Text {n}</p>\n<p>[polldaddy poll=4711]</p>\n<p>[poll {second.slug}]</p>"
        PostFactory(body=body, categories=[category])
    many, content = feed_queries(client, url)
    assert many == few + 1  # the [poll] kind appeared: one query for all twelve posts
    assert content.count("Zweite Umfrage?") == 12
    assert content.count(first.question) == 13
