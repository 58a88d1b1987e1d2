"""E-mail about comments: prepared by a task after the transaction commits, sent by tasks.

- Moderators: one mail listing what waits, at most one per ``MODERATION_MAIL_INTERVAL``
  (later arrivals go into the next mail, which the worker's periodic digest sends once the
  interval is over), with signed one-click links to approve or mark as spam.
- The post's author: each newly approved comment (unless turned off in their profile).
- Reply subscribers (double opt-in): a confirmation mail once the comment is approved, then
  a mail for each approved reply to their comments on that post.
Every mail carries a signed unsubscribe link; nothing goes out for held or spam comments.

How a mail travels (``comments/tasks.py``): the change commits and queues a task
(``schedule``); the worker runs the builder below in one transaction that both records who
was told (``moderators_notified_at``, ``announced_at``, ``confirmation_sent_at``: so nobody is
told twice) and queues one ``mail_send`` task per message. Each mail's task is marked done
only after the mail server accepted it, and is retried with backoff until then.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from email.utils import make_msgid
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from blog.permissions import MODERATORS
from comments.conf import comments_settings
from comments.models import Comment, CommentReport, MailOptOut, ModerationSettings, Subscription
from comments.moderation import describe
from comments.sanitize import clean_header_value
from core.tasks import job_lock

logger = logging.getLogger(__name__)

SALT_MODERATE = "comments.moderate"
SALT_UNSUBSCRIBE = "comments.unsubscribe"
SALT_CONFIRM = "comments.confirm"


# --- signed links -------------------------------------------------------------------------
def moderation_token(comment_id: int, action: str, user_id: int) -> str:
    return signing.dumps({"c": comment_id, "a": action, "u": user_id}, salt=SALT_MODERATE, compress=True)


def read_moderation_token(token: str) -> dict:
    """Raise ``signing.BadSignature`` (or its subclass for expired links) when not valid."""
    return signing.loads(token, salt=SALT_MODERATE, max_age=comments_settings.MODERATION_LINK_MAX_AGE)


def unsubscribe_token(kind: str, value) -> str:
    """``kind`` is ``moderation`` (an e-mail), ``author`` (a user id) or ``replies`` (a subscription id)."""
    return signing.dumps({"k": kind, "v": value}, salt=SALT_UNSUBSCRIBE, compress=True)


def read_unsubscribe_token(token: str) -> dict:
    return signing.loads(token, salt=SALT_UNSUBSCRIBE)


def confirm_token(subscription_id: int) -> str:
    return signing.dumps({"s": subscription_id}, salt=SALT_CONFIRM)


def read_confirm_token(token: str) -> dict:
    return signing.loads(token, salt=SALT_CONFIRM, max_age=comments_settings.SUBSCRIPTION_CONFIRM_MAX_AGE)


def absolute(base_url: str, path: str) -> str:
    base = (getattr(settings, "SITE_URL", "") or base_url or "http://localhost:8000").rstrip("/")
    return base + path


# --- scheduling ---------------------------------------------------------------------------
BUILDERS = ("comment_submitted", "comment_approved", "moderators_digest")


def schedule(builder, *args, **kwargs) -> None:
    """After commit, queue the task that prepares the mails of ``builder``; the worker sends them."""
    if builder.__name__ not in BUILDERS:
        raise ValueError(f"{builder.__name__} is not a notification builder")
    transaction.on_commit(partial(_enqueue, builder.__name__, args, kwargs), robust=True)


def _enqueue(name: str, args: tuple, kwargs: dict) -> None:
    from comments.tasks import notices_prepare

    notices_prepare.enqueue(name, *args, **kwargs)


def notices_queue(name: str, *args, **kwargs) -> int:
    """Run a builder and queue its mails, in one transaction; return how many were queued."""
    builders = {
        "comment_submitted": comment_submitted,
        "comment_approved": comment_approved,
        "moderators_digest": moderators_digest,
    }
    if name not in builders:
        raise ValueError(f"{name} is not a notification builder")
    # Create (and cache) the settings record outside the transaction: cached while still
    # uncommitted, another process would read a record it cannot see in the database.
    ModerationSettings.load()
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        messages = builders[name](*args, **kwargs)
        messages_queue(messages)
    return len(messages)


def messages_queue(messages: list[EmailMessage]) -> None:
    """One ``mail_send`` task per message, in the caller's transaction."""
    from comments.tasks import mail_send

    for message in messages:
        mail_send.enqueue(message_to_data(message))


def message_to_data(message: EmailMessage) -> dict:
    """A message as JSON for the task queue. Its Message-ID is fixed now, so that a mail sent
    again after a worker died mid-send can be recognised as the same mail."""
    headers = dict(message.extra_headers)
    headers.setdefault("Message-ID", make_msgid(domain=str(DNS_NAME)))
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "headers": headers,
    }


def message_from_data(data: dict) -> EmailMessage:
    return EmailMessage(
        subject=data["subject"],
        body=data["body"],
        from_email=data.get("from_email") or None,
        to=data["to"],
        headers=data.get("headers") or {},
    )


def _message(*, to: str, subject: str, template: str, context: dict, unsubscribe_url: str) -> EmailMessage:
    site = getattr(settings, "SITE_NAME", "Blogwerk")
    context = {**context, "site_name": site, "unsubscribe_url": unsubscribe_url}
    body = render_to_string(template, context)
    return EmailMessage(
        # Names and titles pass through clean_header_value: no line breaks, no header injection.
        subject=clean_header_value(f"[{site}] {subject}"),
        body=body,
        to=[to],
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "Auto-Submitted": "auto-generated"},
    )


# --- moderators ---------------------------------------------------------------------------
def moderator_recipients():
    User = get_user_model()
    opted_out = MailOptOut.objects.filter(kind=MailOptOut.Kind.MODERATION).values("email")
    return (
        User.objects.filter(is_active=True, is_staff=True)
        .filter(Q(groups__name=MODERATORS) | Q(is_superuser=True))
        .exclude(email="")
        .exclude(email__in=opted_out)
        .distinct()
        .order_by("pk")
    )


def moderators_digest(*, base_url: str = "", force: bool = False) -> list[EmailMessage]:
    """One mail per moderator about comments and reports nobody was told of yet."""
    if not ModerationSettings.load().notify_moderators or not _anything_untold():
        return []  # the common case for the periodic digest: no lock, no write
    # One digest is prepared at a time, so two workers cannot both decide that the interval
    # is over, nor both claim the same comments. (The lock lasts until the caller's
    # transaction, which queues the mails, commits.)
    with job_lock("comments.moderators_digest"):
        return _moderators_digest(base_url=base_url, force=force, now=timezone.now())


def _anything_untold() -> bool:
    return (
        Comment.objects.pending().filter(moderators_notified_at__isnull=True).exists()
        or CommentReport.objects.filter(resolved=False, moderators_notified_at__isnull=True).exists()
    )


def _moderators_told_recently(now) -> bool:
    """The first arrival is mailed at once, later ones wait for the end of the interval."""
    since = now - timedelta(seconds=comments_settings.MODERATION_MAIL_INTERVAL)
    return (
        Comment.objects.filter(moderators_notified_at__gt=since).exists()
        or CommentReport.objects.filter(moderators_notified_at__gt=since).exists()
    )


def _moderators_digest(*, base_url: str, force: bool, now) -> list[EmailMessage]:
    waiting = list(
        Comment.objects.pending()
        .filter(moderators_notified_at__isnull=True)
        .select_related("post", "page")[:100]
    )
    reports = list(
        CommentReport.objects.filter(resolved=False, moderators_notified_at__isnull=True).select_related(
            "comment__post", "comment__page"
        )[:100]
    )
    if not waiting and not reports:
        return []
    if not force and _moderators_told_recently(now):
        return []  # batching: these go into the next mail, once the interval is over
    Comment.objects.filter(pk__in=[c.pk for c in waiting]).update(moderators_notified_at=now)
    CommentReport.objects.filter(pk__in=[r.pk for r in reports]).update(moderators_notified_at=now)
    queue_url = absolute(base_url, reverse("admin:comments_comment_changelist") + "?status=pending")
    messages = []
    for user in moderator_recipients():
        items = [
            {
                "comment": c,
                "reasons": [describe(r) for r in c.reasons if r.get("action") != "approve"],
                "approve_url": absolute(
                    base_url, reverse("comments:moderate", args=[moderation_token(c.pk, "approve", user.pk)])
                ),
                "spam_url": absolute(
                    base_url, reverse("comments:moderate", args=[moderation_token(c.pk, "spam", user.pk)])
                ),
                "admin_url": absolute(base_url, reverse("admin:comments_comment_change", args=[c.pk])),
            }
            for c in waiting
        ]
        messages.append(
            _message(
                to=user.email,
                subject=translation.ngettext(
                    "%(count)d comment waits for moderation",
                    "%(count)d comments wait for moderation",
                    len(waiting),
                )
                % {"count": len(waiting)}
                if waiting
                else translation.gettext("Readers reported comments"),
                template="comments/email/moderators.txt",
                context={"items": items, "reports": reports, "queue_url": queue_url},
                unsubscribe_url=absolute(
                    base_url,
                    reverse("comments:unsubscribe", args=[unsubscribe_token("moderation", user.email)]),
                ),
            )
        )
    return messages


# --- readers ------------------------------------------------------------------------------
def comment_submitted(comment_id: int, *, base_url: str = "") -> list[EmailMessage]:
    comment = Comment.objects.filter(pk=comment_id).only("status").first()
    if comment is None:
        return []
    if comment.status == Comment.Status.APPROVED:
        return comment_approved(comment_id, base_url=base_url)
    if comment.status == Comment.Status.PENDING:
        return moderators_digest(base_url=base_url)
    return []


def _thread_emails(comment: Comment) -> set[str]:
    """E-mail addresses of the comments above this one: the people it answers."""
    emails, parent_id, hops = set(), comment.parent_id, 0
    while parent_id is not None and hops < 50:
        row = Comment.objects.filter(pk=parent_id).values("parent_id", "author_email").first()
        if row is None:
            break
        emails.add(row["author_email"])
        parent_id, hops = row["parent_id"], hops + 1
    return emails


def comment_approved(comment_id: int, *, base_url: str = "") -> list[EmailMessage]:
    """Tell the post's author, reply subscribers, and ask a new subscriber to confirm — once."""
    claimed = Comment.objects.filter(
        pk=comment_id, status=Comment.Status.APPROVED, announced_at__isnull=True
    ).update(announced_at=timezone.now())
    if not claimed:
        return []
    comment = Comment.objects.select_related("post__author__author_profile").get(pk=comment_id)
    post = comment.post
    if post is None:
        # Comments under static pages: pages have no author to tell and no reply subscriptions.
        return []
    comment_url = absolute(base_url, comment.get_absolute_url())
    context = {"comment": comment, "post": post, "comment_url": comment_url}
    messages = []
    told = {comment.author_email}

    author = post.author
    profile = getattr(author, "author_profile", None)
    wants = profile.notify_on_comments if profile is not None else True
    if author.email and wants and author.email.lower() not in told and comment.user_id != author.pk:
        told.add(author.email.lower())
        messages.append(
            _message(
                to=author.email,
                subject=translation.gettext("New comment on “%(title)s”") % {"title": post.title},
                template="comments/email/author.txt",
                context=context,
                unsubscribe_url=absolute(
                    base_url, reverse("comments:unsubscribe", args=[unsubscribe_token("author", author.pk)])
                ),
            )
        )

    answered = _thread_emails(comment) - told
    if answered:
        for sub in Subscription.objects.filter(post=post, confirmed_at__isnull=False, email__in=answered):
            told.add(sub.email)
            messages.append(
                _message(
                    to=sub.email,
                    subject=translation.gettext("New reply on “%(title)s”") % {"title": post.title},
                    template="comments/email/reply.txt",
                    context=context,
                    unsubscribe_url=absolute(
                        base_url, reverse("comments:unsubscribe", args=[unsubscribe_token("replies", sub.pk)])
                    ),
                )
            )

    for sub in Subscription.objects.filter(
        comment=comment, confirmed_at__isnull=True, confirmation_sent_at__isnull=True
    ):
        Subscription.objects.filter(pk=sub.pk).update(confirmation_sent_at=timezone.now())
        messages.append(
            _message(
                to=sub.email,
                subject=translation.gettext("Please confirm: replies to your comment on “%(title)s”")
                % {"title": post.title},
                template="comments/email/confirm.txt",
                context={
                    **context,
                    "confirm_url": absolute(
                        base_url, reverse("comments:subscription_confirm", args=[confirm_token(sub.pk)])
                    ),
                },
                unsubscribe_url=absolute(
                    base_url, reverse("comments:unsubscribe", args=[unsubscribe_token("replies", sub.pk)])
                ),
            )
        )
    return messages
