"""Poll boxes: rendered for posts (``[poll slug]``, ``[polldaddy poll=N]``) and poll pages alike."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from django.conf import settings
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.html import format_html

from polls.conf import polls_settings
from polls.forms import VoteForm
from polls.models import Poll
from polls.policies import can_vote, counts_visible, results_visible
from polls.results import results_for
from polls.voters import ReaderState, reader_state

try:  # the page cache may not be part of every deployment of blog
    from core.pagecache import depend_on
except ImportError:  # pragma: no cover

    def depend_on(request, kind, pk):
        return None


_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,120}$")


def render_poll_boxes(
    polls: Sequence[Poll],
    request,
    *,
    states: dict[int, ReaderState] | None = None,
    forms: dict[int, VoteForm] | None = None,
    messages: dict[int, str] | None = None,
    id_prefix: str = "",
    next_url: str | None = None,
) -> dict[int, str]:
    """HTML of each poll's box for this reader (vote form or results); one query for all counts."""
    results = results_for(polls)
    if next_url is None:
        next_url = request.get_full_path() if request is not None else ""
    boxes = {}
    for poll in polls:
        depend_on(request, "poll", poll.pk)
        state = (states or {}).get(poll.pk) or reader_state(request, poll)
        poll_results = results[poll.pk]
        form = (forms or {}).get(poll.pk)
        if form is None and can_vote(poll, has_voted=state.has_voted):
            choices = list(poll_results.choices)
            if poll.is_random_order:
                regular = [c for c in choices if not c.is_other]
                random.shuffle(regular)
                choices = regular + [c for c in choices if c.is_other]
            form = VoteForm(poll=poll, choices=choices, id_prefix=id_prefix, initial={"next": next_url})
        visible = results_visible(poll, has_voted=state.has_voted, is_staff=state.is_staff)
        context = {
            "poll": poll,
            "form": form,
            "results": poll_results if visible else None,
            "show_counts": counts_visible(poll, is_staff=state.is_staff),
            "has_voted": state.has_voted,
            "own_choices": state.own_choices,
            "message": (messages or {}).get(poll.pk, ""),
            "refresh_seconds": polls_settings.LIVE_REFRESH_SECONDS if poll.is_open() else 0,
            "id_prefix": id_prefix,
        }
        boxes[poll.pk] = render_to_string("polls/_poll.html", context, request=request)
    return boxes


def _feed_links(polls: Sequence[Poll | None]) -> list[str | None]:
    """Feeds have no reader: a plain link to each poll's page instead of a form."""
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return [
        format_html(
            '<p class="poll-link"><a href="{}{}">{}</a></p>', base, poll.get_absolute_url(), poll.question
        )
        if poll
        else None
        for poll in polls
    ]


def _render(found: list[Poll | None], request) -> list[str | None]:
    if request is None:
        return _feed_links(found)
    unique = list({poll.pk: poll for poll in found if poll is not None}.values())
    boxes = render_poll_boxes(unique, request)
    script = format_html('<script src="{}" defer></script>', static("polls/polls.js"))
    # One script tag per batch; the script itself runs its set-up only once per page.
    out, added = [], False
    for poll in found:
        if poll is None:
            out.append(None)
            continue
        out.append(boxes[poll.pk] + ("" if added else script))
        added = True
    return out


def render_poll_shortcodes(shortcodes, request) -> list[str | None]:
    """``[poll slug]``: every occurrence on the page in one query; unknown slugs render None."""
    slugs = [sc.first for sc in shortcodes]
    polls = Poll.objects.in_bulk([s for s in slugs if _SLUG.match(s)], field_name="slug")
    return _render([polls.get(slug) for slug in slugs], request)


def _legacy_number(shortcode) -> int | None:
    value = shortcode.kwargs.get("poll") or shortcode.kwargs.get("id") or shortcode.first
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 10 else None


def render_polldaddy_shortcodes(shortcodes, request) -> list[str | None]:
    """``[polldaddy poll=N]`` from imported WordPress posts: the poll with that legacy number."""
    numbers = [_legacy_number(sc) for sc in shortcodes]
    polls = Poll.objects.in_bulk([n for n in numbers if n is not None], field_name="legacy_id")
    return _render([polls.get(n) if n is not None else None for n in numbers], request)
