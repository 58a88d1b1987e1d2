import json

import pytest
from django.urls import reverse

from comments.models import Comment, ModerationSettings
from tests.comments.factories import CommentFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:comments_comment_changelist")


def test_changelist_opens_on_pending_queue(client, moderator):
    client.force_login(moderator)
    pending = CommentFactory(status="pending", body="WARTET")
    CommentFactory(status="approved", body="SICHTBAR")
    html = client.get(CHANGELIST).content.decode()
    assert "WARTET" in html
    assert "SICHTBAR" not in html
    all_html = client.get(CHANGELIST + "?status=all").content.decode()
    assert "SICHTBAR" in all_html and "WARTET" in all_html
    assert f"{pending.post}" in html


def test_changelist_shows_reasons_ip_email_and_badge(client, moderator):
    client.force_login(moderator)
    CommentFactory(
        status="pending",
        author_email="wer@example.org",
        ip_address="203.0.113.7",
        reasons=[{"rule": "links", "action": "hold", "detail": "4"}],
    )
    html = client.get(CHANGELIST).content.decode()
    assert "wer@example.org" in html
    assert "203.0.113.7" in html
    assert "4 links" in html
    assert "comment-status-pending" in html


def test_changelist_search_by_ip_and_text(client, moderator):
    client.force_login(moderator)
    CommentFactory(status="pending", ip_address="198.51.100.23", body="Nadel im Heuhaufen")
    CommentFactory(status="pending", ip_address="192.0.2.99", body="anderes")
    html = client.get(CHANGELIST + "?q=198.51.100").content.decode()
    assert "Nadel" in html and "anderes" not in html
    html = client.get(CHANGELIST + "?q=Heuhaufen").content.decode()
    assert "Nadel" in html


def test_changelist_query_count_does_not_grow(client, moderator, django_assert_max_num_queries):
    client.force_login(moderator)
    for _ in range(30):
        CommentFactory(status="pending")
    with django_assert_max_num_queries(14):
        assert client.get(CHANGELIST).status_code == 200


@pytest.mark.parametrize(
    ("action", "start", "end"),
    [
        ("approve", "pending", "approved"),
        ("hold", "approved", "pending"),
        ("mark_spam", "pending", "spam"),
        ("trash", "approved", "trash"),
        ("restore", "trash", "approved"),
    ],
)
def test_bulk_actions_call_services_and_log_history(client, moderator, action, start, end):
    client.force_login(moderator)
    comments = [CommentFactory(status="approved") for _ in range(2)]
    for comment in comments:
        if start != "approved":
            from comments import services

            {"pending": services.comment_hold, "trash": services.comment_trash}[start](comment=comment)
    response = client.post(
        CHANGELIST + "?status=all",
        {"action": action, "_selected_action": [c.pk for c in comments]},
    )
    assert response.status_code == 302
    for comment in comments:
        comment.refresh_from_db()
        assert comment.status == end
        assert comment.events.filter(user=moderator).exists()


def test_admin_index_shows_waiting_count(client, moderator):
    client.force_login(moderator)
    CommentFactory(status="pending")
    CommentFactory(status="pending")
    html = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2 comments wait for moderation" in html


def test_change_page_shows_history_and_edits_sanitise_again(client, moderator):
    client.force_login(moderator)
    comment = CommentFactory(status="pending", body="alt")
    url = reverse("admin:comments_comment_change", args=[comment.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "status": "approved",
            "body": 'neu <script>x</script><a href="javascript:1">l</a>',
            "author_name": comment.author_name,
            "author_email": comment.author_email,
            "author_url": "",
            "reports-TOTAL_FORMS": "0",
            "reports-INITIAL_FORMS": "0",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    comment.refresh_from_db()
    assert comment.status == "approved"
    assert "<script" not in comment.body_html and "javascript" not in comment.body_html
    actions = list(comment.events.values_list("action", "user"))
    assert ("edited", moderator.pk) in actions and ("approved", moderator.pk) in actions
    history = client.get(url).content.decode()
    assert "alt" in history  # the old text is kept in the history


def test_reply_from_admin_is_published_as_staff(client, moderator):
    client.force_login(moderator)
    parent = CommentFactory()
    response = client.post(reverse("admin:comments_comment_reply", args=[parent.pk]), {"body": "Danke!"})
    assert response.status_code == 302
    reply = Comment.objects.get(parent=parent)
    assert reply.status == "approved" and reply.user == moderator and reply.depth == 1


def test_privacy_export_and_erase(client, moderator):
    client.force_login(moderator)
    mine = CommentFactory(author_email="weg@example.org", body="Mein Text")
    answer = CommentFactory(post=mine.post, parent=mine, body="Antwort von anderen")
    CommentFactory(author_email="weg@example.org", body="Noch einer")
    url = reverse("admin:comments_comment_privacy")
    export = client.post(url, {"email": "weg@example.org", "export": "1"})
    data = json.loads(export.content)
    assert {c["text"] for c in data["comments"]} == {"Mein Text", "Noch einer"}
    client.post(url, {"email": "weg@example.org", "erase": "1"})
    assert not Comment.objects.filter(author_email="weg@example.org").exists()
    mine.refresh_from_db()  # kept as an empty shell so the answer keeps its place
    assert mine.body == "" and mine.status == "trash" and mine.ip_address is None
    assert Comment.objects.filter(pk=answer.pk).exists()


def test_moderation_settings_singleton_in_admin(client, moderator):
    client.force_login(moderator)
    response = client.get(reverse("admin:comments_moderationsettings_changelist"))
    assert response.status_code == 302
    url = reverse("admin:comments_moderationsettings_change", args=[1])
    assert client.get(url).status_code == 200
    client.post(
        url,
        {
            "approval": "all",
            "max_links": 5,
            "moderation_keywords": "",
            "blocked_keywords": "casino",
            "close_after_days": 0,
            "max_depth": 4,
            "notify_moderators": "on",
            "spam_filter_enabled": "on",
            "spam_hold_percent": 50,
            "spam_percent": 90,
            "spam_purge_days": 30,
        },
    )
    assert ModerationSettings.load().approval == "all"
    assert ModerationSettings.objects.count() == 1


def test_moderators_cannot_touch_posts_or_polls(client, moderator):
    client.force_login(moderator)
    assert client.get(reverse("admin:blog_post_changelist")).status_code == 403
    assert client.get("/admin/polls/poll/").status_code in (403, 404)
    assert client.get(CHANGELIST).status_code == 200


def test_editors_cannot_moderate(client, editor):
    client.force_login(editor)
    assert client.get(CHANGELIST).status_code == 403
    comment = CommentFactory(status="pending")
    client.post(CHANGELIST, {"action": "approve", "_selected_action": [comment.pk]})
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_editor_given_moderators_group_can_moderate(client, editor):
    from django.contrib.auth.models import Group

    editor.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(editor)
    assert client.get(CHANGELIST).status_code == 200


def test_approving_in_admin_shows_comment_at_once(client, moderator, django_capture_on_commit_callbacks):
    comment = CommentFactory(status="pending", body="Gleich sichtbar")
    post_url = comment.post.get_absolute_url()
    assert "Gleich sichtbar" not in client.get(post_url).content.decode()
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):  # the page goes stale on commit
        client.post(CHANGELIST, {"action": "approve", "_selected_action": [comment.pk]})
    client.logout()
    assert "Gleich sichtbar" in client.get(post_url).content.decode()


def test_approving_resolves_open_reports(client, moderator):
    from comments import services

    client.force_login(moderator)
    comment = CommentFactory(status="approved")
    services.comment_report(comment=comment, reporter_ip="192.0.2.9", reason="Fragwürdig")
    services.comment_hold(comment=comment)
    html = client.get(CHANGELIST + "?reported=open").content.decode()
    assert "⚑ 1" in html
    client.post(CHANGELIST, {"action": "approve", "_selected_action": [comment.pk]})
    assert not comment.reports.filter(resolved=False).exists()
