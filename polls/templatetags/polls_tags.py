"""The sidebar box with the newest open poll."""

from django import template
from django.core.cache import cache
from django.utils import timezone

from core.invalidation import fragment_key
from polls.conf import polls_settings
from polls.models import Poll
from polls.voters import voted_poll_ids

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
                "pk": poll.pk,
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


@register.inclusion_tag("polls/_sidebar_poll.html", takes_context=True)
def newest_poll_box(context):
    """``{% newest_poll_box %}``: a small box linking to the newest open poll; after a vote it
    says so and links to the results (cached pages vary on the cookie that tells)."""
    poll = newest_open_poll()
    request = context.get("request")
    has_voted = bool(poll and request is not None and poll.get("pk") in voted_poll_ids(request))
    return {
        "sidebar_poll": poll,
        "has_voted": has_voted,
        "content_lang_attr": context.get("content_lang_attr", ""),
    }
