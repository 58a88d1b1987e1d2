"""Blocked authors: matching, the neutral refusal, trashing what they wrote, the admin pages."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from comments import bans, services
from comments.bans import Entry
from comments.models import Ban, Comment
from tests.comments.factories import CommentFactory
from tests.factories import PostFactory


@pytest.mark.parametrize(
    ("kind", "value", "stored"),
    [
        ("email", " Spam@Example.ORG ", "spam@example.org"),
        ("email", "@spam.example", "@spam.example"),
        ("ip", "203.0.113.7", "203.0.113.7"),
        ("ip", "2001:DB8::1", "2001:db8::1"),
        ("network", "203.0.113.77/24", "203.0.113.0/24"),
        ("url", "https://www.Spam.example/path", "spam.example"),
    ],
)
def test_normalise_stores_one_form(kind, value, stored):
    assert bans.normalise(kind, value) == stored


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("email", "kein-at"),
        ("ip", "300.1.1.1"),
        ("network", "10.0.0.0/99"),
        ("url", "localhost"),
        ("x", "y"),
        ("ip", ""),
    ],
)
def test_normalise_refuses_nonsense_with_a_message(kind, value):
    with pytest.raises(ValidationError):
        bans.normalise(kind, value)


def test_match_covers_email_domain_ip_network_and_linked_hosts():
    entries = [
        Entry(1, "email", "troll@example.org"),
        Entry(2, "email", "@spam.example"),
        Entry(3, "ip", "198.51.100.7"),
        Entry(4, "network", "203.0.113.0/24"),
        Entry(5, "network", "2001:db8::/64"),
        Entry(6, "url", "pills.example"),
    ]
    assert bans.match(entries, email="TROLL@example.org").pk == 1
    assert bans.match(entries, email="anyone@spam.example").pk == 2
    assert bans.match(entries, ip="198.51.100.7").pk == 3
    assert bans.match(entries, ip="203.0.113.200").pk == 4
    assert bans.match(entries, ip="2001:db8::abcd").pk == 5
    assert bans.match(entries, body="see https://www.shop.pills.example/x").pk == 6
    assert bans.match(entries, url="pills.example").pk == 6
    assert (
        bans.match(entries, email="ok@example.org", ip="192.0.2.1", body="fine http://good.example") is None
    )
    assert bans.match(entries, ip="not an ip") is None


def test_network_for_an_address():
    assert bans.network_for("203.0.113.77") == "203.0.113.0/24"
    assert bans.network_for("2001:db8::1") == "2001:db8::/64"


@pytest.mark.django_db
def test_blocked_author_is_refused_with_a_neutral_message(settings):
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0
    services.ban_create(kind="network", value="203.0.113.0/24")
    post = PostFactory()
    with pytest.raises(services.CommentRejected) as refused:
        services.comment_create(
            post=post,
            author_name="X",
            author_email="x@example.org",
            body="Hallo",
            ip_address="203.0.113.9",
            signals=services.Signals(elapsed_seconds=9),
        )
    assert refused.value.message == "Your comment could not be accepted."
    assert "block" not in refused.value.message.lower()
    assert not Comment.objects.exists()
    ok = services.comment_create(
        post=post,
        author_name="Y",
        author_email="y@example.org",
        body="Hallo",
        ip_address="192.0.2.9",
        signals=services.Signals(elapsed_seconds=9),
    )
    assert ok.pk


@pytest.mark.django_db
def test_ban_create_can_trash_everything_they_wrote(moderator):
    mine = [
        CommentFactory(author_email="troll@example.org", status=s) for s in ("approved", "pending", "spam")
    ]
    other = CommentFactory(author_email="nice@example.org")
    ban, trashed = services.ban_create(
        kind="email", value="troll@example.org", by=moderator, trash_existing=True
    )
    assert trashed == 3 and ban.created_by == moderator
    assert set(Comment.objects.filter(pk__in=[c.pk for c in mine]).values_list("status", flat=True)) == {
        "trash"
    }
    other.refresh_from_db()
    assert other.status == "approved"
    # twice is fine: the same ban, nothing more to trash
    again, trashed = services.ban_create(kind="email", value="TROLL@example.org", trash_existing=True)
    assert again.pk == ban.pk and trashed == 0


@pytest.mark.django_db
def test_new_ban_takes_effect_at_once_despite_the_cache(settings):
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0
    post = PostFactory()
    assert bans.entries() == []  # cached empty list
    services.ban_create(kind="email", value="late@example.org")
    with pytest.raises(services.CommentRejected):
        services.comment_create(
            post=post,
            author_name="L",
            author_email="late@example.org",
            body="x",
            signals=services.Signals(elapsed_seconds=9),
        )


@pytest.mark.django_db
def test_ban_page_prefills_the_network_and_counts_what_it_covers(client, moderator):
    CommentFactory(ip_address="203.0.113.5")
    CommentFactory(ip_address="203.0.113.99", status="pending")
    client.force_login(moderator)
    url = reverse("admin:comments_comment_ban")
    response = client.get(url, {"kind": "network", "value": "203.0.113.5"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["form"].initial["value"] == "203.0.113.0/24"
    assert response.context["covered"] == 2
    response = client.post(
        url,
        {
            "kind": "network",
            "value": "203.0.113.0/24",
            "trash_existing": "on",
            "next": "/admin/comments/comment/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/admin/comments/comment/"
    assert Ban.objects.get().value == "203.0.113.0/24"
    assert Comment.objects.filter(status="trash").count() == 2


@pytest.mark.django_db
def test_ban_page_answers_hostile_input_with_a_message(client, moderator):
    client.force_login(moderator)
    url = reverse("admin:comments_comment_ban")
    assert client.get(url, {"kind": "network", "value": "<script>"}).status_code == 200
    response = client.post(url, {"kind": "ip", "value": "999.1.1.1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "is not an IP address" in response.content.decode()
    assert not Ban.objects.exists()


@pytest.mark.django_db
def test_ban_admin_lists_and_deleting_forgets_the_cache(client, moderator, settings):
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0
    ban, _ = services.ban_create(kind="email", value="gone@example.org")
    assert bans.entries()
    client.force_login(moderator)
    assert client.get(reverse("admin:comments_ban_changelist")).status_code == 200
    response = client.post(reverse("admin:comments_ban_delete", args=[ban.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert bans.entries() == []


@pytest.mark.django_db
def test_editors_cannot_ban(client, editor):
    client.force_login(editor)
    assert client.get(reverse("admin:comments_comment_ban")).status_code == 403
