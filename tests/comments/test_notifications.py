import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from blog.models import AuthorProfile
from comments import notifications, services
from comments.models import Comment, MailOptOut, Subscription
from tests.comments.factories import CommentFactory
from tests.comments.utils import form_data
from tests.factories import PostFactory, UserFactory
from tests.live.stack import free_port
from tests.worker.utils import task_rows, tasks_run

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
    assert not task_rows().exists()  # nothing queued before the commit
    for callback in callbacks:
        callback()
    assert mailoutbox == []  # queued, not sent: the request never waits for a mail server
    assert task_rows("comments.tasks.notices_prepare").count() == 1
    tasks_run()
    assert [m.to for m in mailoutbox] == [["mona@example.org"]]
    assert "1 comment waits" in mailoutbox[0].subject
    assert "List-Unsubscribe" in mailoutbox[0].extra_headers
    assert mailoutbox[0].extra_headers["Message-ID"].startswith("<")


def test_moderator_mails_are_batched(client, mod, mailoutbox, after_commit, time_machine):
    post = PostFactory()
    for i in range(3):
        with after_commit():
            submit(client, post, body=f"Text {i}", email=f"x{i}@example.org")
    assert len(mailoutbox) == 1
    tasks_run()
    notifications.notices_queue("moderators_digest")  # the periodic digest: interval not over
    tasks_run()
    assert len(mailoutbox) == 1
    time_machine.move_to(timezone.now() + timedelta(minutes=11))
    notifications.notices_queue("moderators_digest")
    tasks_run()
    assert len(mailoutbox) == 2
    assert "2 comments wait" in mailoutbox[1].subject  # the two that waited
    with after_commit():
        submit(client, post, body="Text 4", email="x4@example.org")
    assert len(mailoutbox) == 2  # the next one waits again


def test_mail_server_down_never_fails_the_request_and_the_mail_waits(
    client, mod, mailoutbox, after_commit, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    with after_commit():
        response = submit(client, PostFactory())
    assert response.status_code == 302
    row = task_rows("comments.tasks.mail_send").get()
    assert row.status == "READY"  # queued again for later, with the error kept
    assert "ConnectionRefusedError" in row.exception_class_path
    assert row.run_after > timezone.now()


def test_notify_command_flushes_waiting_comments(mod, mailoutbox):
    from django.core.management import call_command

    CommentFactory(status=Comment.Status.PENDING)
    call_command("comments_notify")
    tasks_run()
    assert len(mailoutbox) == 1
    call_command("comments_notify")
    tasks_run()
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


def test_post_author_hears_of_approved_comment_once(mailoutbox, after_commit):
    author = UserFactory(email="autorin@example.org")
    post = PostFactory(author=author)
    comment = CommentFactory(post=post, status=Comment.Status.PENDING)
    with after_commit():
        services.comment_approve(comment=comment)
    assert [m.to for m in mailoutbox] == [["autorin@example.org"]]
    with after_commit():
        services.comment_hold(comment=comment)
        services.comment_approve(comment=comment)
    assert len(mailoutbox) == 1


def test_post_author_can_turn_notices_off(client, mailoutbox, after_commit):
    author = UserFactory(email="autorin@example.org")
    post = PostFactory(author=author)
    with after_commit():
        services.comment_approve(comment=CommentFactory(post=post, status="pending"))
    unsubscribe = next(link for link in links(mailoutbox[0]) if "/unsubscribe/" in link)
    client.post(unsubscribe)
    assert AuthorProfile.objects.get(user=author).notify_on_comments is False
    with after_commit():
        services.comment_approve(comment=CommentFactory(post=post, status="pending"))
    assert len(mailoutbox) == 1


def test_nothing_goes_to_readers_for_held_or_spam(client, mailoutbox, after_commit):
    post = PostFactory(author=UserFactory(email="autorin@example.org"))
    with after_commit():
        submit(client, post, homepage="bot", subscribe="on")
        submit(client, post, body="wartet", email="neu@example.org", subscribe="on")
    assert mailoutbox == []  # no moderator exists; author and subscriber hear nothing


def test_reply_subscription_double_opt_in(client, mailoutbox, after_commit):
    post = PostFactory(author=UserFactory(email=""))
    CommentFactory(post=post, author_email="erika@example.org")  # known author: approved at once
    with after_commit():
        submit(client, post, subscribe="on", body="Ich will Antworten")
    mine = Comment.objects.get(body="Ich will Antworten")
    subscription = Subscription.objects.get(email="erika@example.org")
    assert subscription.confirmed_at is None
    assert [m.to for m in mailoutbox] == [["erika@example.org"]]
    confirm = next(link for link in links(mailoutbox[0]) if "/confirm/" in link)

    # Unconfirmed: a reply sends nothing.
    with after_commit():
        services.comment_approve(comment=CommentFactory(post=post, parent=mine, status="pending"))
    assert len(mailoutbox) == 1

    assert client.get(confirm).status_code == 200
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None  # GET only asks
    client.post(confirm)
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None

    with after_commit():
        services.comment_approve(comment=CommentFactory(post=post, parent=mine, status="pending"))
    assert len(mailoutbox) == 2
    assert "replied" in mailoutbox[1].body
    unsubscribe = next(link for link in links(mailoutbox[1]) if "/unsubscribe/" in link)
    client.post(unsubscribe)
    assert not Subscription.objects.exists()


def test_subscription_confirmation_waits_for_approval(client, mailoutbox, after_commit):
    post = PostFactory(author=UserFactory(email=""))
    with after_commit():
        submit(client, post, subscribe="on")
    assert mailoutbox == []
    with after_commit():
        services.comment_approve(comment=Comment.objects.get())
    assert len(mailoutbox) == 1
    assert "/confirm/" in mailoutbox[0].body


def test_every_mail_has_an_unsubscribe_link(client, mod, mailoutbox, after_commit):
    post = PostFactory(author=UserFactory(email="autorin@example.org"))
    with after_commit():
        submit(client, post, subscribe="on")
    with after_commit():
        services.comment_approve(comment=Comment.objects.get())
    assert len(mailoutbox) == 3  # moderators, author, confirmation
    for message in mailoutbox:
        assert "/comments/unsubscribe/" in message.body
        assert message.extra_headers["List-Unsubscribe"].startswith(
            "<https://blog.example/comments/unsubscribe/"
        )
