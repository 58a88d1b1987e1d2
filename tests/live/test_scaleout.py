"""Two gunicorn masters of two workers each act as one site: on SQLite with the shared
SQLite-backed cache (no Redis), and on PostgreSQL with Redis."""

import json
import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import Group, Permission

from blog.models import Post
from comments.conf import comments_settings
from comments.models import Comment
from core.models import UsedChallenge
from polls.models import Ballot, Vote
from tests.comments.utils import captcha_answer, form_data
from tests.factories import PostFactory, UserFactory
from tests.live.forms import comment_data, comment_id_from, inputs
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.live


def test_sessions_work_across_processes(start_app, visitor):
    UserFactory(username="chefin", is_staff=True, is_superuser=True)
    a, b = start_app(), start_app()
    reader = visitor()
    status, html, _ = reader.get(a.url + "/admin/login/")
    assert status == 200
    status, _, _ = reader.post(
        a.url + "/admin/login/?next=/admin/",
        {"username": "chefin", "password": "secret-pass-123", "csrfmiddlewaretoken": reader.csrf_token(html)},
    )
    assert status == 302, "login through process A failed"
    status, html, _ = reader.get(b.url + "/admin/")
    assert status == 200
    assert "chefin" in html.lower() or "logout" in html.lower()


def test_an_edit_shows_at_once_through_the_other_process(start_app, visitor):
    post = PostFactory(title="Alter Titel")
    a, b = start_app(), start_app()
    reader = visitor()
    for app in (a, b):
        status, html, _ = reader.get(app.url + post.get_absolute_url())
        assert status == 200 and "Alter Titel" in html
    post.title = "Neuer Titel"
    post.save()
    for app in (b, a):
        _, html, _ = reader.get(app.url + post.get_absolute_url())
        assert "Neuer Titel" in html


def test_share_count_counts_once_across_processes(start_app, visitor):
    post = PostFactory()
    a, b = start_app(), start_app()
    reader = visitor()
    for app in (a, b, a):
        status, _, headers = reader.get(f"{app.url}/share/{post.pk}/facebook/")
        assert status == 302
        assert headers["Location"].startswith("https://www.facebook.com/")
    assert Post.objects.get(pk=post.pk).share_count == 1


# --- comments and polls ---------------------------------------------------------------------
def _moderator(username="mona"):
    """A member of Moderators; earlier transactional tests may have flushed the group."""
    group, _created = Group.objects.get_or_create(name="Moderators")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="comments"))
    return UserFactory(username=username, is_staff=True, groups=["Moderators"])


def _log_in(client, app, username):
    _, html, _ = client.get(app.url + "/admin/login/")
    status, _, _ = client.post(
        app.url + "/admin/login/?next=/admin/",
        {"username": username, "password": "secret-pass-123", "csrfmiddlewaretoken": client.csrf_token(html)},
    )
    assert status == 302, f"{username} could not log in through {app.url}"


def test_comment_approved_through_one_process_shows_at_once_through_the_other(start_app, visitor):
    _moderator()
    post = PostFactory()
    path = post.get_absolute_url()
    a, b = start_app(), start_app()
    writer, reader, moderator = visitor(), visitor(), visitor()

    # An anonymous reader has the page cached by B before anything happens.
    assert reader.get(b.url + path)[0] == 200
    status, _, headers = reader.get(b.url + path)
    assert (status, headers.get("X-Page-Cache")) == (200, "hit")

    _, html, _ = writer.get(a.url + path)
    status, _, headers = writer.post(
        f"{a.url}/comments/post/{post.pk}/", comment_data(html, body="Marketing braucht Zahlen.")
    )
    assert status == 302
    comment = Comment.objects.get(pk=comment_id_from(headers["Location"]))
    assert comment.status == Comment.Status.PENDING
    assert f'id="comment-{comment.pk}"' not in reader.get(b.url + path)[1]

    # A moderator approves it with the admin's bulk action through A …
    _log_in(moderator, a, "mona")
    _, html, _ = moderator.get(a.url + "/admin/comments/comment/")
    status, _, _ = moderator.post(
        a.url + "/admin/comments/comment/",
        {
            "csrfmiddlewaretoken": moderator.csrf_token(html),
            "action": "approve",
            "_selected_action": comment.pk,
            "index": "0",
        },
    )
    assert status == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED

    # … and the reader sees it through B on the very next request, not B's cached copy.
    status, html, headers = reader.get(b.url + path)
    assert status == 200 and headers.get("X-Page-Cache") == "miss"
    assert f'id="comment-{comment.pk}"' in html
    assert reader.get(a.url + path)[1].count(f'id="comment-{comment.pk}"') == 1


def _sleep_past_window_edge(window: int, margin: float = 5.0) -> None:
    """Fixed windows: start where the whole run fits into one window."""
    left = window - time.time() % window
    if left < margin:
        time.sleep(left + 0.1)


def test_comment_flood_limit_counts_across_processes(start_app, visitor):
    post = PostFactory()
    path = post.get_absolute_url()
    limit = comments_settings.FLOOD_LIMIT
    a, b = start_app(), start_app()
    writer = visitor()
    _, html, _ = writer.get(a.url + path)
    token = writer.csrf_token(html)
    _sleep_past_window_edge(comments_settings.FLOOD_WINDOW)

    answers = []
    for n in range(limit + 1):
        app = (a, b)[n % 2]
        data = form_data(body=f"Gedanke Nummer {n} zum Beitrag.", csrfmiddlewaretoken=token)
        status, html, headers = writer.post(f"{app.url}/comments/post/{post.pk}/", data)
        answers.append(status)
        if status == 429:
            assert headers.get("Retry-After") == str(comments_settings.FLOOD_WINDOW)
            # The refused comment's text comes back in the form, to be sent again later.
            assert f"Gedanke Nummer {n} zum Beitrag." in html
    assert answers == [302] * limit + [429]
    assert Comment.objects.filter(post=post).count() == limit


def test_vote_through_one_process_and_repeat_through_the_other_counts_once(start_app, visitor):
    poll = PollFactory(slug="social-media")
    first, second = poll.choices.all()[:2]
    a, b = start_app(), start_app()
    reader = visitor()
    status, html, _ = reader.get(f"{a.url}/polls/{poll.slug}/")
    assert status == 200 and 'name="choice"' in html
    token = reader.csrf_token(html)

    status, _, headers = reader.post(
        f"{a.url}/polls/{poll.slug}/vote/", {"csrfmiddlewaretoken": token, "choice": first.pk}
    )
    assert status == 302 and headers["Location"].endswith(f"#poll-{poll.slug}")
    status, body, _ = reader.post(
        f"{b.url}/polls/{poll.slug}/vote/",
        {"csrfmiddlewaretoken": token, "choice": second.pk},
        headers={"Accept": "application/json"},
    )
    assert status == 409
    assert json.loads(body)["ok"] is False
    # Without the "voted" cookie only the voter token is left: still once.
    reader.jar.clear(domain="127.0.0.1", path="/", name="bw_voted")
    status, _, _ = reader.post(
        f"{a.url}/polls/{poll.slug}/vote/",
        {"csrfmiddlewaretoken": token, "choice": second.pk},
        headers={"Accept": "application/json"},
    )
    assert status == 409
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert list(Vote.objects.filter(ballot__poll=poll).values_list("choice", flat=True)) == [first.pk]
    results = json.loads(reader.get(f"{b.url}/polls/{poll.slug}/results.json")[1])
    assert results["total_votes"] == 1


def test_captcha_from_one_process_is_accepted_once_by_the_other(start_app, visitor):
    post = PostFactory()
    path = post.get_absolute_url()
    a, b = start_app(), start_app()
    writer = visitor()
    _, html, _ = writer.get(a.url + path)
    data = comment_data(html, body="Erster Versuch mit dieser Aufgabe.")

    status, _, headers = writer.post(f"{b.url}/comments/post/{post.pk}/", data)
    assert status == 302
    accepted = comment_id_from(headers["Location"])
    assert UsedChallenge.objects.count() == 1  # the task is used up, in the shared database

    # The same solved task again, with new text, through either process: refused, nothing stored.
    for app in (b, a):
        again = {**data, "body": f"Zweiter Versuch über {app.port}."}
        status, html, _ = writer.post(f"{app.url}/comments/post/{post.pk}/", again)
        assert status == 200
        assert 'id="commentform"' in html and "is-invalid" in html
        fresh = inputs(html)["captcha_0"]
        assert fresh and fresh != data["captcha_0"]
    assert list(Comment.objects.filter(post=post).values_list("pk", flat=True)) == [accepted]


def test_unpublished_post_disappears_at_once_from_every_process(start_app, visitor):
    post = PostFactory(title="Bald zurückgezogen")
    a, b = start_app(), start_app()
    reader = visitor()
    for app in (a, b, a, b):  # the second round comes from the page cache
        status, html, headers = reader.get(app.url + post.get_absolute_url())
        assert status == 200 and "Bald zurückgezogen" in html
    assert headers.get("X-Page-Cache") == "hit"
    post.status = Post.Status.DRAFT
    post.save()
    for app in (b, a):
        status, _, _ = reader.get(app.url + post.get_absolute_url())
        assert status == 404
        _, home, _ = reader.get(app.url + "/")
        assert "Bald zurückgezogen" not in home


def test_a_vote_shows_at_once_on_the_cached_post_page_of_every_process(start_app, visitor):
    poll = PollFactory(slug="sichtbar")
    post = PostFactory(body=f"Stimmen Sie ab:\n\n[poll {poll.slug}]")
    first = poll.choices.first()
    a, b = start_app(), start_app()
    totals = []
    for voter_app, reader_app in ((a, b), (b, a)):
        voter = visitor()
        _, html, _ = voter.get(voter_app.url + post.get_absolute_url())
        status, _, _ = voter.post(
            f"{voter_app.url}/polls/{poll.slug}/vote/",
            {"csrfmiddlewaretoken": voter.csrf_token(html), "choice": first.pk},
        )
        assert status == 302
        _, html, _ = voter.get(reader_app.url + post.get_absolute_url())
        totals.append(int(re.search(r'class="poll-total-count">(\d+)<', html).group(1)))
    assert totals == [1, 2]


def test_two_readers_without_javascript_comment_from_the_same_cached_page(start_app, visitor):
    """Each reader of one cached page gets a task of their own; both comments go through."""
    post = PostFactory()
    a, b = start_app(), start_app()
    first, second = visitor(), visitor()
    _, html_first, _ = first.get(a.url + post.get_absolute_url())
    _, html_second, headers = second.get(a.url + post.get_absolute_url())
    assert headers.get("X-Page-Cache") == "hit"
    key_first, key_second = inputs(html_first)["captcha_0"], inputs(html_second)["captcha_0"]
    assert key_first != key_second
    assert key_second in html_second and key_first not in html_second  # picture and text link too
    accepted = []
    for reader, html, app in ((second, html_second, b), (first, html_first, a)):
        status, _, headers = reader.post(
            f"{app.url}/comments/post/{post.pk}/",
            comment_data(html, body=f"Meine eigene Meinung über Port {app.port}."),
        )
        assert status == 302, "the reader's own task must be accepted"
        accepted.append(comment_id_from(headers["Location"]))
    assert Comment.objects.filter(pk__in=accepted).count() == 2
    assert UsedChallenge.objects.count() == 2


def test_one_solved_poll_captcha_counts_once_under_parallel_sends(start_app, visitor):
    poll = PollFactory(slug="mit-aufgabe", requires_captcha=True)
    choice = poll.choices.first()
    a, b = start_app(threads=4), start_app(threads=4)
    readers = [visitor() for _ in range(10)]
    pages = [reader.get(f"{a.url}/polls/{poll.slug}/")[1] for reader in readers]
    key = inputs(pages[0], form_id=f"poll-{poll.pk}-form")["captcha_0"]
    solved = {"captcha_0": key, "captcha_1": captcha_answer(key), "choice": choice.pk}

    def send(index):
        app = (a, b)[index % 2]
        data = {**solved, "csrfmiddlewaretoken": readers[index].csrf_token(pages[index])}
        return readers[index].post(f"{app.url}/polls/{poll.slug}/vote/", data)[0]

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(send, range(10)))
    assert all(status in (200, 302, 400, 409) for status in statuses), statuses
    assert Ballot.objects.filter(poll=poll).count() == 1


def test_page_copies_kept_in_every_worker_go_stale_with_a_change_made_anywhere(start_app, visitor):
    """Each worker serves hits from a copy it keeps while nothing has changed; a change made in
    another process (the test process, another gunicorn) is seen by the very next request in
    every worker, on the post page and on a listing."""
    post = PostFactory(title="Alter Titel")
    a, b = start_app(workers=4), start_app(workers=1)
    pages = [a.url + post.get_absolute_url(), a.url + "/"]

    def every_worker_answers(expect: str, avoid: str, rounds: int = 16) -> Counter:
        seen = Counter()
        for _round in range(rounds):  # a new connection each time: gunicorn spreads them
            for url in pages:
                status, html, headers = visitor().get(url)
                assert status == 200 and expect in html and avoid not in html, url
                seen[headers.get("X-Page-Cache")] += 1
        return seen

    assert every_worker_answers("Alter Titel", "Neuer Titel")["hit"] >= 24  # copies everywhere
    post.title = "Neuer Titel"
    post.save()  # this process bumps; the workers of ``a`` kept copies of the old pages
    every_worker_answers("Neuer Titel", "Alter Titel")

    shares = re.compile(r"weiterempfehlen \((\d+)\)")
    for _round in range(8):
        _, html, _ = visitor().get(pages[0])
        assert shares.search(html).group(1) == "0"
    status, _, _ = visitor().get(f"{b.url}/share/{post.pk}/facebook/")  # counted by the other gunicorn
    assert status == 302
    for _round in range(16):
        _, html, _ = visitor().get(pages[0])
        assert shares.search(html).group(1) == "1", "a worker served its old copy"
