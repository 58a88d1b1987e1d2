from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from core.clients import ip_hash
from core.versions import content_version
from polls.models import Ballot, Poll, Vote
from polls.results import poll_results
from polls.services import (
    AlreadyVoted,
    InvalidSelection,
    PollNotOpen,
    poll_close,
    poll_open,
    poll_reset,
    vote_record,
)
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db

TOKEN_A = "a" * 32
TOKEN_B = "b" * 32


def _vote(poll, choices, voter=TOKEN_A, ip="198.51.100.7", **kwargs):
    return vote_record(poll=poll, choices=choices, voter=voter, ip=ip, ip_hash=ip_hash(ip), **kwargs)


def test_vote_record_counts_once_per_browser(poll, choices):
    _vote(poll, [choices[0]])
    with pytest.raises(AlreadyVoted):
        _vote(poll, [choices[1]])
    _vote(poll, [choices[1]], voter=TOKEN_B)  # another browser behind the same address
    assert [c.votes for c in poll_results(poll).choices] == [1, 1, 0]


def test_vote_record_stores_hash_never_the_ip(poll, choices):
    ballot = _vote(poll, [choices[0]], ip="203.0.113.9")
    assert ballot.ip_hash == ip_hash("203.0.113.9")
    assert "203.0.113.9" not in ballot.ip_hash
    assert not Ballot.objects.filter(ip_hash__contains="203.0.113").exists()


def test_vote_record_without_protection_counts_every_submission(choices):
    poll = choices[0].poll
    poll.protection = Poll.Protection.NONE
    poll.save()
    for _i in range(3):
        _vote(poll, [choices[0]])
    assert poll_results(poll).choices[0].votes == 3


def test_vote_record_ip_window_blocks_second_browser_until_window_passes(poll, choices):
    poll.protection = Poll.Protection.BROWSER_AND_IP
    poll.ip_window = timedelta(hours=1)
    poll.save()
    now = timezone.now()
    _vote(poll, [choices[0]], now=now)
    with pytest.raises(AlreadyVoted):
        _vote(poll, [choices[0]], voter=TOKEN_B, now=now + timedelta(minutes=30))
    _vote(poll, [choices[0]], voter=TOKEN_B, ip="198.51.100.8", now=now + timedelta(minutes=30))
    _vote(poll, [choices[0]], voter="c" * 32, now=now + timedelta(minutes=61))
    assert poll_results(poll).total_votes == 3


def test_vote_record_ip_allowlist_lets_shared_address_vote_per_browser(poll, choices):
    poll.protection = Poll.Protection.BROWSER_AND_IP
    poll.ip_allowlist = "# Schule\n198.51.100.0/24"
    poll.save()
    _vote(poll, [choices[0]])
    _vote(poll, [choices[1]], voter=TOKEN_B)
    with pytest.raises(AlreadyVoted):
        _vote(poll, [choices[1]], voter=TOKEN_B)  # still once per browser
    assert poll_results(poll).total_votes == 2


def test_vote_record_multiple_answers_and_maximum():
    poll = PollFactory(is_multiple_choice=True, max_choices=2, choices=["A", "B", "C"])
    a, b, c = poll.choices.all()
    with pytest.raises(InvalidSelection):
        _vote(poll, [a, b, c])
    _vote(poll, [a, c])
    assert [r.votes for r in poll_results(poll).choices] == [1, 0, 1]
    assert Ballot.objects.count() == 1 and Vote.objects.count() == 2


def test_vote_record_single_choice_refuses_two(poll, choices):
    with pytest.raises(InvalidSelection):
        _vote(poll, choices[:2])
    assert not Ballot.objects.exists()


def test_vote_record_refuses_choice_of_another_poll(poll):
    other = PollFactory()
    with pytest.raises(InvalidSelection):
        _vote(poll, [other.choices.first()])
    assert not Vote.objects.exists()


def test_vote_record_other_text_kept_only_for_other_choice():
    poll = PollFactory(is_multiple_choice=True, choices=["A", "Sonstiges"])
    a, other = poll.choices.all()
    _vote(poll, [a, other], other_text="  Threads  ")
    assert dict(Vote.objects.values_list("choice__text", "other_text")) == {"A": "", "Sonstiges": "Threads"}


def test_vote_record_refuses_closed_and_upcoming_polls(choices):
    poll = choices[0].poll
    now = timezone.now()
    poll.closes_at = now + timedelta(hours=1)
    poll.save()
    with time_machine.travel(now + timedelta(hours=2)), pytest.raises(PollNotOpen):
        _vote(poll, [choices[0]])
    upcoming = PollFactory(opens_at=now + timedelta(days=1))
    with pytest.raises(PollNotOpen):
        _vote(upcoming, [upcoming.choices.first()])
    assert not Ballot.objects.exists()


def test_vote_record_bumps_the_poll_version(poll, choices, django_capture_on_commit_callbacks):
    before = content_version("poll", poll.pk)
    with django_capture_on_commit_callbacks(execute=True):
        _vote(poll, [choices[0]])
    assert content_version("poll", poll.pk) > before


def test_poll_open_close_and_reset(poll, choices):
    _vote(poll, [choices[0]])
    now = timezone.now()
    poll_close(poll=poll, now=now)
    poll.refresh_from_db()
    assert poll.is_closed()
    poll_open(poll=poll, now=now + timedelta(seconds=1))
    poll.refresh_from_db()
    assert poll.is_open() and poll.closes_at is None
    assert poll_reset(poll=poll) == 1
    assert poll_results(poll).total_votes == 0
    assert poll.choices.count() == 3


def test_poll_close_of_upcoming_poll_keeps_constraint():
    poll = PollFactory(opens_at=timezone.now() + timedelta(days=2))
    poll_close(poll=poll)
    poll.refresh_from_db()
    assert poll.is_closed() and poll.closes_at > poll.opens_at
