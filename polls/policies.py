"""Pure decisions about polls: who sees results, which selections count, whose IP is exempt."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from polls.models import Poll


def results_visible(poll: Poll, *, has_voted: bool, is_staff: bool, now=None) -> bool:
    """Whether this reader may see the results of ``poll`` now."""
    if is_staff:
        return True
    policy = poll.results_policy
    if policy == Poll.ResultsPolicy.ALWAYS:
        return True
    if policy == Poll.ResultsPolicy.AFTER_VOTE:
        return has_voted or poll.is_closed(now or timezone.now())
    if policy == Poll.ResultsPolicy.AFTER_CLOSE:
        return poll.is_closed(now or timezone.now())
    return False


def counts_visible(poll: Poll, *, is_staff: bool) -> bool:
    """Absolute numbers, or percentages only."""
    return is_staff or poll.show_counts


def can_vote(poll: Poll, *, has_voted: bool, now=None) -> bool:
    """Whether to offer the vote form: open, and not yet voted unless every submission counts."""
    if not poll.is_open(now or timezone.now()):
        return False
    return not has_voted or poll.protection == Poll.Protection.NONE


def selection_error(poll: Poll, choice_ids: Sequence[int], valid_ids: Iterable[int]) -> str | None:
    """Why this selection of choices cannot be counted, or None when it can."""
    valid = set(valid_ids)
    if not choice_ids:
        return _("Please choose an answer.")
    if len(set(choice_ids)) != len(choice_ids) or not set(choice_ids) <= valid:
        return _("Please choose from the answers of this poll.")
    if not poll.is_multiple_choice and len(choice_ids) > 1:
        return _("Please choose only one answer.")
    if poll.is_multiple_choice and poll.max_choices and len(choice_ids) > poll.max_choices:
        return ngettext(
            "Please choose at most %(count)d answer.",
            "Please choose at most %(count)d answers.",
            poll.max_choices,
        ) % {"count": poll.max_choices}
    return None


def ip_is_exempt(ip: str, networks: Iterable) -> bool:
    """Whether ``ip`` lies in one of the allow-listed networks (shared school or office address)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address.version == net.version and address in net for net in networks)
