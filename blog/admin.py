"""Admin for editors: posts with history and preview, pages, taxonomy, images."""

from django.contrib import admin, messages
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from js_asset import Media as JsMedia
from reversion_compare.admin import CompareVersionAdmin

from blog import desk, search
from blog.editor import PageForm, PostForm
from blog.editor import tools as editor_tools
from blog.models import AuthorProfile, Category, Image, Page, Post, PostAutosave, Tag
from blog.publishing import posts_publish
from core import invalidation
from core.adminlists import ScaledAdminMixin, TopRelatedListFilter


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


def _desk_view(admin_site, view, *perms):
    """An admin-only JSON endpoint of the writing desk that needs ``perms``."""

    def wrapped(request, *args, **kwargs):
        if not all(request.user.has_perm(perm) for perm in perms):
            return JsonResponse({"error": _("You may not do this.")}, status=403)
        return view(request, *args, **kwargs)

    return admin_site.admin_view(wrapped)


class WritingDeskMixin:
    """Editor media with the CSP nonce for the import map, and the desk's page data."""

    def render_change_form(self, request, context, *args, **kwargs):
        # The editor's import map is an inline <script type="importmap">: it carries the
        # request's nonce, so the policy needs no 'unsafe-inline'.
        context["media"] = JsMedia.from_media(context["media"], nonce=str(request.csp_nonce))
        return super().render_change_form(request, context, *args, **kwargs)


@admin.register(Post)
class PostAdmin(ScaledAdminMixin, WritingDeskMixin, CompareVersionAdmin):
    form = PostForm
    change_form_template = "admin/blog/post/change_form.html"
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
        ("categories", TopRelatedListFilter),
        ("tags", TopRelatedListFilter),
        ("author", TopRelatedListFilter),
        "is_sticky",
        "comments_open",
    ]
    list_select_related = ["author"]
    # Titles and slugs by substring; words of the text through the search index
    # (get_search_results), which does not read every body.
    search_fields = ["title", "slug"]
    date_hierarchy = "published_at"
    readonly_fields = ["share_count", "created_at", "modified_at", "preview_link"]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "body", "excerpt"]}),
        (_("Topics"), {"fields": ["categories", "tag_names"]}),
        (_("Featured image"), {"fields": ["featured_image"]}),
        (
            _("More settings"),
            {"fields": ["author", "updated_at", "is_sticky", "comments_open", "preview_link"]},
        ),
        (_("Search engines and sharing"), {"fields": ["seo_description", "share_count"]}),
        (_("Record"), {"fields": ["created_at", "modified_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("categories")

    def get_search_results(self, request, queryset, search_term):
        by_name, duplicates = super().get_search_results(request, queryset, search_term)
        in_text = search.matching_q(search_term)
        if in_text is None:
            return by_name, duplicates
        return queryset.filter(Q(pk__in=by_name.values("pk")) | in_text), duplicates

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("author", request.user.pk)
        return initial

    def get_urls(self):
        site = self.admin_site
        change, add = "blog.change_post", "blog.add_image"
        return [
            path("desk/preview/", _desk_view(site, desk.preview, change), name="blog_desk_preview"),
            path("desk/frame/", _desk_view(site, desk.preview_frame, change), name="blog_desk_frame"),
            path("desk/images/", _desk_view(site, desk.image_list, change), name="blog_desk_images"),
            path(
                "desk/images/upload/",
                _desk_view(site, desk.image_upload, change, add),
                name="blog_desk_image_upload",
            ),
            path("desk/tags/", _desk_view(site, desk.tag_suggestions, change), name="blog_desk_tags"),
            path("desk/autosave/", _desk_view(site, desk.autosave, change), name="blog_desk_autosave"),
            path(
                "desk/autosave/discard/",
                _desk_view(site, desk.autosave_discard, change),
                name="blog_desk_autosave_discard",
            ),
            *super().get_urls(),
        ]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        post = self.get_object(request, object_id) if object_id else None
        if request.method == "GET":
            extra_context["autosave"] = desk.autosave_newer_than_post(post=post, user=request.user)
            if post is not None:
                holder = desk.lock_take(post.pk, request.user)
                extra_context["lock_message"] = desk.lock_message(holder) if holder else ""
        extra_context["desk_tools"] = [
            {"key": tool.key, "label": str(tool.label), "urls": tool.urls} for tool in editor_tools.all()
        ]
        extra_context["desk_post"] = post
        autosave = extra_context.get("autosave")
        extra_context["desk_config"] = {
            "post": post.pk if post else None,
            "urls": {
                "preview": reverse("admin:blog_desk_preview"),
                "images": reverse("admin:blog_desk_images"),
                "upload": reverse("admin:blog_desk_image_upload"),
                "tags": reverse("admin:blog_desk_tags"),
                "autosave": reverse("admin:blog_desk_autosave"),
                "discard": reverse("admin:blog_desk_autosave_discard"),
            },
            "autosave": autosave.data if autosave else None,
            "tools": extra_context["desk_tools"],
            "strings": desk.desk_strings(),
            "permalinkBase": request.build_absolute_uri("/"),
        }
        extra_context["site_time_zone"] = timezone.get_current_timezone_name()
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _stay_on_the_desk(self, request):
        # The publish panel's buttons keep the editor open, like "Save and continue editing".
        if request.POST.get("_publish") and "_continue" not in request.POST:
            request.POST = request.POST.copy()
            request.POST["_continue"] = "1"

    def response_add(self, request, obj, post_url_continue=None):
        self._stay_on_the_desk(request)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        self._stay_on_the_desk(request)
        return super().response_change(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        editor_tools.post_saved(post=form.instance, data=request.POST)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The form is saved: the autosave and the lock have done their job.
        PostAutosave.objects.filter(user=request.user, post__isnull=True).delete()
        PostAutosave.objects.filter(user=request.user, post=obj).delete()

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

    @admin.action(description=_("Publish the selected posts now"), permissions=["change"])
    def publish(self, request, queryset):
        result = posts_publish(posts=list(queryset), now=timezone.now())
        count = len(result.published)
        if count:
            self.message_user(
                request,
                ngettext("%(count)d post published.", "%(count)d posts published.", count) % {"count": count},
                messages.SUCCESS,
            )
        if result.already_live:
            live = len(result.already_live)
            self.message_user(
                request,
                ngettext(
                    "%(count)d post was already published.", "%(count)d posts were already published.", live
                )
                % {"count": live},
                messages.INFO,
            )
        for post, reason in result.blocked:
            self.message_user(
                request,
                _("“%(title)s” was not published: %(reason)s.") % {"title": post.title, "reason": reason},
                messages.WARNING,
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
        css = {"all": ["blog/admin.css", "blog/desk.css"]}
        js = ["blog/desk.js"]


@admin.register(Page)
class PageAdmin(ScaledAdminMixin, WritingDeskMixin, CompareVersionAdmin):
    form = PageForm
    list_display = [
        "title",
        "slug",
        "is_published",
        "show_in_footer",
        "footer_order",
        "comments_open",
        "modified_at",
    ]
    list_editable = ["is_published", "show_in_footer", "footer_order"]
    search_fields = ["title", "body"]

    class Media:
        css = {"all": ["blog/admin.css", "blog/desk.css"]}
        js = ["blog/slug.js"]


class PostCountMixin:
    """A "posts" column counted in the list's own query (every status, as editors see them)."""

    def get_queryset(self, request):
        # Counted per listed row from the link table's index; a join and GROUP BY would
        # read every link of every row first.
        links = Post._meta.get_field(self.post_field).remote_field.through._default_manager
        column = Post._meta.get_field(self.post_field).m2m_reverse_field_name()
        counted = links.filter(**{column: OuterRef("pk")}).order_by().values(column).annotate(n=Count("*"))
        return super().get_queryset(request).annotate(post_count=Coalesce(Subquery(counted.values("n")), 0))

    @admin.display(description=_("posts"), ordering="post_count")
    def post_count(self, obj):
        return obj.post_count


@admin.register(Category)
class CategoryAdmin(ScaledAdminMixin, PostCountMixin, admin.ModelAdmin):
    post_field = "categories"
    list_display = ["name", "slug", "parent", "post_count"]
    list_select_related = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Tag)
class TagAdmin(ScaledAdminMixin, PostCountMixin, admin.ModelAdmin):
    post_field = "tags"
    list_display = ["name", "slug", "post_count"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Image)
class ImageAdmin(ScaledAdminMixin, admin.ModelAdmin):
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
class AuthorProfileAdmin(ScaledAdminMixin, admin.ModelAdmin):
    list_display = ["display_name", "user", "byline", "notify_on_comments"]
    list_select_related = ["user"]
    search_fields = ["display_name", "user__username"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser or request.user.has_perm("auth.change_user"):
            return queryset
        return queryset.filter(user=request.user)
