from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from polls.models import Poll
from tests.polls.factories import ChoiceFactory, PollFactory, add_votes

pytestmark = pytest.mark.django_db


def test_poll_queryset_states_follow_the_clock():
    now = timezone.now()
    poll = PollFactory(opens_at=now + timedelta(hours=1), closes_at=now + timedelta(hours=2))
    assert list(Poll.objects.upcoming()) == [poll]
    assert not Poll.objects.open().exists()
    with time_machine.travel(now + timedelta(minutes=90)):
        assert list(Poll.objects.open()) == [poll]
        assert Poll.objects.get().is_open()
    with time_machine.travel(now + timedelta(hours=3)):
        assert list(Poll.objects.closed()) == [poll]
        assert not Poll.objects.open().exists()
        assert Poll.objects.get().is_closed()


def test_poll_with_totals_counts_votes_and_voters():
    poll = PollFactory()
    add_votes(poll.choices.first(), 3)
    other = PollFactory()
    annotated = {p.pk: p for p in Poll.objects.with_totals()}
    assert (annotated[poll.pk].total_votes, annotated[poll.pk].total_voters) == (3, 3)
    assert (annotated[other.pk].total_votes, annotated[other.pk].total_voters) == (0, 0)


def test_poll_clean_rejects_closing_before_opening_and_bad_networks():
    now = timezone.now()
    poll = Poll(
        question="?", slug="x", opens_at=now, closes_at=now - timedelta(hours=1), ip_allowlist="not a net"
    )
    with pytest.raises(ValidationError) as excinfo:
        poll.clean()
    assert set(excinfo.value.message_dict) == {"closes_at", "ip_allowlist"}


def test_poll_closing_before_opening_is_a_database_error():
    now = timezone.now()
    with pytest.raises(IntegrityError):
        PollFactory(opens_at=now, closes_at=now - timedelta(minutes=1))


def test_choice_only_one_other_per_poll():
    poll = PollFactory(choices=["A", "Sonstiges"])
    with pytest.raises(IntegrityError):
        ChoiceFactory(poll=poll, text="Anderes", is_other=True)


def test_poll_legacy_id_is_unique():
    PollFactory(legacy_id=7)
    with pytest.raises(IntegrityError):
        PollFactory(legacy_id=7)


def test_poll_urls():
    poll = PollFactory(slug="umfrage")
    assert poll.get_absolute_url() == "/polls/umfrage/"
    assert poll.get_results_url() == "/polls/umfrage/results/"
    assert str(poll) == poll.question
