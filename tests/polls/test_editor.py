"""Polls from the writing desk: found or created without leaving the post; a poll made for a
post that is not live yet stays hidden from readers until the post goes live."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from blog.models import Post
from polls.models import Poll
from tests.factories import PostFactory
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db

CREATE = "admin:polls_desk_create"


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def create(client, **data):
    return client.post(
        reverse(CREATE), {"question": "Print oder digital?", "choices": "Print\nDigital", **data}
    )


def test_search_finds_polls_by_question(editor_client):
    PollFactory(question="Social Media: PR oder Marketing?", slug="pr-marketing")
    PollFactory(question="Wetter", slug="wetter")
    data = editor_client.get(reverse("admin:polls_desk_search"), {"q": "marketing"}).json()
    assert data["results"] == [{"slug": "pr-marketing", "question": "Social Media: PR oder Marketing?"}]


def test_create_checks_its_input(editor_client):
    assert create(editor_client, choices="nur eine").status_code == 400
    assert create(editor_client, question=" ").status_code == 400
    assert create(editor_client, choices="\n".join(str(i) for i in range(30))).status_code == 400
    assert not Poll.objects.exists()


def test_moderators_cannot_create_polls(client, moderator):
    client.force_login(moderator)
    assert create(client).status_code == 403


def test_poll_made_for_a_scheduled_post_is_hidden_until_the_post_is_live(editor_client):
    client = Client()  # a reader
    post = PostFactory(status=Post.Status.PUBLISHED, published_at=timezone.now() + timedelta(days=1))
    response = create(editor_client, post=post.pk)
    assert response.status_code == 201
    poll = Poll.objects.get(slug=response.json()["slug"])
    assert (
        poll.is_held
        and poll.held_for == post
        and [c.text for c in poll.choices.all()] == ["Print", "Digital"]
    )

    assert poll.question not in client.get("/polls/").content.decode()
    assert client.get(poll.get_absolute_url()).status_code == 404
    assert client.get(reverse("polls:results_json", args=[poll.slug])).status_code == 404
    choice = poll.choices.first()
    assert client.post(reverse("polls:vote", args=[poll.slug]), {"choice": choice.pk}).status_code == 404
    assert poll.question not in client.get("/").content.decode()  # not in the sidebar box
    assert editor_client.get(poll.get_absolute_url()).status_code == 200  # staff see it

    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(minutes=1))
    assert client.get(poll.get_absolute_url()).status_code == 200
    assert poll.question in client.get("/polls/").content.decode()


def test_poll_made_before_the_post_was_saved_belongs_to_it_after_saving(editor_client, editor):
    slug = create(editor_client).json()["slug"]
    poll = Poll.objects.get(slug=slug)
    assert poll.is_held and poll.held_for is None
    assert not Poll.objects.public().filter(pk=poll.pk).exists()
    response = editor_client.post(
        reverse("admin:blog_post_add"),
        {
            "title": "Neu",
            "slug": "",
            "body": f"<p>[poll {slug}]</p>",
            "author": editor.pk,
            "comments_open": "on",
            "_desk_polls": slug,
            "_continue": "1",
        },
    )
    assert response.status_code == 302
    poll.refresh_from_db()
    assert poll.held_for == Post.objects.get(slug="neu")


def test_poll_made_for_a_live_post_is_public_at_once(editor_client):
    post = PostFactory()
    poll = Poll.objects.get(slug=create(editor_client, post=post.pk).json()["slug"])
    assert not poll.is_held and poll.is_public()
