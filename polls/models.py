"""Polls, their choices, and the votes readers cast (one ballot per voter, one row per choice)."""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def open_q(now=None, prefix: str = "") -> Q:
    """The "accepts votes" rule as a Q object: opened and not yet closed."""
    now = now or timezone.now()
    return Q(**{f"{prefix}opens_at__lte": now}) & (
        Q(**{f"{prefix}closes_at__isnull": True}) | Q(**{f"{prefix}closes_at__gt": now})
    )


class PollQuerySet(models.QuerySet):
    def open(self, now=None):
        """Polls that accept votes right now."""
        return self.filter(open_q(now))

    def closed(self, now=None):
        return self.filter(closes_at__lte=now or timezone.now())

    def upcoming(self, now=None):
        return self.filter(opens_at__gt=now or timezone.now())

    def public(self):
        """Polls readers may see: not held back for a post that is not live yet."""
        from blog.models import published_q

        return self.filter(Q(is_held=False) | published_q("held_for__"))

    def started(self, now=None):
        """Polls readers may find in the list: open or already closed."""
        return self.filter(opens_at__lte=now or timezone.now())

    def with_totals(self):
        """Annotate ``total_votes`` (vote rows) and ``total_voters`` (ballots).

        Counted per listed poll from the indexes (votes by choice, ballots by poll), so a
        page of polls costs the same with 100 votes or 100,000; a join and ``GROUP BY`` of
        every ballot with its votes would read them all on every request.
        """

        def per_poll(queryset, poll_field):
            counted = queryset.filter(**{poll_field: OuterRef("pk")}).order_by().values(poll_field)
            return Coalesce(Subquery(counted.annotate(n=Count("*")).values("n")), 0)

        return self.annotate(
            total_votes=per_poll(Vote.objects.all(), "choice__poll"),
            total_voters=per_poll(Ballot.objects.all(), "poll"),
        )


def parse_networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Networks from a text with one address or CIDR network per line; raises ValueError."""
    networks = []
    for line in (text or "").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            networks.append(ipaddress.ip_network(line, strict=False))
    return networks


class Poll(models.Model):
    class ResultsPolicy(models.TextChoices):
        ALWAYS = "always", _("Always")
        AFTER_VOTE = "after_vote", _("After the reader has voted")
        AFTER_CLOSE = "after_close", _("After the poll has closed")
        STAFF = "staff", _("Only to staff")

    class Protection(models.TextChoices):
        NONE = "none", _("None: every submission counts")
        BROWSER = "browser", _("Once per browser (cookie)")
        BROWSER_AND_IP = "browser_ip", _("Once per browser and once per IP address within a time window")

    question = models.CharField(_("question"), max_length=250)
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        help_text=_("Embed the poll in a post with [poll this-slug]."),
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("Optional, shown under the question.")
    )
    opens_at = models.DateTimeField(_("opens at"), default=timezone.now)
    closes_at = models.DateTimeField(
        _("closes at"), null=True, blank=True, help_text=_("Leave empty to keep the poll open.")
    )
    is_multiple_choice = models.BooleanField(
        _("multiple answers"), default=False, help_text=_("Readers may tick several choices.")
    )
    max_choices = models.PositiveSmallIntegerField(
        _("maximum answers"),
        null=True,
        blank=True,
        help_text=_("For multiple answers: how many a reader may tick at most. Empty: no limit."),
    )
    is_random_order = models.BooleanField(
        _("random order"),
        default=False,
        help_text=_('Shuffle the choices for every reader; an "other" choice stays last.'),
    )
    results_policy = models.CharField(
        _("show results"), max_length=20, choices=ResultsPolicy.choices, default=ResultsPolicy.ALWAYS
    )
    show_counts = models.BooleanField(
        _("show absolute numbers"),
        default=True,
        help_text=_("Off: readers see percentages only; staff always see the numbers."),
    )
    protection = models.CharField(
        _("vote protection"), max_length=20, choices=Protection.choices, default=Protection.BROWSER
    )
    ip_window = models.DurationField(
        _("IP time window"),
        default=timedelta(hours=24),
        help_text=_("For protection by IP address: one vote per address within this time (e.g. 24:00:00)."),
    )
    ip_allowlist = models.TextField(
        _("networks exempt from the IP rule"),
        blank=True,
        help_text=_(
            "One address or network per line, e.g. 192.0.2.0/24 for a school or an office where many "
            "readers share one address. Browsers there still vote once each."
        ),
    )
    requires_captcha = models.BooleanField(
        _("captcha"), default=False, help_text=_("Ask readers to solve a captcha.")
    )
    legacy_id = models.PositiveIntegerField(
        _("legacy poll number"),
        null=True,
        blank=True,
        unique=True,
        help_text=_("The number N in [polldaddy poll=N] of imported WordPress posts."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    held_for = models.ForeignKey(
        "blog.Post",
        verbose_name=_("made for post"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Readers see the poll only once this post is published."),
    )
    is_held = models.BooleanField(
        _("held back for its post"),
        default=False,
        help_text=_("Made in the editor for a post that is not live yet: hidden from readers until it is."),
    )

    objects = PollQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        # Beyond "change": deleting readers' votes cannot be undone, and the vote rows hold
        # what readers typed into "other". Editors get the export (migration 0004); the reset
        # is for superusers and whoever they give it to.
        permissions = [
            ("reset_poll_votes", _("Can reset the votes of polls")),
            ("export_poll_votes", _("Can export the anonymous votes of polls")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="polls_poll_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(max_choices__isnull=True) | Q(max_choices__gte=1),
                name="polls_poll_max_choices_positive",
            ),
        ]

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        return reverse("polls:detail", kwargs={"slug": self.slug})

    def get_results_url(self):
        return reverse("polls:results", kwargs={"slug": self.slug})

    def clean(self):
        errors = {}
        if self.closes_at and self.opens_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("The poll must close after it opens.")
        if self.max_choices and not self.is_multiple_choice:
            errors["max_choices"] = _("A maximum only applies to polls with multiple answers.")
        try:
            parse_networks(self.ip_allowlist)
        except ValueError as exc:
            errors["ip_allowlist"] = _("Not an address or network: %(error)s") % {"error": exc}
        if errors:
            raise ValidationError(errors)

    def is_public(self) -> bool:
        return not self.is_held or (self.held_for_id is not None and self.held_for.is_published())

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now and (self.closes_at is None or self.closes_at > now)

    def is_closed(self, now=None) -> bool:
        return self.closes_at is not None and self.closes_at <= (now or timezone.now())

    def is_upcoming(self, now=None) -> bool:
        return self.opens_at > (now or timezone.now())

    def allowlisted_networks(self):
        try:
            return parse_networks(self.ip_allowlist)
        except ValueError:  # validated in clean(); an old bad value must not break voting
            return []


class Choice(models.Model):
    poll = models.ForeignKey(Poll, verbose_name=_("poll"), on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("text"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_other = models.BooleanField(
        _('"other" with free text'),
        default=False,
        help_text=_('e.g. "Sonstiges": readers may type their own answer; only staff see the texts.'),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        constraints = [
            models.UniqueConstraint(
                fields=["poll"], condition=Q(is_other=True), name="polls_choice_one_other_per_poll"
            ),
        ]

    def __str__(self):
        return self.text


class Ballot(models.Model):
    """One reader's vote in one poll; protected ballots are unique per (poll, voter)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    voter = models.CharField(max_length=64, help_text="The browser's random voter token.")
    ip_hash = models.CharField(max_length=64, blank=True, help_text="Keyed hash, never the address.")
    is_protected = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "voter"], condition=Q(is_protected=True), name="polls_ballot_once_per_voter"
            ),
        ]
        indexes = [
            models.Index(fields=["poll", "voter"], name="polls_ballot_voter_idx"),
            models.Index(fields=["poll", "ip_hash", "created_at"], name="polls_ballot_ip_idx"),
        ]

    def __str__(self):
        return f"{self.poll_id}/{self.pk}"


class Vote(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="votes")
    # RESTRICT: a choice with votes cannot be deleted alone, but with its poll it can.
    choice = models.ForeignKey(Choice, on_delete=models.RESTRICT, related_name="votes")
    other_text = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "choice"], name="polls_vote_once_per_choice"),
        ]

    def __str__(self):
        return f"{self.ballot_id}: {self.choice_id}"
