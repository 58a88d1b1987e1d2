"""Writes on polls: recording a vote, opening, closing and resetting a poll."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import invalidation
from polls.conf import polls_settings
from polls.models import Ballot, Choice, Poll, Vote, parse_networks
from polls.policies import ip_is_exempt, selection_error


class VoteRefused(Exception):
    """A vote that is not counted; ``str(exc)`` is a message for the reader."""


class PollNotOpen(VoteRefused):
    pass


class AlreadyVoted(VoteRefused):
    pass


class InvalidSelection(VoteRefused):
    pass


def _changed(poll: Poll) -> None:
    invalidation.poll_changed(poll.pk)


def vote_record(
    *,
    poll: Poll,
    choices: Sequence[Choice],
    voter: str,
    ip: str,
    ip_hash: str,
    other_text: str = "",
    now=None,
) -> Ballot:
    """Count one reader's vote in one short transaction, or raise a ``VoteRefused``.

    "Once" is the unique constraint on (poll, voter); an ``IntegrityError`` becomes ``AlreadyVoted``.
    """
    now = now or timezone.now()
    if not poll.is_open(now):
        raise PollNotOpen(_("This poll does not accept votes at the moment."))
    error = selection_error(poll, [c.pk for c in choices], [c.pk for c in choices if c.poll_id == poll.pk])
    if error:
        raise InvalidSelection(error)

    protected = poll.protection != Poll.Protection.NONE
    check_ip = poll.protection == Poll.Protection.BROWSER_AND_IP and not ip_is_exempt(
        ip, [*poll.allowlisted_networks(), *parse_networks("\n".join(polls_settings.IP_ALLOWLIST))]
    )
    if not protected:
        # Every submission counts: a unique throwaway voter keeps the row shape the same.
        voter = f"{voter[:31]}:{secrets.token_hex(16)}"
    already = AlreadyVoted(_("You have already voted in this poll. Thank you!"))
    try:
        with transaction.atomic():
            if check_ip:
                # Serialise this poll's votes so two browsers behind one address cannot both pass.
                Poll.objects.select_for_update().filter(pk=poll.pk).values_list("pk").first()
                if Ballot.objects.filter(
                    poll=poll, ip_hash=ip_hash, created_at__gt=now - poll.ip_window
                ).exists():
                    raise already
            ballot = Ballot.objects.create(
                poll=poll, voter=voter, ip_hash=ip_hash, is_protected=protected, created_at=now
            )
            Vote.objects.bulk_create(
                [
                    Vote(
                        ballot=ballot,
                        choice=choice,
                        other_text=other_text.strip()[:300] if choice.is_other else "",
                    )
                    for choice in choices
                ]
            )
    except IntegrityError:
        raise already from None
    _changed(poll)
    return ballot


def poll_open(*, poll: Poll, now=None) -> None:
    """Accept votes from now on (again), keeping an opening time in the past."""
    now = now or timezone.now()
    poll.opens_at = min(poll.opens_at, now)
    if poll.closes_at is not None and poll.closes_at <= now:
        poll.closes_at = None
    poll.save(update_fields=["opens_at", "closes_at"])
    _changed(poll)


def poll_close(*, poll: Poll, now=None) -> None:
    """Stop accepting votes now; a poll that has not opened yet closes with its opening."""
    now = now or timezone.now()
    if poll.is_closed(now):
        return
    if poll.opens_at >= now:
        poll.opens_at = now - timedelta(seconds=1)
    poll.closes_at = now
    poll.save(update_fields=["opens_at", "closes_at"])
    _changed(poll)


def poll_reset(*, poll: Poll) -> int:
    """Delete every vote of ``poll``; returns how many ballots were removed."""
    with transaction.atomic():
        deleted = Ballot.objects.filter(poll=poll).count()
        Ballot.objects.filter(poll=poll).delete()  # votes go with their ballots
    _changed(poll)
    return deleted
