import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.captcha import challenge_new
from core.ratelimit import Decision
from polls.models import Ballot, Poll
from polls.results import poll_results
from tests.comments.utils import captcha_answer
from tests.factories import PostFactory
from tests.polls.factories import PollFactory, add_votes

pytestmark = pytest.mark.django_db


def _vote_url(poll):
    return reverse("polls:vote", kwargs={"slug": poll.slug})


def test_vote_post_redirects_to_results_and_counts(client, poll, choices):
    response = client.post(_vote_url(poll), {"choice": choices[1].pk, "next": "/some/post/"})
    assert response.status_code == 302
    assert response["Location"] == "/some/post/#poll-social-media"
    assert response.cookies["bw_voter"]["httponly"]
    assert response.cookies["bw_voted"].value == f"{poll.pk}-{choices[1].pk}"
    assert [c.votes for c in poll_results(poll).choices] == [0, 1, 0]
    page = client.get(poll.get_absolute_url())
    assert 'class="poll-results"' in page.content.decode()
    assert 'name="choice"' not in page.content.decode()


def test_vote_second_time_is_friendly_and_not_counted(client, poll, choices):
    client.get(poll.get_absolute_url())  # the vote page hands out the voter token
    client.post(_vote_url(poll), {"choice": choices[0].pk})
    client.cookies.pop("bw_voted")  # the display cookie lost; the token still knows
    response = client.post(_vote_url(poll), {"choice": choices[1].pk}, follow=True)
    assert response.status_code == 200
    assert "already voted" in " ".join(str(m) for m in response.context["messages"])
    assert poll_results(poll).total_votes == 1


def test_vote_get_is_not_allowed(client, poll, choices):
    response = client.get(_vote_url(poll), {"choice": choices[0].pk})
    assert response.status_code == 405
    assert not Ballot.objects.exists()


@pytest.mark.parametrize("value", ["abc", "' OR 1=1 --", "999999", "", "1.5", "-1", "٣"])
def test_vote_hostile_choice_is_refused_with_message(client, poll, value):
    response = client.post(_vote_url(poll), {"choice": value})
    assert response.status_code == 400  # the vote page again, with the reason in the poll box
    assert 'class="poll-status"' in response.content.decode()
    assert 'class="alert alert-info' in response.content.decode()
    assert not Ballot.objects.exists()


def test_vote_choice_of_another_poll_is_refused(client, poll):
    other = PollFactory()
    response = client.post(
        _vote_url(poll), {"choice": other.choices.first().pk}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert not Ballot.objects.exists()


def test_vote_unknown_poll_is_404(client):
    assert client.post("/polls/gibt-es-nicht/vote/", {"choice": 1}).status_code == 404


def test_vote_json_returns_box_with_results(client, poll, choices):
    response = client.post(_vote_url(poll), {"choice": choices[2].pk}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] is True
    assert 'class="poll-results"' in data["html"]
    again = client.post(_vote_url(poll), {"choice": choices[2].pk}, HTTP_ACCEPT="application/json")
    assert again.status_code == 409
    assert again.json()["ok"] is False
    assert poll_results(poll).total_votes == 1


def test_vote_multiple_answers_via_form(client):
    poll = PollFactory(is_multiple_choice=True, max_choices=2, choices=["A", "B", "C", "Sonstiges"])
    a, b, c, other = poll.choices.all()
    too_many = client.post(_vote_url(poll), {"choice": [a.pk, b.pk, c.pk]}, HTTP_ACCEPT="application/json")
    assert too_many.status_code == 400
    assert "at most 2" in too_many.json()["message"]
    ok = client.post(
        _vote_url(poll),
        {"choice": [a.pk, other.pk], "other_text": "<b>Threads</b>"},
        HTTP_ACCEPT="application/json",
    )
    assert ok.status_code == 200
    assert [r.votes for r in poll_results(poll).choices] == [1, 0, 0, 1]


def test_vote_closed_poll_refuses_with_message(client):
    poll = PollFactory(
        closes_at=timezone.now() - timedelta(minutes=1), opens_at=timezone.now() - timedelta(days=2)
    )
    response = client.post(
        _vote_url(poll), {"choice": poll.choices.first().pk}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 403
    assert "does not accept votes" in response.json()["message"]
    assert "closed on" in response.json()["html"]


def test_vote_rate_limited_gets_429(client, poll, choices, monkeypatch):
    monkeypatch.setattr("core.ratelimit.hit", lambda *args, **kwargs: Decision.LIMITED)
    response = client.post(_vote_url(poll), {"choice": choices[0].pk})
    assert response.status_code == 429
    assert not Ballot.objects.exists()


def test_vote_limit_counts_per_ip_in_cache(client, poll, choices, settings):
    settings.POLLS_VOTE_RATE_LIMIT = 2
    for _i in range(2):
        client.post(_vote_url(poll), {"choice": choices[0].pk})
    assert client.post(_vote_url(poll), {"choice": choices[0].pk}).status_code == 429


def test_vote_cache_down_refuses_safely(client, poll, choices, monkeypatch):
    monkeypatch.setattr("core.ratelimit.hit", lambda *args, **kwargs: Decision.UNKNOWN)
    response = client.post(_vote_url(poll), {"choice": choices[0].pk}, HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    assert "try again" in response.json()["message"]
    assert not Ballot.objects.exists()


def test_vote_requires_csrf_token(poll, choices):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(_vote_url(poll), {"choice": choices[0].pk})
    assert response.status_code == 403
    assert not Ballot.objects.exists()
    page = strict.get(poll.get_absolute_url())
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()


def test_vote_next_cannot_redirect_elsewhere(client, poll, choices):
    response = client.post(_vote_url(poll), {"choice": choices[0].pk, "next": "https://evil.example/"})
    assert response["Location"] == "/polls/social-media/#poll-social-media"


def test_vote_with_captcha(client, poll, choices):
    poll.requires_captcha = True
    poll.save()
    page = client.get(poll.get_absolute_url())
    assert 'name="captcha_1"' in page.content.decode()
    wrong = client.post(_vote_url(poll), {"choice": choices[0].pk, "captcha_0": "x", "captcha_1": "1"})
    assert wrong.status_code == 400 and not Ballot.objects.exists()
    assert 'name="captcha_1"' in wrong.content.decode()  # a fresh task on the page shown again
    key = challenge_new()
    client.post(
        _vote_url(poll), {"choice": choices[0].pk, "captcha_0": key, "captcha_1": captcha_answer(key)}
    )
    assert poll_results(poll).total_votes == 1


def test_results_json_shape(client, poll, choices):
    add_votes(choices[0], 2)
    add_votes(choices[1], 1)
    response = client.get(reverse("polls:results_json", kwargs={"slug": poll.slug}))
    assert response.status_code == 200
    assert response.json() == {
        "question": poll.question,
        "total_votes": 3,
        "closed": False,
        "choices": [
            {"id": choices[0].pk, "text": "PR", "votes": 2, "percent": 67},
            {"id": choices[1].pk, "text": "Marketing", "votes": 1, "percent": 33},
            {"id": choices[2].pk, "text": "Privat", "votes": 0, "percent": 0},
        ],
    }


def test_results_json_is_current_after_a_vote(client, poll, choices, django_capture_on_commit_callbacks):
    url = reverse("polls:results_json", kwargs={"slug": poll.slug})
    assert client.get(url).json()["total_votes"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(_vote_url(poll), {"choice": choices[0].pk})
    assert client.get(url).json()["total_votes"] == 1


@pytest.mark.parametrize(
    ("policy", "status_before", "status_after"),
    [
        (Poll.ResultsPolicy.ALWAYS, 200, 200),
        (Poll.ResultsPolicy.AFTER_VOTE, 403, 200),
        (Poll.ResultsPolicy.AFTER_CLOSE, 403, 403),
        (Poll.ResultsPolicy.STAFF, 403, 403),
    ],
)
def test_results_policy_for_readers(client, poll, choices, policy, status_before, status_after):
    poll.results_policy = policy
    poll.save()
    url = reverse("polls:results_json", kwargs={"slug": poll.slug})
    assert client.get(url).status_code == status_before
    client.post(_vote_url(poll), {"choice": choices[0].pk})
    assert client.get(url).status_code == status_after
    page = client.get(poll.get_results_url()).content.decode()
    assert ('class="poll-results"' in page) is (status_after == 200)


def test_results_staff_sees_hidden_results_numbers_and_other_texts(client, superuser):
    poll = PollFactory(results_policy=Poll.ResultsPolicy.STAFF, show_counts=False, choices=["A", "Sonstiges"])
    Client().post(_vote_url(poll), {"choice": poll.choices.last().pk, "other_text": "<script>x</script>"})
    reader = client.get(reverse("polls:results_json", kwargs={"slug": poll.slug}))
    assert reader.status_code == 403
    client.force_login(superuser)
    data = client.get(reverse("polls:results_json", kwargs={"slug": poll.slug})).json()
    assert data["total_votes"] == 1
    page = client.get(poll.get_results_url()).content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in page
    assert "<script>x" not in page


def test_results_without_numbers_for_readers(client, poll, choices):
    poll.show_counts = False
    poll.save()
    add_votes(choices[0], 1)
    data = client.get(reverse("polls:results_json", kwargs={"slug": poll.slug})).json()
    assert data["total_votes"] is None
    assert data["choices"][0]["percent"] == 100


def test_poll_list_shows_started_polls_only(client, django_assert_max_num_queries):
    visible = PollFactory(question="Offene Frage?")
    PollFactory(
        question="Geschlossene Frage?",
        opens_at=timezone.now() - timedelta(days=3),
        closes_at=timezone.now() - timedelta(days=1),
    )
    PollFactory(question="Kommende Frage?", opens_at=timezone.now() + timedelta(days=1))
    add_votes(visible.choices.first(), 4)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("polls:list"))
    body = response.content.decode()
    assert "Offene Frage?" in body and "Geschlossene Frage?" in body
    assert "Kommende Frage?" not in body
    assert "4 votes" in body or "4 Stimmen" in body


def test_poll_detail_gives_voter_token_and_says_when_upcoming(client):
    poll = PollFactory(opens_at=timezone.now() + timedelta(days=1))
    response = client.get(poll.get_absolute_url())
    assert response.status_code == 200
    assert "bw_voter" in response.cookies
    body = response.content.decode()
    assert "opens on" in body or "startet" in body
    assert 'name="choice"' not in body


# --- the reader's own vote, "Sonstiges" ------------------------------------------------------


def test_other_without_text_is_refused_and_the_form_keeps_the_choice(client):
    poll = PollFactory(slug="andere", choices=["A", "Sonstiges"])
    _a, other = poll.choices.all()
    response = client.post(_vote_url(poll), {"choice": other.pk, "other_text": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please write your own answer for “Sonstiges”." in html
    assert re.search(rf'value="{other.pk}"[^>]*checked', html)
    as_json = client.post(_vote_url(poll), {"choice": other.pk}, HTTP_ACCEPT="application/json")
    assert as_json.status_code == 400 and "own answer" in as_json.json()["message"]
    assert not Ballot.objects.exists()


def test_own_answer_without_other_is_refused_and_the_text_kept(client):
    poll = PollFactory(slug="andere", choices=["A", "Sonstiges"])
    a, _other = poll.choices.all()
    response = client.post(_vote_url(poll), {"choice": a.pk, "other_text": "Mastodon"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please also choose “Sonstiges” to send your own answer." in html
    assert 'value="Mastodon"' in html
    assert not Ballot.objects.exists()


def test_results_mark_the_readers_own_choice_also_from_the_page_cache(client, poll, choices, settings):
    settings.PAGECACHE_SECONDS = 300
    post = PostFactory(body=f"[poll {poll.slug}]")
    client.post(_vote_url(poll), {"choice": choices[2].pk})
    for _ in range(2):  # rendered, then from the page cache
        html = client.get(post.get_absolute_url()).content.decode()
        own = re.findall(r'class="poll-result mb-2 poll-result-own" data-choice="(\d+)"', html)
        assert own == [str(choices[2].pk)]
        assert "your choice" in html
    other_reader = Client()
    other_reader.post(_vote_url(poll), {"choice": choices[0].pk})
    html = other_reader.get(post.get_absolute_url()).content.decode()
    assert re.findall(r'poll-result-own" data-choice="(\d+)"', html) == [str(choices[0].pk)]


def test_sidebar_says_you_have_voted_after_a_vote(client, poll, choices, settings):
    settings.PAGECACHE_SECONDS = 300
    PostFactory()
    before = client.get("/").content.decode()
    assert "Vote now" in before and "You have voted." not in before
    client.post(_vote_url(poll), {"choice": choices[0].pk})
    for _ in range(2):
        after = client.get("/").content.decode()
        assert "You have voted." in after and "Vote now" not in after
    german = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Sie haben abgestimmt." in german


def test_voted_cookie_of_the_old_form_still_counts(client, poll, choices):
    client.cookies["bw_voted"] = f"{poll.pk}.999"
    html = client.get(poll.get_absolute_url()).content.decode()
    assert 'class="poll-results"' in html and "poll-result-own" not in html
    client.cookies["bw_voted"] = f"x.{poll.pk}-{choices[1].pk}_abc"  # hostile parts are skipped
    html = client.get(poll.get_absolute_url()).content.decode()
    assert 'name="choice"' in html
