import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from blog.models import AuthorProfile
from comments import notifications, services
from comments.models import Comment, MailOptOut, Subscription
from tests.comments.factories import CommentFactory
from tests.comments.utils import form_data
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mod():
    return UserFactory(username="mona", email="mona@example.org", is_staff=True, groups=["Moderators"])


def submit(client, post, **overrides):
    return client.post(reverse("comments:post", args=[post.pk]), form_data(**overrides))


def links(message):
    return re.findall(r"https://blog\.example(/\S+)", message.body)


def test_moderators_get_mail_after_commit_only(client, mod, mailoutbox, django_capture_on_commit_callbacks):
    post = PostFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit(client, post)
    assert mailoutbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert [m.to for m in mailoutbox] == [["mona@example.org"]]
    assert "1 comment waits" in mailoutbox[0].subject
    assert "List-Unsubscribe" in mailoutbox[0].extra_headers


def test_moderator_mails_are_batched(client, mod, mailoutbox, django_capture_on_commit_callbacks):
    post = PostFactory()
    for i in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            submit(client, post, body=f"Text {i}", email=f"x{i}@example.org")
    assert len(mailoutbox) == 1
    cache.delete(notifications.MODERATION_MAIL_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, post, body="Text 4", email="x4@example.org")
    assert len(mailoutbox) == 2
    assert "3 comments wait" in mailoutbox[1].subject  # the two that waited plus the new one


def test_mail_failure_never_fails_the_request(client, mod, monkeypatch, django_capture_on_commit_callbacks):
    def boom(*args, **kwargs):
        raise OSError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", boom)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, PostFactory())
    assert response.status_code == 302


def test_notify_command_flushes_waiting_comments(mod, mailoutbox):
    from django.core.management import call_command

    CommentFactory(status=Comment.Status.PENDING)
    call_command("comments_notify")
    assert len(mailoutbox) == 1
    call_command("comments_notify")
    assert len(mailoutbox) == 1  # each comment is announced once


def test_one_click_approve_link_needs_post_and_records_who(client, mod, mailoutbox):
    comment = CommentFactory(status=Comment.Status.PENDING)
    messages = notifications.moderators_digest(force=True)
    approve = next(link for link in links(messages[0]) if "/moderate/" in link)
    assert client.get(approve).status_code == 200
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING  # a GET (mail scanner) changes nothing
    assert client.post(approve).status_code == 200
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.events.get(action="approved").user == mod


def test_one_click_link_tampered_or_for_non_moderator_refused(client, mod):
    comment = CommentFactory(status=Comment.Status.PENDING)
    token = notifications.moderation_token(comment.pk, "approve", mod.pk)
    assert client.post(reverse("comments:moderate", args=[token[:-2] + "xx"])).status_code == 400
    editor = UserFactory(username="ed", is_staff=True, groups=["Editors"])
    token = notifications.moderation_token(comment.pk, "approve", editor.pk)
    assert client.post(reverse("comments:moderate", args=[token])).status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_spam_link_marks_spam(client, mod):
    comment = CommentFactory(status=Comment.Status.PENDING)
    token = notifications.moderation_token(comment.pk, "spam", mod.pk)
    client.post(reverse("comments:moderate", args=[token]))
    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM


def test_moderator_unsubscribe_stops_mails(client, mod, mailoutbox):
    CommentFactory(status=Comment.Status.PENDING)
    message = notifications.moderators_digest(force=True)[0]
    unsubscribe = next(link for link in links(message) if "/unsubscribe/" in link)
    client.post(unsubscribe)
    assert MailOptOut.objects.filter(email="mona@example.org").exists()
    CommentFactory(status=Comment.Status.PENDING)
    assert notifications.moderators_digest(force=True) == []


def test_post_author_hears_of_approved_comment_once(mailoutbox, django_capture_on_commit_callbacks):
    author = UserFactory(email="autorin@example.org")
    post = PostFactory(author=author)
    comment = CommentFactory(post=post, status=Comment.Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_approve(comment=comment)
    assert [m.to for m in mailoutbox] == [["autorin@example.org"]]
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_hold(comment=comment)
        services.comment_approve(comment=comment)
    assert len(mailoutbox) == 1


def test_post_author_can_turn_notices_off(client, mailoutbox, django_capture_on_commit_callbacks):
    author = UserFactory(email="autorin@example.org")
    post = PostFactory(author=author)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_approve(comment=CommentFactory(post=post, status="pending"))
    unsubscribe = next(link for link in links(mailoutbox[0]) if "/unsubscribe/" in link)
    client.post(unsubscribe)
    assert AuthorProfile.objects.get(user=author).notify_on_comments is False
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_approve(comment=CommentFactory(post=post, status="pending"))
    assert len(mailoutbox) == 1


def test_nothing_goes_to_readers_for_held_or_spam(client, mailoutbox, django_capture_on_commit_callbacks):
    post = PostFactory(author=UserFactory(email="autorin@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, post, homepage="bot", subscribe="on")
        submit(client, post, body="wartet", email="neu@example.org", subscribe="on")
    assert mailoutbox == []  # no moderator exists; author and subscriber hear nothing


def test_reply_subscription_double_opt_in(client, mailoutbox, django_capture_on_commit_callbacks):
    post = PostFactory(author=UserFactory(email=""))
    CommentFactory(post=post, author_email="erika@example.org")  # known author: approved at once
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, post, subscribe="on", body="Ich will Antworten")
    mine = Comment.objects.get(body="Ich will Antworten")
    subscription = Subscription.objects.get(email="erika@example.org")
    assert subscription.confirmed_at is None
    assert [m.to for m in mailoutbox] == [["erika@example.org"]]
    confirm = next(link for link in links(mailoutbox[0]) if "/confirm/" in link)

    # Unconfirmed: a reply sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_approve(comment=CommentFactory(post=post, parent=mine, status="pending"))
    assert len(mailoutbox) == 1

    assert client.get(confirm).status_code == 200
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None  # GET only asks
    client.post(confirm)
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        services.comment_approve(comment=CommentFactory(post=post, parent=mine, status="pending"))
    assert len(mailoutbox) == 2
    assert "replied" in mailoutbox[1].body
    unsubscribe = next(link for link in links(mailoutbox[1]) if "/unsubscribe/" in link)
    client.post(unsubscribe)
    assert not Subscription.objects.exists()


def test_subscription_confirmation_waits_for_approval(client, mailoutbox, django_capture_on_commit_callbacks):
    post = PostFactory(author=UserFactory(email=""))
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, post, subscribe="on")
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_approve(comment=Comment.objects.get())
    assert len(mailoutbox) == 1
    assert "/confirm/" in mailoutbox[0].body


def test_every_mail_has_an_unsubscribe_link(client, mod, mailoutbox, django_capture_on_commit_callbacks):
    post = PostFactory(author=UserFactory(email="autorin@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, post, subscribe="on")
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_approve(comment=Comment.objects.get())
    assert len(mailoutbox) == 3  # moderators, author, confirmation
    for message in mailoutbox:
        assert "/comments/unsubscribe/" in message.body
        assert message.extra_headers["List-Unsubscribe"].startswith(
            "<https://blog.example/comments/unsubscribe/"
        )
