from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from comments import services
from comments.models import Comment, ModerationSettings
from core.versions import content_version
from tests.comments.factories import CommentFactory
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGNALS = services.Signals(elapsed_seconds=30)


def create(post, **kwargs):
    values = {"author_name": "Erika", "author_email": "erika@example.org", "body": "Text", "signals": SIGNALS}
    values.update(kwargs)
    return services.comment_create(post=post, **values)


def test_comment_create_stores_reasons_and_history():
    comment = create(PostFactory())
    assert comment.status == Comment.Status.PENDING
    assert comment.reasons == [{"rule": "first_time_author", "action": "hold", "detail": ""}]
    assert comment.events.get().action == "submitted"


def test_comment_create_rejects_duplicates_and_closed_posts():
    post = PostFactory()
    create(post)
    with pytest.raises(services.CommentRejected):
        create(post, body=" text ")
    with pytest.raises(services.CommentRejected):
        create(PostFactory(comments_open=False))


def test_comment_create_with_depth_one_setting_never_threads():
    ModerationSettings.objects.update_or_create(id=1, defaults={"max_depth": 1})
    from django.core.cache import cache

    cache.clear()
    parent = CommentFactory()
    reply = create(parent.post, parent=parent)
    assert reply.parent is None and reply.depth == 0


def test_comment_create_refuses_parent_of_other_post():
    with pytest.raises(ValueError):
        create(PostFactory(), parent=CommentFactory())


def test_comment_clean_checks_parent_on_same_post():
    from django.core.exceptions import ValidationError

    comment = CommentFactory.build(post=PostFactory(), parent=CommentFactory())
    with pytest.raises(ValidationError):
        comment.clean()


def test_status_changes_bump_post_version_once_on_commit(django_capture_on_commit_callbacks):
    comment = CommentFactory(status="pending")
    for service in (services.comment_approve, services.comment_mark_spam, services.comment_trash):
        before = content_version("post", comment.post_id)
        with django_capture_on_commit_callbacks() as callbacks:
            service(comment=comment)
            # Not before the commit: a reader meanwhile would store the old page as new.
            assert content_version("post", comment.post_id) == before
        for callback in callbacks:
            callback()
        # Once, although the service and the model's save both said the post page changed.
        assert content_version("post", comment.post_id) == before + 1


def test_restore_returns_to_status_before_spam():
    comment = CommentFactory(status="approved")
    services.comment_mark_spam(comment=comment)
    services.comment_restore(comment=comment)
    assert comment.status == "approved"
    services.comment_hold(comment=comment)
    services.comment_trash(comment=comment)
    services.comment_restore(comment=comment)
    assert comment.status == "pending"


def test_restore_of_a_duplicate_keeps_both():
    post = PostFactory()
    first = create(post, author_email="known@example.org")
    services.comment_trash(comment=first)
    create(post, author_email="known@example.org")
    services.comment_restore(comment=first)
    assert first.status == "pending"
    assert Comment.objects.filter(post=post, status="pending").count() == 2


def test_comment_edit_refuses_duplicate_of_own_other_comment():
    post = PostFactory()
    create(post, body="eins")
    second = create(post, body="zwei")
    with pytest.raises(services.CommentRejected):
        services.comment_edit(comment=second, body="EINS")


def test_can_author_change_within_window_only():
    comment = CommentFactory(status="pending")
    assert services.can_author_change(comment)
    assert not services.can_author_change(comment, now=timezone.now() + timedelta(minutes=16))
    comment.status = "spam"
    assert not services.can_author_change(comment)


def test_staff_reply_is_approved_with_user():
    parent = CommentFactory()
    user = UserFactory(email="", is_staff=True)
    reply = services.comment_reply_as_staff(parent=parent, user=user, body="Antwort")
    assert reply.status == "approved" and reply.user == user


def test_erase_comment_ips_command_forgets_old_addresses():
    old = CommentFactory(
        ip_address="192.0.2.5", user_agent="UA", created_at=timezone.now() - timedelta(days=40)
    )
    new = CommentFactory(ip_address="192.0.2.6", user_agent="UA")
    call_command("erase_comment_ips", "--days", "30")
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.ip_address is None and old.user_agent == ""
    assert new.ip_address == "192.0.2.6"


def test_report_notifies_and_logs_once():
    comment = CommentFactory()
    assert services.comment_report(comment=comment, reporter_ip="192.0.2.1", reason="Hass") is True
    assert services.comment_report(comment=comment, reporter_ip="192.0.2.1") is False
    assert comment.events.filter(action="reported").count() == 1


def test_seed_demo_adds_threaded_discussion_idempotently():
    call_command("seed_demo", force=True)
    call_command("seed_demo", force=True)
    comments = Comment.objects.filter(post__slug="social-media-pr-marketing-oder-privat")
    assert comments.count() == 9
    assert comments.filter(status="pending").count() == 2
    assert comments.filter(status="spam").count() == 1
    assert comments.filter(depth__gte=2).exists()
