"""Posts, static pages, categories, tags, author profiles and images."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_permission_codename
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from blog import rendering
from blog.images import make_renditions, validate_image_file


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("blog:category", kwargs={"slug": self.slug})

    def clean(self):
        seen, node = {self.pk}, self.parent
        while node is not None:
            if node.pk in seen:
                raise ValidationError({"parent": _("A category cannot be its own ancestor.")})
            seen.add(node.pk)
            node = node.parent

    def ancestors(self) -> list[Category]:
        """Parents from the root down, for breadcrumbs."""
        chain, node = [], self.parent
        while node is not None and len(chain) < 20:
            chain.insert(0, node)
            node = node.parent
        return chain


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("blog:tag", kwargs={"slug": self.slug})


class AuthorProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="author_profile",
    )
    display_name = models.CharField(_("display name"), max_length=150)
    byline = models.CharField(
        _("byline"),
        max_length=200,
        blank=True,
        help_text=_('Shown under each post after the name, e.g. "Akademieleitung Social Media".'),
    )
    bio = models.TextField(_("short biography"), blank=True)
    notify_on_comments = models.BooleanField(_("e-mail me about new comments on my posts"), default=True)

    class Meta:
        verbose_name = _("author profile")
        verbose_name_plural = _("author profiles")

    def __str__(self):
        return self.display_name


def author_name(user) -> str:
    """The name readers see for a user: profile display name, full name or username."""
    profile = getattr(user, "author_profile", None)
    try:
        if profile and profile.display_name:
            return profile.display_name
    except AuthorProfile.DoesNotExist:  # pragma: no cover - reverse one-to-one miss
        pass
    return user.get_full_name() or user.get_username()


def image_upload_to(instance, filename):
    return f"images/{timezone.now():%Y/%m}/{filename}"


class Image(models.Model):
    """An uploaded picture with its credit line and responsive renditions made once."""

    file = models.ImageField(
        _("file"),
        upload_to=image_upload_to,
        width_field="width",
        height_field="height",
        validators=[validate_image_file],
    )
    width = models.PositiveIntegerField(_("width"), editable=False, default=0)
    height = models.PositiveIntegerField(_("height"), editable=False, default=0)
    alt_text = models.CharField(
        _("alternative text"),
        max_length=250,
        help_text=_("Describe the picture for readers who cannot see it."),
    )
    credit_name = models.CharField(
        _("source"), max_length=150, blank=True, help_text=_('Shown as "Quelle: …", e.g. flickr.')
    )
    credit_url = models.URLField(_("source link"), blank=True)
    renditions = models.JSONField(default=dict, editable=False)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self):
        return self.alt_text or self.file.name

    def save(self, *args, **kwargs):
        new_file = self._state.adding or self.renditions.get("source") != self.file.name
        super().save(*args, **kwargs)
        if new_file and self.file:
            self.renditions = make_renditions(self.file)
            super().save(update_fields=["renditions"])

    def _srcset(self, kind: str) -> str:
        storage = self.file.storage
        return ", ".join(f"{storage.url(path)} {width}w" for width, path in self.renditions.get(kind, []))

    @property
    def srcset_webp(self) -> str:
        return self._srcset("webp")

    @property
    def srcset_fallback(self) -> str:
        return self._srcset("fallback")

    @property
    def fallback_url(self) -> str:
        items = self.renditions.get("fallback") or []
        return self.file.storage.url(items[-1][1]) if items else self.file.url


def sees_unpublished(user, model) -> bool:
    """Whether ``user`` may see drafts and scheduled items of ``model`` (``Post`` or ``Page``).

    Only those who may edit them: editors and superusers. Other staff, such as moderators,
    see exactly what readers see.
    """
    if user is None or not user.is_active or not user.is_staff:
        return False
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}")


class PostQuerySet(models.QuerySet):
    def published(self):
        """Posts a reader may see: published and due (a future time means scheduled)."""
        return self.filter(published_q())

    def visible_to(self, user):
        """What ``user`` may open: published posts, and drafts and scheduled ones for editors."""
        return self.all() if sees_unpublished(user, self.model) else self.published()

    def for_listing(self):
        return (
            self.published()
            .select_related("author__author_profile", "featured_image")
            .prefetch_related("categories", "tags")
        )


def next_scheduled_publication():
    """When the next scheduled post goes live (or None); cached until a post changes."""
    from django.core.cache import cache

    from core.invalidation import fragment_key

    key = fragment_key("blog-next-publication", site=True)
    cached = cache.get(key)
    if cached is not None:
        due = cached or None
    else:
        due = (
            Post.objects.filter(status=Post.Status.PUBLISHED, published_at__gt=timezone.now())
            .order_by("published_at")
            .values_list("published_at", flat=True)
            .first()
        )
        cache.set(key, due or "", 60 * 60)
    if due is not None and due <= timezone.now():
        cache.delete(key)  # it is live now; find the one after it
        return next_scheduled_publication()
    return due


def published_q(prefix: str = "") -> Q:
    """The visibility rule as a Q object, for filters and ``Count(filter=…)``."""
    return Q(**{f"{prefix}status": Post.Status.PUBLISHED, f"{prefix}published_at__lte": timezone.now()})


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=250)
    slug = models.SlugField(
        _("slug"), max_length=250, unique=True, help_text=_("The last part of the address.")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="posts"
    )
    excerpt = models.TextField(
        _("excerpt"), blank=True, help_text=_("Teaser for listings; the first paragraph if empty.")
    )
    body = models.TextField(
        _("body"),
        help_text=_(
            "Write in the editor; images, polls and embeds come from its toolbar. A link to a "
            "video or post on a line of its own becomes an embed. Scripts are removed."
        ),
    )
    body_html = models.TextField(editable=False, default="")
    teaser_html = models.TextField(editable=False, default="")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("A time in the future schedules the post; it appears by itself then."),
    )
    updated_at = models.DateTimeField(
        _("updated"),
        null=True,
        blank=True,
        help_text=_('Set when the post was substantially revised; shown as "Aktualisiert am …".'),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified"), auto_now=True)
    comments_open = models.BooleanField(_("comments open"), default=True)
    seo_description = models.CharField(
        _("SEO description"),
        max_length=300,
        blank=True,
        help_text=_("For search engines and link previews; the excerpt if empty."),
    )
    is_sticky = models.BooleanField(
        _("sticky"), default=False, help_text=_("Sticky posts stay on top of the home page.")
    )
    categories = models.ManyToManyField(
        Category, verbose_name=_("categories"), blank=True, related_name="posts"
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="posts")
    featured_image = models.ForeignKey(
        Image,
        verbose_name=_("featured image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    share_count = models.PositiveIntegerField(_("shares"), default=0, editable=False)
    # Kept up to date by a PostgreSQL trigger (migration 0003); unused on other databases.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="post_published_has_time",
            ),
        ]
        indexes = [
            # Every listing's order (archives, categories, tags, authors, feeds): a page is a
            # walk down the index; the id breaks ties between posts of the same second.
            models.Index(fields=["status", "-published_at", "-id"], name="post_published_idx"),
            # The home page's order, sticky posts first: ``?page=500`` walks it too, no sort.
            models.Index(fields=["status", "-is_sticky", "-published_at", "-id"], name="post_listing_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        self.body_html = rendering.render_post_body(self.body)
        self.teaser_html = rendering.render_teaser(self.excerpt, self.body_html)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_html", "teaser_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        date = self.permalink_date
        return reverse(
            "blog:post_detail",
            kwargs={"year": date.year, "month": f"{date.month:02d}", "slug": self.slug},
        )

    @property
    def permalink_date(self):
        return timezone.localtime(self.published_at or self.created_at or timezone.now())

    def is_published(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    def is_visible_to(self, user) -> bool:
        return self.is_published() or sees_unpublished(user, Post)

    def is_scheduled(self) -> bool:
        return self.status == self.Status.PUBLISHED and not self.is_published()

    def get_preview_url(self):
        return reverse("blog:post_preview", kwargs={"pk": self.pk})

    @property
    def description(self) -> str:
        """Plain-text summary for meta tags, structured data and feeds; never empty: the SEO
        description, else the teaser, else the body's first sentences, else the title."""
        return (
            self.seo_description
            or rendering.plain_text(self.teaser_html, limit=300)
            or rendering.first_sentences(self.body_html, limit=300)
            or self.title
        )


class PageQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def visible_to(self, user):
        """Published pages, and unpublished ones for those who may edit pages."""
        return self.all() if sees_unpublished(user, self.model) else self.published()


RESERVED_PAGE_SLUGS = {
    "admin", "feed", "search", "suche", "category", "tag", "author", "polls", "comments",
    "static", "media", "sitemap.xml", "robots.txt", "healthz", "preview", "i18n", "captcha",
}  # fmt: skip


def validate_page_slug(value: str):
    if value in RESERVED_PAGE_SLUGS or value.isdigit():
        raise ValidationError(_("This address is used by the site itself; choose another slug."))


class Page(models.Model):
    """A static page such as Impressum or Datenschutz, linked in the footer."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, validators=[validate_page_slug])
    body = models.TextField(_("body"), help_text=_("Write in the editor. Scripts are removed."))
    body_html = models.TextField(editable=False, default="")
    is_published = models.BooleanField(_("published"), default=True)
    show_in_footer = models.BooleanField(_("link in footer"), default=True)
    footer_order = models.PositiveSmallIntegerField(_("order in footer"), default=0)
    comments_open = models.BooleanField(
        _("comments open"),
        default=False,
        help_text=_("Readers may comment on this page. Comments it already has are shown either way."),
    )
    modified_at = models.DateTimeField(_("modified"), auto_now=True)

    objects = PageQuerySet.as_manager()

    class Meta:
        ordering = ["footer_order", "title"]
        verbose_name = _("page")
        verbose_name_plural = _("pages")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body_html = rendering.render_post_body(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("blog:page", kwargs={"slug": self.slug})


class PostAutosave(models.Model):
    """The newest unsaved state of a post's form, per editor: one row, overwritten in place.

    Autosaves never publish and never create a revision; saving the form deletes the row.
    ``post`` is empty for a post that has not been saved yet.
    """

    post = models.ForeignKey(
        Post, verbose_name=_("post"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    data = models.JSONField(_("form data"), default=dict)
    saved_at = models.DateTimeField(_("saved"), default=timezone.now)

    class Meta:
        verbose_name = _("autosave")
        verbose_name_plural = _("autosaves")
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="autosave_one_per_post_and_user"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(post__isnull=True), name="autosave_one_new_post_per_user"
            ),
        ]

    def __str__(self):
        return f"{self.post or _('new post')} – {self.user}"
