import pytest
from django.test import RequestFactory

from blog.shortcodes import Shortcode, registry
from polls.shortcodes import render_poll_shortcodes, render_polldaddy_shortcodes
from tests.factories import PostFactory
from tests.polls.factories import PollFactory, add_votes

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_(rf: RequestFactory):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/2024/01/post/")
    request.user = AnonymousUser()
    return request


def test_handlers_are_registered():
    assert {"poll", "polldaddy"} <= registry.names()


def test_poll_shortcode_embeds_several_polls_with_fixed_queries(request_, django_assert_max_num_queries):
    polls = [PollFactory(slug=f"umfrage-{i}", question=f"Frage {i}?") for i in range(4)]
    shortcodes = [Shortcode("poll", (p.slug,)) for p in polls] + [Shortcode("poll", ("gibt-es-nicht",))]
    with django_assert_max_num_queries(2):
        html = render_poll_shortcodes(shortcodes, request_)
    assert html[-1] is None
    for poll, box in zip(polls, html, strict=False):
        assert poll.question in box
        assert f'action="/polls/{poll.slug}/vote/"' in box
    assert sum("polls/polls.js" in box for box in html[:-1]) == 1


def test_polldaddy_shortcode_finds_legacy_number(request_):
    poll = PollFactory(legacy_id=1234, question="Alte Umfrage?")
    html = render_polldaddy_shortcodes(
        [Shortcode("polldaddy", (), {"poll": "1234"}), Shortcode("polldaddy", (), {"poll": "x1"})], request_
    )
    assert poll.question in html[0]
    assert html[1] is None


def test_poll_shortcode_without_request_is_a_plain_link():
    poll = PollFactory(slug="feed-umfrage", question="Im Feed?")
    (html,) = render_poll_shortcodes([Shortcode("poll", ("feed-umfrage",))], None)
    assert html == f'<p class="poll-link"><a href="{poll.get_absolute_url()}">Im Feed?</a></p>'


def test_post_page_embeds_two_polls_and_hides_unknown(client):
    PollFactory(slug="erste", question="Erste Frage?")
    second = PollFactory(slug="zweite", question="Zweite Frage?")
    add_votes(second.choices.first(), 1)
    post = PostFactory(
        body="Text\n\n[poll erste]\n\nMehr\n\n[poll zweite]\n\n[polldaddy poll=99]\n\n[poll nope]"
    )
    body = client.get(post.get_absolute_url()).content.decode()
    assert "Erste Frage?" in body and "Zweite Frage?" in body
    assert body.count('name="choice"') == 6
    assert "polldaddy" not in body and "[poll nope]" not in body


def test_post_page_staff_sees_unknown_poll_raw(client, superuser):
    post = PostFactory(body="[poll gibt-es-nicht]")
    client.force_login(superuser)
    assert "[poll gibt-es-nicht]" in client.get(post.get_absolute_url()).content.decode()


def test_post_page_shows_results_after_voting(client, poll, choices):
    post = PostFactory(body="[poll social-media]")
    client.post(f"/polls/{poll.slug}/vote/", {"choice": choices[0].pk, "next": post.get_absolute_url()})
    body = client.get(post.get_absolute_url()).content.decode()
    assert 'class="poll-results"' in body
    assert 'name="choice"' not in body


def test_post_page_random_order_keeps_other_last(client):
    poll = PollFactory(slug="zufall", is_random_order=True, choices=["A", "B", "C", "D", "Sonstiges"])
    post = PostFactory(body="[poll zufall]")
    for _i in range(5):
        body = client.get(post.get_absolute_url()).content.decode()
        positions = [body.index(f'value="{c.pk}"') for c in poll.choices.all()]
        assert positions[-1] == max(positions)


def test_sidebar_shows_newest_open_poll(client):
    PollFactory(question="Ältere Frage?")
    PollFactory(question="Neueste Frage?")
    post = PostFactory()
    body = client.get(post.get_absolute_url()).content.decode()
    assert "Neueste Frage?" in body
    assert "Ältere Frage?" not in body
