"""Admin for editors: posts with history and preview, pages, taxonomy, images."""

from django.contrib import admin, messages
from django.db.models import Q
from django.db.models.functions import Coalesce, Now
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from reversion_compare.admin import CompareVersionAdmin

from blog.models import AuthorProfile, Category, Image, Page, Post, Tag
from core import invalidation


class PublicationStateFilter(admin.SimpleListFilter):
    title = _("publication state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("live", _("Published")),
            ("scheduled", _("Scheduled")),
            ("draft", _("Draft")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "live":
            return queryset.published()
        if self.value() == "scheduled":
            return queryset.filter(status=Post.Status.PUBLISHED, published_at__gt=now)
        if self.value() == "draft":
            return queryset.filter(status=Post.Status.DRAFT)
        return queryset


@admin.register(Post)
class PostAdmin(CompareVersionAdmin):
    list_display = [
        "title",
        "state_badge",
        "published_at",
        "updated_at",
        "author",
        "category_list",
        "is_sticky",
    ]
    list_filter = [
        PublicationStateFilter,
        "status",
        "categories",
        "tags",
        "author",
        "is_sticky",
        "comments_open",
    ]
    list_select_related = ["author"]
    search_fields = ["title", "slug", "body", "excerpt"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["categories", "tags"]
    autocomplete_fields = ["featured_image"]
    readonly_fields = ["share_count", "created_at", "modified_at", "preview_link"]
    actions = ["publish", "unpublish"]
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["title", "slug", "body", "excerpt"]}),
        (
            _("Publication"),
            {
                "fields": [
                    "status",
                    "published_at",
                    "updated_at",
                    "author",
                    "is_sticky",
                    "comments_open",
                    "preview_link",
                ]
            },
        ),
        (_("Topics"), {"fields": ["categories", "tags"]}),
        (_("Image"), {"fields": ["featured_image"]}),
        (
            _("Search engines and sharing"),
            {"fields": ["seo_description", "share_count"], "classes": ["collapse"]},
        ),
        (_("Record"), {"fields": ["created_at", "modified_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("categories")

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("author", request.user.pk)
        return initial

    @admin.display(description=_("state"), ordering="status")
    def state_badge(self, obj):
        if obj.is_published():
            label, css = _("published"), "live"
        elif obj.is_scheduled():
            label, css = _("scheduled"), "scheduled"
        else:
            label, css = _("draft"), "draft"
        return format_html('<span class="bw-badge bw-badge-{}">{}</span>', css, label)

    @admin.display(description=_("categories"))
    def category_list(self, obj):
        return ", ".join(c.name for c in obj.categories.all())

    @admin.display(description=_("preview"))
    def preview_link(self, obj):
        if not obj.pk:
            return _("Save the post to preview it.")
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', obj.get_preview_url(), _("Open the preview")
        )

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.is_published() else obj.get_preview_url()

    @admin.action(description=_("Publish the selected posts"), permissions=["change"])
    def publish(self, request, queryset):
        drafts = queryset.filter(status=Post.Status.DRAFT)
        pks = list(drafts.values_list("pk", flat=True))
        count = drafts.update(status=Post.Status.PUBLISHED, published_at=Coalesce("published_at", Now()))
        invalidation.post_changed(*pks)
        self.message_user(
            request,
            ngettext("%(count)d post published.", "%(count)d posts published.", count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish the selected posts (back to draft)"), permissions=["change"])
    def unpublish(self, request, queryset):
        live = queryset.filter(~Q(status=Post.Status.DRAFT))
        pks = list(live.values_list("pk", flat=True))
        count = live.update(status=Post.Status.DRAFT)
        invalidation.post_changed(*pks)
        self.message_user(
            request,
            ngettext("%(count)d post set to draft.", "%(count)d posts set to draft.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    class Media:
        css = {"all": ["blog/admin.css"]}


@admin.register(Page)
class PageAdmin(CompareVersionAdmin):
    list_display = ["title", "slug", "is_published", "show_in_footer", "footer_order", "modified_at"]
    list_editable = ["is_published", "show_in_footer", "footer_order"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "body"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent"]
    list_select_related = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["thumbnail", "alt_text", "credit_name", "width", "height", "uploaded_at"]
    search_fields = ["alt_text", "credit_name", "file"]
    readonly_fields = ["thumbnail", "width", "height", "rendition_list"]

    @admin.display(description=_("preview"))
    def thumbnail(self, obj):
        if not obj.pk:
            return ""
        return format_html('<img src="{}" alt="" width="120" loading="lazy">', obj.fallback_url)

    @admin.display(description=_("renditions"))
    def rendition_list(self, obj):
        rows = [
            (kind, width) for kind in ("webp", "fallback") for width, _path in obj.renditions.get(kind, [])
        ]
        return format_html_join(", ", "{} {}px", rows) or "–"


@admin.register(AuthorProfile)
class AuthorProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "byline", "notify_on_comments"]
    list_select_related = ["user"]
    search_fields = ["display_name", "user__username"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser or request.user.has_perm("auth.change_user"):
            return queryset
        return queryset.filter(user=request.user)
