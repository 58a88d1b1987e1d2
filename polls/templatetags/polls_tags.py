"""The sidebar box with the newest open poll."""

from django import template
from django.core.cache import cache
from django.utils import timezone

from polls.conf import polls_settings
from polls.models import Poll
from polls.signals import SIDEBAR_CACHE_KEY

register = template.Library()

_NONE = "none"


def newest_open_poll() -> dict | None:
    """Question and link of the newest open poll; cached, dropped when a poll changes."""
    data = cache.get(SIDEBAR_CACHE_KEY)
    if data is None:
        poll = Poll.objects.public().open().order_by("-opens_at", "-pk").first()
        data = (
            {
                "question": poll.question,
                "url": poll.get_absolute_url(),
                "results_url": poll.get_results_url(),
                "closes_at": poll.closes_at,
            }
            if poll
            else _NONE
        )
        # Short: a scheduled poll opens by time, not by a save.
        cache.set(SIDEBAR_CACHE_KEY, data, polls_settings.SIDEBAR_CACHE_SECONDS)
    if data == _NONE or (data["closes_at"] and data["closes_at"] <= timezone.now()):
        return None
    return data


@register.inclusion_tag("polls/_sidebar_poll.html")
def newest_poll_box():
    """``{% newest_poll_box %}``: a small box linking to the newest open poll."""
    return {"sidebar_poll": newest_open_poll()}
