"""A post's (or a page's) whole discussion from one query, built into a tree in Python and paged by thread."""

from __future__ import annotations

import datetime
import functools
import math
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import get_language, gettext

from comments.conf import comments_settings
from comments.models import Comment
from comments.sanitize import is_safe_absolute_url

# Everything the thread template shows, and nothing personal (no e-mail, no IP).
THREAD_FIELDS = (
    "id", "post_id", "parent_id", "depth", "author_name", "author_url", "user_id",
    "body_html", "status", "created_at", "edited_at",
)  # fmt: skip


@dataclass
class Thread:
    roots: list[Comment]  # every top-level thread, in display order
    by_id: dict[int, Comment]
    approved_count: int
    page_size: int
    own_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(len(self.roots) / self.page_size))

    def page(self, number) -> tuple[int, list[Comment]]:
        """The page number actually shown (out-of-range numbers clamp) and its threads."""
        try:
            number = int(number)
        except (TypeError, ValueError):
            number = 1
        number = min(max(number, 1), self.num_pages)
        start = (number - 1) * self.page_size
        return number, self.roots[start : start + self.page_size]

    def page_of(self, comment_id: int) -> int | None:
        """The page that holds a comment (its top-level thread decides)."""
        node = self.by_id.get(comment_id)
        hops = 0
        while node is not None and node.parent_id in self.by_id and hops < 1000:
            node, hops = self.by_id[node.parent_id], hops + 1
        if node is None:
            return None
        return self.roots.index(node) // self.page_size + 1


# Formatting dates is slow and a thread repeats few days and minutes: remember the strings
# per language (they depend on nothing else), across requests.
@functools.lru_cache(maxsize=4096)
def _formatted_date(language: str, day: datetime.date) -> str:
    return date_format(day, "DATE_FORMAT")


@functools.lru_cache(maxsize=4096)
def _formatted_time(language: str, hour: int, minute: int) -> str:
    return time_format(datetime.time(hour, minute), "TIME_FORMAT")


class ThreadComment:
    """A comment as the thread shows it: plain attributes, ten times cheaper than a model instance."""

    __slots__ = (
        *THREAD_FIELDS, "children", "iso_date", "said_on", "is_pending", "is_own", "can_change", "author_link",
    )  # fmt: skip

    def __init__(self, row):
        for name, value in zip(THREAD_FIELDS, row, strict=True):
            setattr(self, name, value)

    @property
    def pk(self) -> int:
        return self.id


def load_comments(post_id: int | None, own_ids=(), *, page_id: int | None = None) -> list[ThreadComment]:
    """The one query: every visible comment of the post (or the page), oldest first."""
    rows = Comment.objects.for_thread(post_id, own_ids, page_id=page_id).values_list(*THREAD_FIELDS)
    return [ThreadComment(row) for row in rows]


def build_thread(
    comments: list[Comment],
    *,
    own_ids=(),
    newest_first: bool | None = None,
    page_size: int | None = None,
    now=None,
) -> Thread:
    """Link each comment to its replies; a reply whose parent is hidden starts its own thread."""
    now = now or timezone.now()
    newest_first = comments_settings.NEWEST_FIRST if newest_first is None else newest_first
    page_size = max(1, page_size or comments_settings.PAGE_SIZE)
    own = frozenset(own_ids)
    window = comments_settings.EDIT_WINDOW_MINUTES * 60
    by_id = {c.pk: c for c in comments}
    roots: list[Comment] = []
    approved = 0
    said = gettext("said on %(date)s at %(time)s")
    language = get_language()
    links: dict = {}
    for c in comments:
        c.children = []
    for c in comments:
        local = timezone.localtime(c.created_at)
        c.iso_date = local.isoformat(timespec="seconds")
        c.said_on = said % {
            "date": _formatted_date(language, local.date()),
            "time": _formatted_time(language, local.hour, local.minute),
        }
        c.is_pending = c.status == Comment.Status.PENDING
        approved += not c.is_pending
        c.is_own = c.pk in own
        c.can_change = c.is_own and (now - c.created_at).total_seconds() <= window
        if c.author_url not in links:
            links[c.author_url] = (
                c.author_url if is_safe_absolute_url(c.author_url, {"http", "https"}) else ""
            )
        c.author_link = links[c.author_url]
        parent = by_id.get(c.parent_id) if c.parent_id else None
        if parent is None:
            roots.append(c)
        else:
            parent.children.append(c)
    if newest_first:
        roots.reverse()
    return Thread(roots=roots, by_id=by_id, approved_count=approved, page_size=page_size, own_ids=own)


def thread_for(post_id: int | None, own_ids=(), *, page_id: int | None = None) -> Thread:
    return build_thread(load_comments(post_id, own_ids, page_id=page_id), own_ids=own_ids)


def thread_of(comment: Comment, own_ids=()) -> Thread:
    """The thread that holds ``comment``: its post's or its page's."""
    if comment.post_id:
        return thread_for(comment.post_id, own_ids)
    return thread_for(None, own_ids, page_id=comment.page_id)
