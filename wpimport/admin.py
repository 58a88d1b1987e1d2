"""Read-only lists of what imports brought over, for editors checking old links."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core import invalidation
from core.adminlists import ScaledAdminMixin
from wpimport.models import LegacyItem, PageComment


@admin.register(LegacyItem)
class LegacyItemAdmin(ScaledAdminMixin, admin.ModelAdmin):
    list_display = ["wp_id", "kind", "title", "old_path", "site", "imported_at"]
    list_filter = ["kind", "site"]
    search_fields = ["title", "old_path", "url", "=wp_id"]
    list_select_related = ["post", "page"]
    readonly_fields = [f.name for f in LegacyItem._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PageComment)
class PageCommentAdmin(ScaledAdminMixin, admin.ModelAdmin):
    """Comments imported on pages: shown under the page when approved; moderators decide."""

    list_display = ["author_name", "page", "status", "created_at"]
    list_filter = ["status", "site"]
    search_fields = ["author_name", "body_html"]
    list_select_related = ["page"]
    readonly_fields = [f.name for f in PageComment._meta.fields if f.name != "status"]
    actions = ["approve", "mark_spam"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Approve (show under the page)"), permissions=["change"])
    def approve(self, request, queryset):
        self._set_status(queryset, PageComment.Status.APPROVED)

    @admin.action(description=_("Mark as spam (hide)"), permissions=["change"])
    def mark_spam(self, request, queryset):
        self._set_status(queryset, PageComment.Status.SPAM)

    def _set_status(self, queryset, status):
        queryset.update(status=status)
        invalidation.site_changed()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        invalidation.site_changed()
