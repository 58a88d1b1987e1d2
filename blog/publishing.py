"""Publishing decisions (pure) and the bulk publish service."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from blog.images import images_missing_alt
from blog.models import Post


def publish_blocker(post: Post, *, now: datetime.datetime) -> str | None:
    """Why ``post`` cannot go live now, or None. Already live posts are not blocked."""
    if images_missing_alt(post.body):
        return _("an image has no alternative text")
    if not post.title.strip():
        return _("the title is empty")
    return None


@dataclass
class PublishResult:
    published: list[Post] = field(default_factory=list)
    already_live: list[Post] = field(default_factory=list)
    blocked: list[tuple[Post, str]] = field(default_factory=list)


def posts_publish(*, posts, now: datetime.datetime) -> PublishResult:
    """Make drafts and scheduled posts live now; live posts stay as they are.

    A scheduled post's time becomes ``now``; a draft keeps an earlier publication time it
    had (it was live before) and gets ``now`` otherwise.
    """
    result = PublishResult()
    with transaction.atomic():
        for post in posts:
            if post.is_published():
                result.already_live.append(post)
                continue
            reason = publish_blocker(post, now=now)
            if reason:
                result.blocked.append((post, reason))
                continue
            if post.published_at is None or post.published_at > now:
                post.published_at = now
            post.status = Post.Status.PUBLISHED
            post.save(update_fields=["status", "published_at", "modified_at"])
            result.published.append(post)
    return result
