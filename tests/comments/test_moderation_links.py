"""One-click moderation links from the moderators' mail work once and expire after three days."""

import re
import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import notifications
from comments.models import Comment, CommentEvent, ModerationLinkUse
from tests.comments.factories import CommentFactory
from tests.factories import UserFactory


@pytest.fixture
def mod(db):
    return UserFactory(username="mona", email="mona@example.org", is_staff=True, groups=["Moderators"])


def mailed_links(comment) -> dict[str, str]:
    """The approve and spam links of the moderators' digest, as paths."""
    body = notifications.moderators_digest(force=True)[0].body
    urls = re.findall(r"https?://\S+?(/comments/moderate/\S+/)", body)
    assert len(urls) == 2, body
    return {"approve": urls[0], "spam": urls[1]}


@pytest.mark.django_db
def test_approve_link_works_once_and_a_second_click_says_so(client, mod):
    comment = CommentFactory(status=Comment.Status.PENDING, author_name="Erika")
    link = mailed_links(comment)["approve"]
    first = client.post(link)
    assert first.status_code == 200
    assert "The comment is approved and visible." in first.content.decode()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED

    comment.status = Comment.Status.PENDING  # e.g. held again later by another moderator
    comment.save(update_fields=["status"])
    for method in ("get", "post"):
        again = getattr(client, method)(link)
        assert again.status_code == 410
        html = again.content.decode()
        assert "This link was already used" in html
        assert "to approve the comment" in html
        assert "Erika" in html
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING, "the second click changed nothing"
    assert CommentEvent.objects.filter(comment=comment, action="approved").count() == 1


@pytest.mark.django_db
def test_spam_link_works_once(client, mod):
    comment = CommentFactory(status=Comment.Status.PENDING)
    link = mailed_links(comment)["spam"]
    assert client.post(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 410
    assert "to mark the comment as spam" in response.content.decode()


@pytest.mark.django_db
def test_a_get_does_not_use_up_the_link(client, mod):
    """Mail scanners open links: only the button (a POST) acts and counts."""
    comment = CommentFactory(status=Comment.Status.PENDING)
    link = mailed_links(comment)["approve"]
    for _ in range(3):
        assert client.get(link).status_code == 200
    assert not ModerationLinkUse.objects.exists()
    assert client.post(link).status_code == 200


@pytest.mark.django_db
def test_link_expires_after_three_days(client, mod):
    comment = CommentFactory(status=Comment.Status.PENDING)
    sent = timezone.now()
    with time_machine.travel(sent, tick=False):
        links = mailed_links(comment)
    with time_machine.travel(sent + timedelta(days=2, hours=23), tick=False):
        assert client.get(links["approve"]).status_code == 200
    with time_machine.travel(sent + timedelta(days=3, minutes=1), tick=False):
        for method in ("get", "post"):
            response = getattr(client, method)(links["approve"])
            assert response.status_code == 410
            html = response.content.decode()
            assert "This link has expired" in html
            assert "worked for 3 days" in html
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


@pytest.mark.django_db
def test_only_a_hash_of_the_link_is_stored_and_old_uses_are_removed(client, mod):
    old_comment = CommentFactory(status=Comment.Status.APPROVED)
    with time_machine.travel(timezone.now() - timedelta(days=4), tick=False):
        ModerationLinkUse.objects.create(token_hash="0" * 64, comment=old_comment, action="approve", user=mod)
    comment = CommentFactory(status=Comment.Status.PENDING)
    link = mailed_links(comment)["approve"]
    client.post(link)
    token = link.rstrip("/").rsplit("/", 1)[1]
    use = ModerationLinkUse.objects.get()
    assert use.token_hash == ModerationLinkUse.hash_token(token) != token
    assert use.user == mod and use.comment == comment and use.action == "approve"


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["x", "a" * 3000, "eyJjIjoxfQ:1abc:xyz", "%00", "..", "' OR 1=1"])
def test_hostile_tokens_are_refused_with_a_message(client, token):
    response = client.post(reverse("comments:moderate", args=[token]))
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel writers need PostgreSQL here")
@pytest.mark.django_db(transaction=True)
def test_parallel_clicks_act_once(mod):
    comment = CommentFactory(status=Comment.Status.PENDING)
    link = mailed_links(comment)["approve"]
    barrier, results = threading.Barrier(8), []

    def click():
        try:
            barrier.wait()
            results.append(Client().post(link).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200] + [410] * 7
    assert CommentEvent.objects.filter(comment=comment, action="approved").count() == 1
