"""The sidebar box with the newest open poll."""

from django import template
from django.core.cache import cache
from django.utils import timezone

from core.invalidation import fragment_key
from polls.conf import polls_settings
from polls.models import Poll

register = template.Library()

_NONE = "none"


def newest_open_poll() -> dict | None:
    """Question and link of the newest open poll; cached until a poll (or the site) changes."""
    key = fragment_key("polls-sidebar", site=True)
    data = cache.get(key)
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
        cache.set(key, data, polls_settings.SIDEBAR_CACHE_SECONDS)
    if data == _NONE or (data["closes_at"] and data["closes_at"] <= timezone.now()):
        return None
    return data


@register.inclusion_tag("polls/_sidebar_poll.html")
def newest_poll_box():
    """``{% newest_poll_box %}``: a small box linking to the newest open poll."""
    return {"sidebar_poll": newest_open_poll()}
