"""Comments under posts, their moderation history, reports, reply subscriptions, settings."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comments.conf import comments_settings
from core.invalidation import fragment_key


class ModerationSettings(models.Model):
    """The one record of moderation rules, edited by staff in the admin."""

    class Approval(models.TextChoices):
        ALL = "all", _("Every comment needs approval")
        FIRST_TIME = "first_time", _("Only first-time authors need approval")
        NONE = "none", _("No approval needed")

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    approval = models.CharField(
        _("approval"),
        max_length=20,
        choices=Approval.choices,
        default=Approval.FIRST_TIME,
        help_text=_("An e-mail address with an approved comment counts as known."),
    )
    max_links = models.PositiveSmallIntegerField(
        _("hold when more links than"),
        default=2,
        help_text=_("Comments with more links than this wait for approval."),
    )
    moderation_keywords = models.TextField(
        _("moderation keywords"),
        blank=True,
        help_text=_(
            "One word or phrase per line. A comment containing one (in name, e-mail, website, "
            "text, IP address or browser) waits for approval."
        ),
    )
    blocked_keywords = models.TextField(
        _("blocked keywords"),
        blank=True,
        help_text=_("One word or phrase per line. A comment containing one goes straight to spam."),
    )
    close_after_days = models.PositiveIntegerField(
        _("close comments after days"),
        default=0,
        help_text=_("Posts older than this take no new comments. 0 keeps them open."),
    )
    max_depth = models.PositiveSmallIntegerField(
        _("threading depth"),
        default=comments_settings.MAX_DEPTH,
        help_text=_("Levels of nested replies; 1 turns threading off."),
    )
    notify_moderators = models.BooleanField(_("e-mail moderators when comments wait"), default=True)
    spam_filter_enabled = models.BooleanField(
        _("learning spam filter"),
        default=True,
        help_text=_(
            "Scores every new comment by what moderators on this site approved and marked as spam. "
            "It starts to judge after a few decisions of each kind."
        ),
    )
    spam_hold_percent = models.PositiveSmallIntegerField(
        _("hold from spam probability (%)"),
        default=50,
        help_text=_("Comments the filter rates at least this likely to be spam wait for approval."),
    )
    spam_percent = models.PositiveSmallIntegerField(
        _("spam from spam probability (%)"),
        default=60,
        help_text=_("Comments the filter rates at least this likely to be spam go straight to spam."),
    )
    spam_purge_days = models.PositiveIntegerField(
        _("delete spam after days"),
        default=30,
        help_text=_("Spam older than this is deleted for good. 0 keeps it."),
    )

    class Meta:
        verbose_name = _("moderation settings")
        verbose_name_plural = _("moderation settings")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="comments_settings_singleton"),
            models.CheckConstraint(condition=Q(max_depth__gte=1), name="comments_settings_depth_min"),
            models.CheckConstraint(
                condition=Q(spam_hold_percent__lte=100, spam_percent__lte=100),
                name="comments_settings_spam_percent_max",
            ),
        ]

    def __str__(self):
        return str(_("Moderation settings"))

    def save(self, *args, **kwargs):
        self.id = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> ModerationSettings:
        """The current settings, cached until they change; the defaults until first saved.

        Reading never writes: a page view must not create the record."""
        key = fragment_key("comments-settings", site=True)
        obj = cache.get(key)
        if obj is None:
            obj = cls.objects.filter(id=1).first() or cls(id=1)
            cache.set(key, obj, 60 * 60)
        return obj

    @staticmethod
    def keyword_list(text: str) -> list[str]:
        return [line.strip() for line in (text or "").splitlines() if line.strip()]


class CommentQuerySet(models.QuerySet):
    def approved(self):
        """What every reader may see."""
        return self.filter(approved_q())

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)

    def spam(self):
        return self.filter(status=Comment.Status.SPAM)

    def on_published_posts(self):
        from blog.models import published_q

        return self.filter(published_q("post__"))

    def on_public_targets(self):
        """Comments under published posts and under published pages."""
        from blog.models import published_q

        return self.filter(published_q("post__") | Q(post__isnull=True, page__is_published=True))

    def for_thread(self, post_id: int | None = None, own_ids=(), *, page_id: int | None = None):
        """The thread of a post (or a page) as the reader sees it: approved, plus their own pending ones."""
        condition = approved_q()
        if own_ids:
            condition |= Q(status=Comment.Status.PENDING, pk__in=list(own_ids))
        where = {"page_id": page_id} if page_id is not None else {"post_id": post_id}
        return self.filter(condition, **where).order_by("created_at", "pk")


def approved_q(prefix: str = "") -> Q:
    """The visibility rule as a Q object, for ``Count(filter=…)``."""
    return Q(**{f"{prefix}status": Comment.Status.APPROVED})


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        SPAM = "spam", _("Spam")
        TRASH = "trash", _("Trash")

    # A comment stands under exactly one post or one page (a check constraint says so).
    post = models.ForeignKey(
        "blog.Post",
        verbose_name=_("post"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comments",
    )
    page = models.ForeignKey(
        "blog.Page",
        verbose_name=_("page"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comments",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reply to"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
    )
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    author_name = models.CharField(_("name"), max_length=comments_settings.MAX_NAME_LENGTH)
    author_email = models.EmailField(_("e-mail"), db_index=True)
    author_url = models.URLField(_("website"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Set when a member of staff wrote the comment."),
    )
    body = models.TextField(_("text"))
    body_html = models.TextField(editable=False, default="")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    reasons = models.JSONField(_("moderation reasons"), default=list, blank=True, editable=False)
    # Duplicate detection as a database fact: one live comment per post, author and text.
    fingerprint = models.CharField(max_length=64, blank=True, default="", editable=False)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True, editable=False)
    # Notification bookkeeping: moderators told it waits; readers told it appeared (once).
    moderators_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    announced_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The learning spam filter: its probability when the comment arrived (0–1), and what this
    # comment currently teaches it ("" nothing, "spam" or "ham"), so a changed mind unlearns.
    spam_score = models.FloatField(_("spam probability"), null=True, blank=True, editable=False)
    trained_as = models.CharField(max_length=4, blank=True, default="", editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(fields=["post", "status", "created_at"], name="comment_thread_idx"),
            models.Index(fields=["page", "status", "created_at"], name="comment_page_thread_idx"),
            models.Index(fields=["status", "spam_score"], name="comment_status_score_idx"),
            # The moderation desk's tabs: newest first within a status, at any size.
            models.Index(fields=["status", "created_at", "id"], name="comment_status_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True, depth=0) | Q(parent__isnull=False, depth__gt=0),
                name="comment_depth_matches_parent",
            ),
            models.UniqueConstraint(
                fields=["post", "fingerprint"],
                condition=Q(status__in=["pending", "approved"]) & ~Q(fingerprint=""),
                name="comment_no_live_duplicates",
            ),
            models.UniqueConstraint(
                fields=["page", "fingerprint"],
                condition=Q(status__in=["pending", "approved"]) & ~Q(fingerprint=""),
                name="comment_no_live_duplicates_on_pages",
            ),
            models.CheckConstraint(
                condition=Q(post__isnull=False, page__isnull=True) | Q(post__isnull=True, page__isnull=False),
                name="comment_on_post_or_page",
            ),
            models.CheckConstraint(
                condition=Q(trained_as__in=["", "spam", "ham"]), name="comment_trained_as_valid"
            ),
        ]

    def __str__(self):
        return f"{self.author_name}: {self.excerpt(60)}"

    def get_absolute_url(self):
        return reverse("comments:permalink", kwargs={"pk": self.pk})

    def clean(self):
        if bool(self.post_id) == bool(self.page_id):
            raise ValidationError(_("A comment belongs to either a post or a page."))
        if self.parent_id and (self.parent.post_id, self.parent.page_id) != (self.post_id, self.page_id):
            raise ValidationError({"parent": _("The reply must be on the same post.")})

    @property
    def target(self):
        """The post or the page this comment stands under."""
        return self.post if self.post_id else self.page

    @property
    def target_title(self) -> str:
        target = self.target
        return target.title if target is not None else ""

    def excerpt(self, length: int = 80) -> str:
        text = " ".join((self.body or "").split())
        return text if len(text) <= length else text[: length - 1] + "…"

    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"


class CommentEvent(models.Model):
    """One line of a comment's history: what happened, who did it, and why."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        HELD = "held", _("held for moderation")
        SPAM = "spam", _("marked as spam")
        TRASHED = "trashed", _("moved to trash")
        RESTORED = "restored", _("restored")
        EDITED = "edited", _("edited")
        WITHDRAWN = "withdrawn", _("withdrawn by the author")
        REPORTED = "reported", _("reported by a reader")
        IMPORTED = "imported", _("imported")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    status = models.CharField(_("status afterwards"), max_length=10, choices=Comment.Status.choices)
    previous_status = models.CharField(
        _("status before"), max_length=10, choices=Comment.Status.choices, blank=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")

    def __str__(self):
        return f"{self.get_action_display()} ({self.created_at:%Y-%m-%d %H:%M})"


class CommentReport(models.Model):
    """A reader told the moderators that a comment is a problem."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    reporter_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    resolved = models.BooleanField(_("resolved"), default=False)
    moderators_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter_hash"], name="comment_report_once")
        ]

    def __str__(self):
        return self.reason or str(_("(no reason given)"))


class Subscription(models.Model):
    """Someone asked for an e-mail when their comments on a post get replies (double opt-in)."""

    post = models.ForeignKey("blog.Post", on_delete=models.CASCADE, related_name="comment_subscriptions")
    email = models.EmailField(_("e-mail"))
    comment = models.ForeignKey(
        Comment,
        verbose_name=_("requested with"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("reply subscription")
        verbose_name_plural = _("reply subscriptions")
        constraints = [models.UniqueConstraint(fields=["post", "email"], name="comment_subscription_once")]

    def __str__(self):
        return f"{self.email} → {self.post_id}"


class MailOptOut(models.Model):
    """An address that asked not to get a kind of notification again."""

    class Kind(models.TextChoices):
        MODERATION = "moderation", _("comments waiting for moderation")

    email = models.EmailField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("e-mail opt-out")
        verbose_name_plural = _("e-mail opt-outs")
        constraints = [models.UniqueConstraint(fields=["email", "kind"], name="comment_mail_optout_once")]

    def __str__(self):
        return f"{self.email} ({self.kind})"


class Ban(models.Model):
    """An e-mail address, an IP address or a network whose comments are refused."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("e-mail address")
        IP = "ip", _("IP address")
        NETWORK = "network", _("network")
        URL = "url", _("website")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.CharField(
        _("value"),
        max_length=254,
        help_text=_(
            "An e-mail address (or @domain), an IP address, a network such as 203.0.113.0/24, or a host name."
        ),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ban")
        verbose_name_plural = _("bans")
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="comment_ban_once")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"


class SpamToken(models.Model):
    """How many spam and good comments a feature (word, host, domain …) appeared in."""

    token = models.CharField(max_length=100, unique=True)
    spam = models.PositiveIntegerField(default=0)
    ham = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("spam filter feature")
        verbose_name_plural = _("spam filter features")

    def __str__(self):
        return self.token


class SpamModel(models.Model):
    """The one record of the spam filter's totals: how many decisions it learned from."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    spam = models.PositiveIntegerField(default=0)
    ham = models.PositiveIntegerField(default=0)
    trained_at = models.DateTimeField(null=True, blank=True)
    retrain_started_at = models.DateTimeField(null=True, blank=True)
    # Platt scaling fitted by the last retrain: probability = sigmoid(scale × log-odds + shift).
    calibration_scale = models.FloatField(default=0.2)
    calibration_shift = models.FloatField(default=-2.0)

    class Meta:
        verbose_name = _("spam filter")
        verbose_name_plural = _("spam filter")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="comments_spam_model_singleton")]

    def __str__(self):
        return str(_("Spam filter"))


class ModerationLinkUse(models.Model):
    """A one-click moderation link from an e-mail that has been used: each works once.

    Only a hash of the signed link is kept. Rows older than the links' maximum age are
    pointless (the signature has expired by then) and are removed when a link is used.
    """

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(_("action"), max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    used_at = models.DateTimeField(_("used"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("used moderation link")
        verbose_name_plural = _("used moderation links")

    def __str__(self):
        return f"{self.action} {self.comment_id} ({self.used_at:%Y-%m-%d %H:%M})"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
