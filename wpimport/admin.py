"""Read-only lists of what imports brought over, for editors checking old links."""

from django.contrib import admin

from core.adminlists import ScaledAdminMixin
from wpimport.models import LegacyItem


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
