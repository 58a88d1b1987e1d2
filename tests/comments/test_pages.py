"""Comments under static pages: the same comments, pipeline, moderation and feeds as a post's."""

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments import services
from comments.models import Comment, ModerationSettings
from core.versions import content_version
from tests.comments.factories import CommentFactory
from tests.comments.utils import form_data
from tests.factories import PageFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def page():
    return PageFactory(title="Über uns", slug="ueber-uns", comments_open=True)


def submit(client, page, **overrides):
    return client.post(reverse("comments:page", args=[page.pk]), form_data(**overrides))


def on_page(page, **kwargs):
    return CommentFactory(post=None, page=page, **kwargs)


def test_comment_stands_under_exactly_one_post_or_page(page):
    post = PostFactory()
    for target in ({"post": None, "page": None}, {"post": post, "page": page}):
        with pytest.raises(IntegrityError), transaction.atomic():
            CommentFactory(**target)


def test_page_comment_goes_through_the_pipeline_and_lands_on_the_page(client, page, after_commit):
    UserFactory(username="mod", groups=["Moderators"], is_staff=True, email="mod@example.org")
    with after_commit():
        response = submit(client, page)
    comment = Comment.objects.get()
    assert (comment.page, comment.post, comment.status) == (page, None, Comment.Status.PENDING)
    assert response["Location"] == f"/ueber-uns/#comment-{comment.pk}"
    assert [m.to for m in mail.outbox] == [["mod@example.org"]]  # moderators hear of it
    assert "Über uns" in mail.outbox[0].body
    own = client.get("/ueber-uns/").content.decode()
    assert f'id="comment-{comment.pk}"' in own and "comment-awaiting-moderation" in own
    assert f'id="comment-{comment.pk}"' not in Client().get("/ueber-uns/").content.decode()


def test_approval_makes_the_cached_page_stale(client, page, django_capture_on_commit_callbacks):
    comment = on_page(page, status=Comment.Status.PENDING, body="Eine Frage zur Seite.")
    assert "Eine Frage zur Seite." not in Client().get("/ueber-uns/").content.decode()  # cached now
    before = content_version("page", page.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_approve(comment=comment, by=UserFactory(is_staff=True))
    assert content_version("page", page.pk) != before
    assert "Eine Frage zur Seite." in Client().get("/ueber-uns/").content.decode()


def test_known_author_is_approved_and_replies_thread(client, page):
    root = on_page(page, author_email="erika@example.org", body="Erste Meinung.")
    submit(client, page, parent=str(root.pk), body="Meine Antwort.")
    reply = Comment.objects.get(body="Meine Antwort.")
    assert (reply.status, reply.parent, reply.depth, reply.page) == ("approved", root, 1, page)
    html = Client().get("/ueber-uns/").content.decode()
    thread = html.split(f'id="comment-{root.pk}"')[1]
    assert f'id="comment-{reply.pk}"' in thread  # nested inside the root's list item
    assert "2 comments on “Über uns”" in html or "2 Kommentare" in html


def test_spam_rules_apply_to_page_comments(client, page):
    ModerationSettings.objects.update_or_create(id=1, defaults={"blocked_keywords": "billig"})
    submit(client, page, body="Kauf billig ein!")
    assert Comment.objects.get().status == Comment.Status.SPAM
    submit(client, page, body="Zweiter Text", homepage="https://spam.example")  # the honeypot
    assert not Comment.objects.filter(body="Zweiter Text", status="approved").exists()


def test_closed_or_unpublished_page_takes_no_comments(client, page):
    page.comments_open = False
    page.save()
    response = submit(client, page)
    assert response.status_code == 200 and not Comment.objects.exists()
    assert 'id="commentform"' not in client.get("/ueber-uns/").content.decode()
    page.is_published = False
    page.save()
    assert submit(client, page).status_code == 404


def test_reply_to_a_post_comment_is_refused_on_a_page(client, page):
    foreign = CommentFactory()
    response = submit(client, page, parent=str(foreign.pk))
    assert response.status_code == 200 and Comment.objects.count() == 1


def test_closed_page_shows_its_comments_without_form_and_no_subscription_box(client, page):
    on_page(page, body="Aus WordPress.")
    assert "E-mail me when someone replies" not in client.get("/ueber-uns/").content.decode()
    page.comments_open = False
    page.save()
    html = client.get("/ueber-uns/").content.decode()
    assert "Aus WordPress." in html and 'id="commentform"' not in html
    assert 'class="comments-closed' in html


def test_page_query_count_does_not_grow_with_comments(page, django_assert_max_num_queries):
    """The thread is one query however long it is (each render under a fresh cache key)."""
    renders = iter(range(1000))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert Client().get(f"/ueber-uns/?n={next(renders)}").status_code == 200
        return len(captured)

    root = on_page(page)
    on_page(page, parent=root)
    queries()  # warm the process-wide caches (settings, bans)
    few = queries()
    for _ in range(30):
        on_page(page, parent=on_page(page))
    assert queries() == few
    with django_assert_max_num_queries(3):
        Client().get("/ueber-uns/?again=1")


def test_permalink_report_and_feeds_work_for_page_comments(client, page):
    comment = on_page(page, body="Lesenswert.")
    response = client.get(comment.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == f"/ueber-uns/#comment-{comment.pk}"
    assert client.get(reverse("comments:report", args=[comment.pk])).status_code == 200
    site_feed = client.get(reverse("comments:feed")).content.decode()
    assert "Lesenswert." in site_feed and "Über uns" in site_feed
    page_feed = client.get(reverse("comments:page_feed", args=[page.pk])).content.decode()
    assert "Lesenswert." in page_feed
    page.is_published = False
    page.save()
    assert client.get(comment.get_absolute_url()).status_code == 404
    assert "Lesenswert." not in client.get(reverse("comments:feed")).content.decode()
    gone = client.get(reverse("comments:page_feed", args=[page.pk]))
    assert gone.status_code != 200 and "Lesenswert." not in gone.content.decode()


def test_moderation_desk_shows_the_page_and_acts_on_it(client, moderator, page):
    comment = on_page(page, status=Comment.Status.PENDING, body="Bitte prüfen.")
    on_post = CommentFactory(status=Comment.Status.PENDING)
    client.force_login(moderator)
    html = client.get(reverse("admin:comments_comment_changelist")).content.decode()
    assert "Bitte prüfen." in html and 'href="/ueber-uns/">Über uns</a>' in html
    assert f'<option value="{on_post.post_id}"' in html  # the post filter lists posts only
    response = client.post(reverse("admin:comments_comment_act", args=["approve"]), {"id": comment.pk})
    assert response.status_code in (200, 302)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert client.get(reverse("admin:comments_comment_change", args=[comment.pk])).status_code == 200


def test_editor_opens_comments_on_a_page_in_the_admin(client, page):
    editor = UserFactory(username="ed", groups=["Editors"], is_staff=True)
    client.force_login(editor)
    html = client.get(reverse("admin:blog_page_change", args=[page.pk])).content.decode()
    assert 'name="comments_open"' in html
