"""The database or Redis going away: friendly answers, and recovery without a restart."""

import json
import time

import pytest
from django.conf import settings
from django.db import connection

from comments.models import Comment
from polls.models import Ballot, Vote
from tests.factories import PostFactory
from tests.live.conftest import database_url_via, redis_url_via
from tests.live.forms import comment_data, comment_id_from
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.live


def wait_for(check, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    return check()


def test_database_outage_gives_503_and_recovers(pg_redis, start_app, proxy, visitor):
    post = PostFactory(title="Bleibt lesbar")
    db = connection.settings_dict
    pg = proxy(db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432))
    app = start_app(DATABASE_URL=database_url_via(pg.port))
    reader = visitor()
    assert reader.get(app.url + "/healthz")[:2] == (200, "ok")

    pg.cut()
    status, _, _ = reader.get(app.url + "/healthz")
    assert status == 503
    status, html, headers = reader.get(app.url + post.get_absolute_url())
    assert status == 503
    assert "Traceback" not in html and "<h1>" in html
    assert headers.get("Retry-After") == "30"

    pg.restore()
    assert wait_for(lambda: reader.get(app.url + "/healthz")[0] == 200)
    status, html, _ = reader.get(app.url + post.get_absolute_url())
    assert status == 200 and "Bleibt lesbar" in html


def test_redis_outage_degrades_to_no_cache(pg_redis, start_app, proxy, visitor):
    post = PostFactory(title="Ohne Cache")
    host, port = settings.CACHES["default"]["LOCATION"].split("//", 1)[1].split("/")[0].split(":")
    redis = proxy(host, int(port))
    app = start_app(REDIS_URL=redis_url_via(redis.port))
    reader = visitor()
    assert reader.get(app.url + "/")[0] == 200

    redis.cut()
    for path in ("/", post.get_absolute_url(), "/feed/", "/healthz"):
        status, _, _ = reader.get(app.url + path)
        assert status == 200, path
    assert "Ohne Cache" in reader.get(app.url + post.get_absolute_url())[1]

    redis.restore()
    assert wait_for(lambda: reader.get(app.url + "/")[0] == 200)


def test_redis_outage_holds_comments_and_refuses_votes_then_recovers(pg_redis, start_app, proxy, visitor):
    post = PostFactory(title="Ohne Redis")
    path = post.get_absolute_url()
    poll = PollFactory(slug="ohne-redis")
    choice = poll.choices.first()
    host, port = settings.CACHES["default"]["LOCATION"].split("//", 1)[1].split("/")[0].split(":")
    redis = proxy(host, int(port))
    app = start_app(REDIS_URL=redis_url_via(redis.port))
    reader = visitor()
    _, page, _ = reader.get(app.url + path)
    assert reader.get(f"{app.url}/polls/{poll.slug}/")[0] == 200  # the voter cookie
    token = reader.csrf_token(page)
    vote_url = f"{app.url}/polls/{poll.slug}/vote/"
    as_json = {"Accept": "application/json"}

    redis.cut()
    # A comment is stored and held for a moderator, since the flood limit cannot be counted …
    status, _, headers = reader.post(
        f"{app.url}/comments/post/{post.pk}/", comment_data(page, body="Geschrieben, als Redis fehlte.")
    )
    assert status == 302
    comment = Comment.objects.get(pk=comment_id_from(headers["Location"]))
    assert comment.status == Comment.Status.PENDING
    assert "rate_limit_unknown" in {reason["rule"] for reason in comment.reasons}
    # … and the visitor is told so on the page the redirect leads to.
    status, html, _ = reader.get(app.url + headers["Location"].split("#")[0])
    assert status == 200
    assert 'class="messages"' in html and "alert-info" in html
    assert f'id="comment-{comment.pk}"' in html and "comment-awaiting-moderation" in html

    # A vote is refused with a message, and nothing of it is stored.
    status, body, headers = reader.post(
        vote_url, {"csrfmiddlewaretoken": token, "choice": choice.pk}, headers=as_json
    )
    assert status == 503
    answer = json.loads(body)
    assert answer["ok"] is False and answer["message"]
    status, _, headers = reader.post(vote_url, {"csrfmiddlewaretoken": token, "choice": choice.pk})
    assert status == 302
    _, html, _ = reader.get(app.url + headers["Location"].split("#")[0])
    assert "alert-warning" in html
    assert not Ballot.objects.filter(poll=poll).exists()
    assert not Vote.objects.filter(choice__poll=poll).exists()

    redis.restore()
    assert wait_for(
        lambda: (
            reader.post(vote_url, {"csrfmiddlewaretoken": token, "choice": choice.pk}, headers=as_json)[0]
            == 200
        )
    )
    assert Ballot.objects.filter(poll=poll).count() == 1
    _, page, _ = reader.get(app.url + path)
    status, _, headers = reader.post(
        f"{app.url}/comments/post/{post.pk}/", comment_data(page, body="Und wieder mit Redis.")
    )
    assert status == 302
    again = Comment.objects.get(pk=comment_id_from(headers["Location"]))
    assert "rate_limit_unknown" not in {reason["rule"] for reason in again.reasons}


def test_change_made_while_redis_is_down_shows_once_it_is_back(pg_redis, start_app, proxy, visitor):
    """The approval's cache bump is lost in the outage; the cached copy must not come back."""
    from tests.comments.factories import CommentFactory
    from tests.live.test_scaleout import _log_in, _moderator

    _moderator()
    post = PostFactory()
    comment = CommentFactory(post=post, status=Comment.Status.PENDING, body_html="<p>Wartet noch</p>")
    host, port = settings.CACHES["default"]["LOCATION"].split("//", 1)[1].split("/")[0].split(":")
    redis = proxy(host, int(port))
    app = start_app(REDIS_URL=redis_url_via(redis.port))
    reader, moderator = visitor(), visitor()
    path = post.get_absolute_url()
    reader.get(app.url + path)
    assert reader.get(app.url + path)[2].get("X-Page-Cache") == "hit"
    _log_in(moderator, app, "mona")
    _, html, _ = moderator.get(app.url + "/admin/comments/comment/")
    token = moderator.csrf_token(html)

    redis.cut()
    status, _, _ = moderator.post(
        app.url + "/admin/comments/comment/",
        {"csrfmiddlewaretoken": token, "action": "approve", "_selected_action": comment.pk, "index": "0"},
    )
    assert status == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED

    redis.restore()

    def shows_approved_comment():
        _, html, _ = reader.get(app.url + path)
        return f'id="comment-{comment.pk}"' in html

    # The worker that lost the bump makes every page stale within seconds of the return,
    # whichever worker the reader reaches.
    assert wait_for(shows_approved_comment, timeout=10)
    for _ in range(4):
        assert shows_approved_comment()
