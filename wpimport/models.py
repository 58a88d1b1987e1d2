"""What an import remembers: which WordPress object became which of ours, and its old address."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class LegacyItemQuerySet(models.QuerySet):
    def redirectable(self):
        """Posts and pages that still exist, and attachments, newest import first."""
        return (
            self.filter(
                Q(kind=LegacyItem.Kind.POST, post__isnull=False)
                | Q(kind=LegacyItem.Kind.PAGE, page__isnull=False)
                | Q(kind=LegacyItem.Kind.ATTACHMENT)
            )
            .select_related("post", "page", "image")
            .order_by("-pk")
        )


class LegacyItem(models.Model):
    """A WordPress post, page or attachment, keyed by its export's site and WordPress id."""

    class Kind(models.TextChoices):
        POST = "post", _("post")
        PAGE = "page", _("page")
        ATTACHMENT = "attachment", _("attachment")

    site = models.CharField(_("WordPress site"), max_length=200)
    wp_id = models.PositiveBigIntegerField(_("WordPress id"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    post = models.ForeignKey(
        "blog.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="legacy_items"
    )
    page = models.ForeignKey(
        "blog.Page", null=True, blank=True, on_delete=models.CASCADE, related_name="legacy_items"
    )
    old_path = models.CharField(
        _("old path"), max_length=500, blank=True, db_index=True, help_text=_("Answered with a redirect.")
    )
    url = models.URLField(_("original address"), max_length=1000, blank=True)
    title = models.CharField(_("title"), max_length=250, blank=True)
    alt_text = models.CharField(_("alternative text"), max_length=250, blank=True)
    parent_wp_id = models.PositiveBigIntegerField(_("WordPress parent id"), null=True, blank=True)
    thumbnail_wp_id = models.PositiveBigIntegerField(_("WordPress featured image id"), null=True, blank=True)
    image = models.ForeignKey(
        "blog.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(_("last imported"), auto_now=True)

    objects = LegacyItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("imported WordPress item")
        verbose_name_plural = _("imported WordPress items")
        constraints = [
            models.UniqueConstraint(fields=["site", "wp_id"], name="wpimport_item_once_per_site"),
            models.CheckConstraint(
                condition=Q(post__isnull=True) | Q(page__isnull=True), name="wpimport_item_one_target"
            ),
        ]
        indexes = [models.Index(fields=["wp_id"], name="wpimport_item_wp_id_idx")]

    def __str__(self):
        return f"{self.site} #{self.wp_id} ({self.kind})"

    @property
    def target(self):
        return self.post or self.page


class LegacyComment(models.Model):
    """A WordPress comment, keyed by its export's site and WordPress comment id."""

    site = models.CharField(_("WordPress site"), max_length=200)
    wp_id = models.PositiveBigIntegerField(_("WordPress id"))
    comment = models.OneToOneField("comments.Comment", on_delete=models.CASCADE, related_name="legacy")

    class Meta:
        verbose_name = _("imported WordPress comment")
        verbose_name_plural = _("imported WordPress comments")
        constraints = [
            models.UniqueConstraint(fields=["site", "wp_id"], name="wpimport_comment_once_per_site")
        ]

    def __str__(self):
        return f"{self.site} comment #{self.wp_id}"


class LegacyTerm(models.Model):
    """A WordPress category, tag or author id and old slug, for ``?cat=``, ``?author=`` & Co."""

    class Taxonomy(models.TextChoices):
        CATEGORY = "category", _("category")
        TAG = "post_tag", _("tag")
        AUTHOR = "author", _("author")

    site = models.CharField(_("WordPress site"), max_length=200)
    taxonomy = models.CharField(_("kind"), max_length=20, choices=Taxonomy.choices)
    wp_id = models.PositiveBigIntegerField(_("WordPress id"))
    old_slug = models.CharField(_("old slug"), max_length=200, db_index=True)
    target = models.CharField(
        _("new slug or user name"), max_length=200, help_text=_("Where the old address now leads.")
    )

    class Meta:
        verbose_name = _("imported WordPress term")
        verbose_name_plural = _("imported WordPress terms")
        constraints = [
            models.UniqueConstraint(fields=["site", "taxonomy", "wp_id"], name="wpimport_term_once_per_site")
        ]

    def __str__(self):
        return f"{self.site} {self.taxonomy} #{self.wp_id}"
