import pytest
from django.urls import reverse

from comments.models import Comment, ModerationSettings
from core.models import UsedChallenge
from core.versions import content_version
from tests.comments.factories import CommentFactory
from tests.comments.utils import form_data, started
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def post():
    return PostFactory()


def submit(client, post, **overrides):
    return client.post(reverse("comments:post", args=[post.pk]), form_data(**overrides))


def test_post_comment_redirects_to_permalink_with_anchor(client, post):
    response = submit(client, post)
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{post.get_absolute_url()}#comment-{comment.pk}"
    assert comment.status == Comment.Status.PENDING  # first-time author
    assert comment.author_email == "erika@example.org"
    assert comment.ip_address == "127.0.0.1"


def test_post_comment_pending_is_shown_only_to_its_author(client, post):
    submit(client, post)
    comment = Comment.objects.get()
    own = client.get(post.get_absolute_url())
    assert f'id="comment-{comment.pk}"' in own.content.decode()
    assert "comment-awaiting-moderation" in own.content.decode()

    from django.test import Client

    other = Client().get(post.get_absolute_url())
    assert f'id="comment-{comment.pk}"' not in other.content.decode()


def test_post_comment_known_author_is_approved_and_bumps_post_version(
    client, post, django_capture_on_commit_callbacks
):
    CommentFactory(post=post, author_email="erika@example.org")
    before = content_version("post", post.pk)
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, post, body="Noch ein Gedanke.")
    assert Comment.objects.filter(status=Comment.Status.APPROVED).count() == 2
    assert content_version("post", post.pk) != before


def test_post_comment_reply_sets_parent_and_depth(client, post):
    parent = CommentFactory(post=post)
    submit(client, post, parent=str(parent.pk))
    reply = Comment.objects.exclude(pk=parent.pk).get()
    assert reply.parent == parent
    assert reply.depth == 1


def test_post_comment_reply_to_deepest_level_attaches_there(client, post):
    ModerationSettings.objects.update_or_create(id=1, defaults={"max_depth": 3})
    ModerationSettings.load()
    root = CommentFactory(post=post)
    child = CommentFactory(post=post, parent=root)
    deepest = CommentFactory(post=post, parent=child)
    submit(client, post, parent=str(deepest.pk))
    reply = Comment.objects.order_by("-pk").first()
    assert reply.parent == child
    assert reply.depth == 2


def test_post_comment_reply_to_other_posts_comment_is_refused(client, post):
    foreign = CommentFactory()
    response = submit(client, post, parent=str(foreign.pk))
    assert response.status_code == 200
    assert "not available" in response.content.decode()
    assert Comment.objects.count() == 1


def test_post_comment_wrong_captcha_keeps_text_and_gives_new_task(client, post):
    data = form_data(body="Mein langer, wertvoller Text.", captcha_1="999")
    response = client.post(reverse("comments:post", args=[post.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mein langer, wertvoller Text." in html
    assert "not right" in html
    assert data["captcha_0"] not in html  # a fresh task
    assert UsedChallenge.objects.count() == 1  # one attempt only
    assert Comment.objects.count() == 0


def test_post_comment_expired_captcha_keeps_text(client, post, settings):
    data = form_data(body="Text nach einer Stunde Nachdenken.")
    settings.CORE_CAPTCHA_MAX_AGE = -1  # every task has expired
    response = client.post(reverse("comments:post", args=[post.pk]), data)
    assert "Text nach einer Stunde Nachdenken." in response.content.decode()
    assert "expired" in response.content.decode()


def test_post_comment_old_form_has_no_timeout(client, post):
    CommentFactory(post=post, author_email="erika@example.org")
    response = submit(client, post, started=started(seconds_ago=3 * 24 * 3600), body="Spät, aber gut.")
    assert response.status_code == 302


def test_post_comment_too_fast_is_refused_with_text_kept(client, post):
    response = submit(client, post, started=started(seconds_ago=0.5), body="Flinker Text")
    assert response.status_code == 200
    assert "Flinker Text" in response.content.decode()
    assert Comment.objects.count() == 0


def test_post_comment_missing_honeypot_counts_as_filled(client, post):
    submit(client, post, homepage=None)
    assert Comment.objects.get().status == Comment.Status.SPAM


def test_post_comment_filled_honeypot_is_spam_and_not_shown(client, post):
    submit(client, post, homepage="http://bot.example")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM
    assert {"rule": "honeypot", "action": "spam", "detail": ""} in comment.reasons
    assert f'id="comment-{comment.pk}"' not in client.get(post.get_absolute_url()).content.decode()


def test_post_comment_duplicate_is_refused(client, post):
    CommentFactory(post=post, author_email="erika@example.org")
    submit(client, post, body="Gleicher Text")
    response = submit(client, post, body="  gleicher   TEXT ")
    assert response.status_code == 200
    assert "already said" in response.content.decode()
    assert Comment.objects.count() == 2


def test_post_comment_flood_limit_returns_friendly_429(client, post, settings):
    settings.COMMENTS_FLOOD_LIMIT = 2
    for i in range(2):
        assert submit(client, post, body=f"Text {i}").status_code in (200, 302)
    response = submit(client, post, body="Mein dritter Text")
    assert response.status_code == 429
    assert "Retry-After" in response
    assert "short time" in response.content.decode()
    assert "Mein dritter Text" in response.content.decode()  # nothing typed is lost


def test_post_comment_flood_limit_off_when_disabled(client, post, settings):
    settings.COMMENTS_FLOOD_LIMIT = 1
    settings.RATELIMIT_ENABLED = False
    for i in range(3):
        assert submit(client, post, body=f"Text {i}").status_code == 302


def test_post_comment_unreachable_rate_limit_holds_for_moderation(client, post, monkeypatch):
    from core.ratelimit import Decision

    monkeypatch.setattr("comments.views.hit", lambda *a, **k: Decision.UNKNOWN)
    CommentFactory(post=post, author_email="erika@example.org")
    submit(client, post, body="Während Redis schläft")
    comment = Comment.objects.get(body="Während Redis schläft")
    assert comment.status == Comment.Status.PENDING
    assert any(r["rule"] == "rate_limit_unknown" for r in comment.reasons)


def test_post_comment_on_closed_post_is_refused_and_form_hidden(client):
    post = PostFactory(comments_open=False)
    response = submit(client, post)
    assert Comment.objects.count() == 0
    assert "closed" in response.content.decode()
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Comments are closed." in page
    assert 'id="commentform"' not in page


def test_post_comment_post_older_than_setting_is_closed(client):
    from datetime import timedelta

    from django.utils import timezone

    ModerationSettings.objects.update_or_create(id=1, defaults={"close_after_days": 10})
    from django.core.cache import cache

    cache.clear()
    post = PostFactory(published_at=timezone.now() - timedelta(days=11))
    submit(client, post)
    assert Comment.objects.count() == 0


def test_post_comment_unpublished_post_is_404(client):
    post = PostFactory(status="draft", published_at=None)
    assert submit(client, post).status_code == 404


def test_post_comment_get_is_not_allowed(client, post):
    assert client.get(reverse("comments:post", args=[post.pk])).status_code == 405


def test_post_comment_requires_csrf(post):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("comments:post", args=[post.pk]), form_data())
    assert response.status_code == 403
    assert Comment.objects.count() == 0


def test_post_comment_with_csrf_token_from_the_page_works(post):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.get(post.get_absolute_url())
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("comments:post", args=[post.pk]), {**form_data(), "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_post_comment_remember_sets_cookie_only_when_ticked(client, post):
    response = submit(client, post, body="Ohne Cookie")
    assert response.cookies.get("comment_author") is None or response.cookies["comment_author"].value == ""
    response = submit(client, post, body="Mit Cookie", remember="on", url="https://erika.example")
    assert "erika.example" in response.cookies["comment_author"].value


def test_post_comment_website_link_is_nofollow_ugc_noopener(client, post):
    CommentFactory(post=post, author_email="erika@example.org")
    submit(client, post, url="https://erika.example/", body="Mit Website")
    html = client.get(post.get_absolute_url()).content.decode()
    assert (
        '<a class="url" href="https://erika.example/" rel="nofollow ugc noopener">Erika Leserin</a>' in html
    )


def test_post_page_never_shows_email(client, post):
    CommentFactory(post=post, author_email="secret-address@example.org")
    assert "secret-address" not in client.get(post.get_absolute_url()).content.decode()


def test_post_page_replytocom_prefills_parent(client, post):
    parent = CommentFactory(post=post, author_name="Jonas")
    html = client.get(post.get_absolute_url() + f"?replytocom={parent.pk}").content.decode()
    assert f'name="parent" value="{parent.pk}"' in html
    assert "Reply to Jonas" in html


def test_post_page_shows_german_date_line(client, post):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    CommentFactory(post=post, created_at=datetime(2011, 5, 24, 10, 15, tzinfo=ZoneInfo("Europe/Berlin")))
    html = client.get(post.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "24. Mai 2011" in html
    assert "10:15" in html


def test_permalink_lands_on_the_page_holding_the_comment(client, post, settings):
    settings.COMMENTS_PAGE_SIZE = 2
    roots = [CommentFactory(post=post) for _ in range(5)]
    reply = CommentFactory(post=post, parent=roots[4])
    response = client.get(reverse("comments:permalink", args=[reply.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"{post.get_absolute_url()}?cpage=3#comment-{reply.pk}"
    page = client.get(f"{post.get_absolute_url()}?cpage=3").content.decode()
    assert f'id="comment-{reply.pk}"' in page
    assert f'id="comment-{roots[0].pk}"' not in page


def test_permalink_of_spam_is_404(client, post):
    spam = CommentFactory(post=post, status=Comment.Status.SPAM)
    assert client.get(reverse("comments:permalink", args=[spam.pk])).status_code == 404


def test_newest_first_setting_reverses_threads(client, post, settings):
    settings.COMMENTS_NEWEST_FIRST = True
    old, new = CommentFactory(post=post, body="ALT"), CommentFactory(post=post, body="NEU")
    html = client.get(post.get_absolute_url()).content.decode()
    assert html.index(f"comment-{new.pk}") < html.index(f"comment-{old.pk}")


def test_edit_within_window_reruns_pipeline(client, post):
    CommentFactory(post=post, author_email="erika@example.org")
    submit(client, post, body="Erste Fassung")
    comment = Comment.objects.get(body="Erste Fassung")
    assert comment.status == Comment.Status.APPROVED
    settings = ModerationSettings.load()
    settings.moderation_keywords = "prüfen"
    settings.save()
    response = client.post(reverse("comments:edit", args=[comment.pk]), {"body": "Bitte prüfen"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Bitte prüfen"
    assert comment.status == Comment.Status.PENDING
    assert comment.events.filter(action="edited").exists()


def test_edit_by_other_browser_or_after_window_is_404(client, post):
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    submit(client, post)
    comment = Comment.objects.get()
    assert Client().get(reverse("comments:edit", args=[comment.pk])).status_code == 404
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    assert client.get(reverse("comments:edit", args=[comment.pk])).status_code == 404


def test_withdraw_moves_to_trash(client, post):
    submit(client, post)
    comment = Comment.objects.get()
    response = client.post(reverse("comments:withdraw", args=[comment.pk]))
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.TRASH
    assert comment.events.filter(action="withdrawn").exists()


def test_report_records_once_per_address(client, post):
    comment = CommentFactory(post=post)
    url = reverse("comments:report", args=[comment.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"reason": "Beleidigend"})
    client.post(url, {"reason": "Nochmal"})
    assert comment.reports.count() == 1
    assert comment.reports.get().reason == "Beleidigend"
