"""Writes that span models: creating, moderating, editing and erasing comments.

Views, the admin, one-click e-mail links and importers all call these, so a comment is
approved (and its page cache invalidated, its readers notified) the same way everywhere.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from comments import bans, moderation, notifications, spamfilter
from comments.conf import comments_settings
from comments.models import Ban, Comment, CommentEvent, CommentReport, ModerationSettings, Subscription
from comments.sanitize import clean_body_text, clean_name, render_comment_body
from core import invalidation
from core.clients import ip_hash

Status = Comment.Status
Action = moderation.Action


class CommentRejected(Exception):
    """The pipeline refused the comment; ``message`` is worded for the visitor."""

    def __init__(self, verdict: moderation.Verdict):
        self.verdict = verdict
        super().__init__(verdict.message)

    @property
    def message(self) -> str:
        return self.verdict.message


@dataclass(frozen=True)
class Signals:
    """What the form learned about the request, beyond the fields themselves."""

    honeypot_filled: bool = False
    elapsed_seconds: float | None = None
    rate_limit_unknown: bool = False


STATUS_FOR = {
    Action.APPROVE: Status.APPROVED,
    Action.HOLD: Status.PENDING,
    Action.SPAM: Status.SPAM,
}


def rules_from_settings(ms: ModerationSettings) -> moderation.Rules:
    return moderation.Rules(
        approval=ms.approval,
        max_links=ms.max_links,
        moderation_keywords=tuple(ms.keyword_list(ms.moderation_keywords)),
        blocked_keywords=tuple(ms.keyword_list(ms.blocked_keywords)),
        min_seconds=comments_settings.MIN_SUBMIT_SECONDS,
        spam_hold_percent=ms.spam_hold_percent,
        spam_percent=ms.spam_percent,
    )


def _judge(sub: moderation.Submission, ms: ModerationSettings) -> spamfilter.Score | None:
    """The learning filter's score for a submission, when it is on and has learned enough."""
    if sub.is_staff or not ms.spam_filter_enabled:
        return None
    return spamfilter.score(spamfilter.features(body=sub.body, name=sub.name, email=sub.email, url=sub.url))


def is_banned(*, email: str = "", ip: str = "", url: str = "", body: str = "") -> bool:
    return bans.match(bans.entries(), email=email, ip=ip, url=url, body=body) is not None


def post_is_closed(post, ms: ModerationSettings | None = None, *, now=None) -> bool:
    """Closed when the editor closed it, it is not public, or it is older than the setting allows."""
    ms = ms or ModerationSettings.load()
    now = now or timezone.now()
    if not post.comments_open or not post.is_published():
        return True
    return bool(ms.close_after_days and post.published_at < now - timedelta(days=ms.close_after_days))


def opens_on_publication(post, ms: ModerationSettings | None = None, *, now=None) -> bool:
    """Whether a post that is not public yet will take comments once it is published.

    For an editor's preview: the post's own switch, and the age limit measured from its
    scheduled time (a back-dated post may already be past it)."""
    ms = ms or ModerationSettings.load()
    now = now or timezone.now()
    if not post.comments_open:
        return False
    published_at = getattr(post, "published_at", None)  # a page has no age limit
    if not ms.close_after_days or published_at is None:
        return True
    return published_at >= now - timedelta(days=ms.close_after_days)


def page_is_closed(page) -> bool:
    """A page takes comments while the editor keeps them open and the page is published."""
    return not (page.comments_open and page.is_published)


def target_is_closed(*, post=None, page=None, ms: ModerationSettings | None = None) -> bool:
    return page_is_closed(page) if page is not None else post_is_closed(post, ms)


def target_is_public(target) -> bool:
    """A published post or a published page (``Post.is_published`` is a method, ``Page``'s a field)."""
    published = target.is_published
    return bool(published() if callable(published) else published)


def thread_changed(comment: Comment) -> None:
    """The cached page showing the comment's thread is stale now: its post's or its page's."""
    if comment.post_id:
        invalidation.post_page_changed(comment.post_id)
    elif comment.page_id:
        invalidation.static_page_changed(comment.page_id)


def resolve_parent(parent: Comment | None, max_depth: int) -> Comment | None:
    """The comment a reply really attaches to: a reply to the deepest level stays on that level."""
    if parent is None or max_depth <= 1:
        return None
    while parent is not None and parent.depth > max_depth - 2:
        parent = parent.parent
    return parent


def fingerprint(email: str, body: str, context: str = "") -> str:
    normalised = " ".join(clean_body_text(body).casefold().split())
    return hashlib.sha256(f"{email.strip().lower()}\n{context}{normalised}".encode()).hexdigest()


def _log(comment: Comment, action: str, *, by=None, reasons=None, note: str = "", previous: str = "") -> None:
    CommentEvent.objects.create(
        comment=comment,
        action=action,
        status=comment.status,
        previous_status=previous,
        user=by if by is not None and by.is_authenticated else None,
        reasons=reasons or [],
        note=note,
    )


def comment_create(
    *,
    post=None,
    page=None,
    author_name: str,
    author_email: str,
    body: str,
    author_url: str = "",
    parent: Comment | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
    signals: Signals = Signals(),
    user=None,
    subscribe: bool = False,
    base_url: str = "",
) -> Comment:
    """Run the pipeline and store the comment in one transaction; raise ``CommentRejected``.

    The comment goes under ``post`` or, for a static page, under ``page`` (exactly one)."""
    if (post is None) == (page is None):
        raise ValueError("a comment needs either a post or a page")
    ms = ModerationSettings.load()
    is_staff = bool(user is not None and user.is_authenticated and user.is_staff)
    author_name = clean_name(author_name)[: comments_settings.MAX_NAME_LENGTH]
    author_email = (author_email or "").strip().lower()
    body = clean_body_text(body)
    where = {"post": post} if post is not None else {"page": page}
    if parent is not None and (parent.post_id, parent.page_id) != (
        getattr(post, "pk", None),
        getattr(page, "pk", None),
    ):
        raise ValueError("parent belongs to another post")
    parent = resolve_parent(parent, ms.max_depth)
    # A moderator may answer several readers with the same words ("Danke!"); a reader may not
    # post the same text twice.
    print_ = fingerprint(author_email, body, f"reply:{parent.pk}\n" if is_staff and parent else "")
    sub = moderation.Submission(
        name=author_name,
        email=author_email,
        url=author_url or "",
        body=body,
        ip=ip_address or "",
        user_agent=user_agent or "",
        honeypot_filled=signals.honeypot_filled,
        elapsed_seconds=signals.elapsed_seconds,
        rate_limit_unknown=signals.rate_limit_unknown,
        is_staff=is_staff,
    )
    live = [Status.PENDING, Status.APPROVED]
    judged = _judge(sub, ms)
    with transaction.atomic():
        facts = moderation.Facts(
            known_author=Comment.objects.approved().filter(author_email=author_email).exists(),
            duplicate=Comment.objects.filter(**where, fingerprint=print_, status__in=live).exists(),
            post_closed=target_is_closed(post=post, page=page, ms=ms),
            banned=not is_staff
            and is_banned(email=author_email, ip=ip_address or "", url=author_url or "", body=body),
            spam_probability=judged.probability if judged else None,
            spam_detail=judged.detail() if judged else "",
        )
        verdict = moderation.evaluate(sub, facts, rules_from_settings(ms))
        if verdict.action == Action.REJECT:
            raise CommentRejected(verdict)
        comment = Comment(
            **where,
            parent=parent,
            depth=parent.depth + 1 if parent else 0,
            author_name=author_name,
            author_email=author_email,
            author_url=author_url or "",
            body=body,
            body_html=render_comment_body(body),
            status=STATUS_FOR[verdict.action],
            reasons=verdict.reasons_as_data(),
            fingerprint=print_,
            ip_address=ip_address or None,
            user_agent=(user_agent or "")[:500],
            user=user if is_staff else None,
            spam_score=judged.probability if judged else None,
        )
        try:
            with transaction.atomic():
                comment.save()
        except IntegrityError as error:
            # A twin submission committed between our check and our insert.
            if "fingerprint" in str(error).lower() or "duplicates" in str(error).lower():
                raise CommentRejected(
                    moderation.Verdict(Action.REJECT, [moderation.Reason("duplicate", Action.REJECT)])
                ) from error
            raise
        _log(comment, CommentEvent.Action.SUBMITTED, by=user, reasons=comment.reasons)
        if subscribe and post is not None and comment.status != Status.SPAM:
            Subscription.objects.get_or_create(post=post, email=author_email, defaults={"comment": comment})
        if comment.status == Status.APPROVED:
            thread_changed(comment)
        notifications.schedule(notifications.comment_submitted, comment.pk, base_url=base_url)
    return comment


def _set_status(comment: Comment, status: str, action: str, *, by=None, note: str = "", base_url: str = ""):
    if comment.status == status:
        return comment
    previous = comment.status
    with transaction.atomic():
        comment.status = status
        try:
            with transaction.atomic():
                comment.save(update_fields=["status"])
        except IntegrityError:
            # Restoring a comment whose twin is live: keep both, drop the duplicate guard.
            comment.fingerprint = ""
            comment.save(update_fields=["status", "fingerprint"])
        _log(comment, action, by=by, note=note, previous=previous)
        if by is not None and by.is_authenticated:
            # A moderator's decision teaches the spam filter (and a changed mind unlearns) at
            # once; the worker refits its calibration a little later, once per burst.
            spamfilter.learn(comment, spamfilter.label_for(status))
            spamfilter.retrain_schedule()
        thread_changed(comment)
        if status == Status.APPROVED:
            notifications.schedule(notifications.comment_approved, comment.pk, base_url=base_url)
    return comment


def comment_approve(*, comment: Comment, by=None, base_url: str = "") -> Comment:
    """Publish a comment; readers and the post's author hear of it once."""
    return _set_status(comment, Status.APPROVED, CommentEvent.Action.APPROVED, by=by, base_url=base_url)


def comment_hold(*, comment: Comment, by=None) -> Comment:
    return _set_status(comment, Status.PENDING, CommentEvent.Action.HELD, by=by)


def comment_mark_spam(*, comment: Comment, by=None) -> Comment:
    return _set_status(comment, Status.SPAM, CommentEvent.Action.SPAM, by=by)


def comment_trash(*, comment: Comment, by=None) -> Comment:
    return _set_status(comment, Status.TRASH, CommentEvent.Action.TRASHED, by=by)


def comment_restore(*, comment: Comment, by=None, base_url: str = "") -> Comment:
    """Back to where it was before spam or trash (pending when unknown)."""
    if comment.status not in (Status.SPAM, Status.TRASH):
        return comment
    last = comment.events.filter(status=comment.status).exclude(previous_status="").order_by("-pk").first()
    target = last.previous_status if last else Status.PENDING
    if target in (Status.SPAM, Status.TRASH):
        target = Status.PENDING
    return _set_status(comment, target, CommentEvent.Action.RESTORED, by=by, base_url=base_url)


def comment_set_status(*, comment: Comment, status: str, by=None, base_url: str = "") -> Comment:
    """Dispatch a status chosen in a form to the matching service."""
    service = {
        Status.APPROVED: lambda: comment_approve(comment=comment, by=by, base_url=base_url),
        Status.PENDING: lambda: comment_hold(comment=comment, by=by),
        Status.SPAM: lambda: comment_mark_spam(comment=comment, by=by),
        Status.TRASH: lambda: comment_trash(comment=comment, by=by),
    }[status]
    return service()


def can_author_change(comment: Comment, *, now=None) -> bool:
    """Inside the grace window after writing, and still visible or waiting."""
    now = now or timezone.now()
    window = timedelta(minutes=comments_settings.EDIT_WINDOW_MINUTES)
    return comment.status in (Status.PENDING, Status.APPROVED) and now - comment.created_at <= window


def comment_edit(
    *, comment: Comment, body: str, ip_address: str | None = None, base_url: str = ""
) -> Comment:
    """The author changes their text within the grace window; the pipeline runs again."""
    ms = ModerationSettings.load()
    body = clean_body_text(body)
    print_ = fingerprint(comment.author_email, body)
    sub = moderation.Submission(
        name=comment.author_name,
        email=comment.author_email,
        url=comment.author_url,
        body=body,
        ip=ip_address or comment.ip_address or "",
        user_agent=comment.user_agent,
        is_edit=True,
    )
    judged = _judge(sub, ms)
    with transaction.atomic():
        facts = moderation.Facts(
            known_author=Comment.objects.approved()
            .filter(author_email=comment.author_email)
            .exclude(pk=comment.pk)
            .exists()
            or comment.status == Status.APPROVED,
            duplicate=Comment.objects.filter(
                post_id=comment.post_id,
                page_id=comment.page_id,
                fingerprint=print_,
                status__in=[Status.PENDING, Status.APPROVED],
            )
            .exclude(pk=comment.pk)
            .exists(),
            post_closed=False,
            spam_probability=judged.probability if judged else None,
            spam_detail=judged.detail() if judged else "",
        )
        verdict = moderation.evaluate(sub, facts, rules_from_settings(ms))
        if verdict.action == Action.REJECT:
            raise CommentRejected(verdict)
        old_status = comment.status
        spamfilter.unlearn(comment)
        comment.spam_score = judged.probability if judged else comment.spam_score
        comment.body = body
        comment.body_html = render_comment_body(body)
        comment.fingerprint = print_
        comment.status = STATUS_FOR[verdict.action]
        comment.reasons = verdict.reasons_as_data()
        comment.edited_at = timezone.now()
        comment.save(
            update_fields=["body", "body_html", "fingerprint", "status", "reasons", "edited_at", "spam_score"]
        )
        spamfilter.relearn(comment)
        _log(comment, CommentEvent.Action.EDITED, reasons=comment.reasons, previous=old_status)
        thread_changed(comment)
        if comment.status == Status.APPROVED and old_status != Status.APPROVED:
            notifications.schedule(notifications.comment_approved, comment.pk, base_url=base_url)
        elif comment.status == Status.PENDING and old_status != Status.PENDING:
            notifications.schedule(notifications.comment_submitted, comment.pk, base_url=base_url)
    return comment


def comment_moderator_edit(
    *, comment: Comment, by, body: str, author_name: str, author_email: str, author_url: str
) -> Comment:
    """A moderator corrects a comment; the body is sanitised again, the history keeps the old text."""
    old = Comment.objects.filter(pk=comment.pk).first()
    old_body = old.body if old else ""
    comment.author_name = clean_name(author_name)[: comments_settings.MAX_NAME_LENGTH]
    comment.author_email = (author_email or "").strip().lower()
    comment.author_url = author_url or ""
    comment.body = clean_body_text(body)
    comment.body_html = render_comment_body(comment.body)
    comment.edited_at = timezone.now()
    with transaction.atomic():
        if old is not None:
            spamfilter.unlearn(old)
        comment.trained_as = old.trained_as if old else comment.trained_as
        comment.save()
        spamfilter.relearn(comment)
        if old_body != comment.body:
            _log(comment, CommentEvent.Action.EDITED, by=by, note=old_body[:5000])
        thread_changed(comment)
    return comment


def comment_withdraw(*, comment: Comment) -> Comment:
    """The author takes their comment back (it goes to the trash, restorable by moderators)."""
    return _set_status(comment, Status.TRASH, CommentEvent.Action.WITHDRAWN)


def comment_reply_as_staff(*, parent: Comment, user, body: str, base_url: str = "") -> Comment:
    """A moderator answers from the admin; staff replies are approved at once."""
    from blog.models import author_name

    return comment_create(
        post=parent.post,
        page=parent.page,
        parent=parent,
        author_name=author_name(user),
        author_email=user.email or f"{user.get_username()}@invalid",
        body=body,
        user=user,
        base_url=base_url,
    )


def comment_report(*, comment: Comment, reporter_ip: str, reason: str = "", base_url: str = "") -> bool:
    """Record a reader's report once per address; False when this address reported it before."""
    reporter = ip_hash(reporter_ip or "unknown")
    with transaction.atomic():
        report, created = CommentReport.objects.get_or_create(
            comment=comment, reporter_hash=reporter, defaults={"reason": clean_body_text(reason)[:500]}
        )
        if created:
            _log(comment, CommentEvent.Action.REPORTED, note=report.reason)
            notifications.schedule(notifications.moderators_digest, base_url=base_url)
    return created


def comments_erase_ips(*, older_than_days: int) -> int:
    """Forget IP addresses and browsers of comments older than the given number of days."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    stale = Comment.objects.filter(created_at__lt=cutoff).exclude(ip_address__isnull=True, user_agent="")
    return stale.update(ip_address=None, user_agent="")


def comments_export(*, email: str) -> list[dict]:
    """Everything stored about one e-mail address's comments (GDPR access request)."""
    email = email.strip().lower()
    rows = (
        Comment.objects.filter(author_email=email).select_related("post", "page").order_by("created_at", "pk")
    )
    return [
        {
            "id": c.pk,
            "post": c.target.title,
            "post_url": c.target.get_absolute_url(),
            "created_at": c.created_at.isoformat(),
            "status": c.status,
            "name": c.author_name,
            "email": c.author_email,
            "website": c.author_url,
            "text": c.body,
            "ip_address": c.ip_address,
            "user_agent": c.user_agent,
        }
        for c in rows
    ]


def comments_erase(*, email: str, by=None) -> int:
    """Erase every comment of one e-mail address and its subscriptions (GDPR erasure request).

    Comments that others replied to keep their place in the thread, emptied of everything
    personal and moved to the trash; all others are deleted.
    """
    email = email.strip().lower()
    if not email:
        return 0
    with transaction.atomic():
        comments = Comment.objects.filter(author_email=email)
        targets = set(comments.values_list("post_id", "page_id"))
        post_ids = {post_id for post_id, _page_id in targets if post_id}
        page_ids = {page_id for _post_id, page_id in targets if page_id}
        answered_ids = _ancestors_of_others(post_ids, email, page_ids)
        count = comments.count()
        Comment.objects.filter(pk__in=answered_ids).update(
            author_name="–",
            author_email="",
            author_url="",
            body="",
            body_html="",
            fingerprint="",
            ip_address=None,
            user_agent="",
            status=Status.TRASH,
            edited_at=timezone.now(),
        )
        comments.exclude(pk__in=answered_ids).delete()
        Subscription.objects.filter(email=email).delete()
        for post_id in post_ids:
            invalidation.post_page_changed(post_id)
        for page_id in page_ids:
            invalidation.static_page_changed(page_id)
    return count


def _ancestors_of_others(post_ids, email: str, page_ids=()) -> list[int]:
    """Comments of ``email`` that have a reply by someone else somewhere beneath them."""
    rows = Comment.objects.filter(Q(post_id__in=post_ids) | Q(page_id__in=list(page_ids))).values_list(
        "pk", "parent_id", "author_email"
    )
    parent_of = {pk: parent_id for pk, parent_id, _email in rows}
    email_of = {pk: mail for pk, _parent, mail in rows}
    keep: set[int] = set()
    for pk, mail in email_of.items():
        if mail == email:
            continue
        node = parent_of.get(pk)
        while node is not None:
            if email_of.get(node) == email:
                keep.add(node)
            node = parent_of.get(node)
    return list(keep)


def subscription_confirm(*, subscription: Subscription) -> Subscription:
    if subscription.confirmed_at is None:
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["confirmed_at"])
    return subscription


def ban_create(
    *, kind: str, value: str, by=None, note: str = "", trash_existing: bool = False
) -> tuple[Ban, int]:
    """Block an author from commenting; optionally move everything they wrote to the trash.

    Returns the ban and how many comments went to the trash. ``value`` is checked and
    normalised (``bans.normalise`` raises ``ValidationError``).
    """
    value = bans.normalise(kind, value)
    trashed = 0
    with transaction.atomic():
        ban, _created = Ban.objects.get_or_create(
            kind=kind,
            value=value,
            defaults={
                "note": note[:200],
                "created_by": by if by is not None and by.is_authenticated else None,
            },
        )
        if trash_existing:
            covered = (
                bans.comments_matching(kind, value)
                .exclude(status=Status.TRASH)
                .select_related("post", "page")
            )
            for comment in covered:
                comment_trash(comment=comment, by=by)
                trashed += 1
        bans.forget()
    return ban, trashed


def comments_purge_spam(*, older_than_days: int, now=None) -> int:
    """Delete spam older than the given number of days for good; returns how many."""
    if older_than_days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=older_than_days)
    # Replies hang below their parents; keep spam that someone's live reply still points at.
    old = Comment.objects.filter(status=Status.SPAM, created_at__lt=cutoff).exclude(
        replies__status__in=[Status.PENDING, Status.APPROVED]
    )
    pks = list(old.values_list("pk", flat=True)[:10_000])
    _total, per_model = Comment.objects.filter(pk__in=pks).delete()
    return per_model.get(Comment._meta.label, 0)
