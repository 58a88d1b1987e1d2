"""The moderators' admin: the pending queue first, bulk actions through the services, history."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comments import services
from comments.forms import PrivacyForm, StaffReplyForm
from comments.models import Comment, CommentEvent, CommentReport, ModerationSettings, Subscription
from comments.moderation import describe

Status = Comment.Status

# The admin index shows how many comments wait (see templates/comments/admin/index.html).
admin.site.index_template = "comments/admin/index.html"


class StatusFilter(admin.SimpleListFilter):
    """Opens on the pending queue; "All" is one click away."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*Status.choices, ("all", _("All"))]

    def value(self):
        return super().value() or Status.PENDING

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value == "all":
            return queryset
        if value in Status.values:
            return queryset.filter(status=value)
        return queryset


class ReportedFilter(admin.SimpleListFilter):
    title = _("reports")
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return [("open", _("Open reports"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(reports__resolved=False).distinct()
        return queryset


class CommentEventInline(admin.TabularInline):
    model = CommentEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "action", "status", "user", "reason_list", "note"]
    readonly_fields = fields
    verbose_name_plural = _("History")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("reasons"))
    def reason_list(self, obj):
        return ", ".join(describe(r) for r in obj.reasons) or "–"


class CommentReportInline(admin.TabularInline):
    model = CommentReport
    extra = 0
    can_delete = False
    fields = ["created_at", "reason", "resolved"]
    readonly_fields = ["created_at", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


class CommentAdminForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = ["author_name", "author_email", "author_url", "body", "status"]


BADGES = {  # background, text: readable in the admin's light and dark themes
    Status.PENDING: ("#ffe69c", "#3d2e00"),
    Status.APPROVED: ("#a3cfbb", "#0a3622"),
    Status.SPAM: ("#f1aeb5", "#58151c"),
    Status.TRASH: ("#dee2e6", "#212529"),
}
BADGE_STYLE = "background:{};color:{};padding:2px 6px;border-radius:4px;white-space:nowrap;font-weight:600"


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    form = CommentAdminForm
    change_list_template = "comments/admin/change_list.html"
    list_display = [
        "status_badge",
        "excerpt_column",
        "post",
        "reasons_column",
        "author_name",
        "author_email",
        "ip_address",
        "created_at",
        "site_link",
    ]
    list_display_links = ["excerpt_column"]
    list_filter = [StatusFilter, ReportedFilter, "post"]
    list_select_related = ["post"]
    search_fields = ["author_name", "author_email", "ip_address", "body"]
    date_hierarchy = "created_at"
    list_per_page = 50
    actions = ["approve", "hold", "mark_spam", "trash", "restore"]
    readonly_fields = [
        "post",
        "parent",
        "depth",
        "created_at",
        "edited_at",
        "ip_address",
        "user_agent",
        "reasons_column",
        "report_count",
        "site_link",
        "reply_link",
    ]
    fieldsets = [
        (None, {"fields": ["status", "body", "author_name", "author_email", "author_url"]}),
        (
            _("Context"),
            {
                "fields": [
                    "post",
                    "parent",
                    "depth",
                    "created_at",
                    "edited_at",
                    "reasons_column",
                    "report_count",
                    "site_link",
                    "reply_link",
                ]
            },
        ),
        (_("Kept for moderation only"), {"fields": ["ip_address", "user_agent"]}),
    ]
    inlines = [CommentReportInline, CommentEventInline]

    def has_add_permission(self, request):
        return False  # comments come from readers, or as replies from the change page

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.status == Status.APPROVED else None

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(open_reports=Count("reports", filter=Q(reports__resolved=False)))
        )

    # --- columns ---------------------------------------------------------------------------
    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        background, color = BADGES.get(obj.status, BADGES[Status.TRASH])
        badge = format_html(
            '<span class="comment-status comment-status-{}" style="{}">{}</span>',
            obj.status,
            BADGE_STYLE.format(background, color),
            obj.get_status_display(),
        )
        if getattr(obj, "open_reports", 0):
            badge += format_html(
                ' <span class="comment-reports" style="{}" title="{}">⚑ {}</span>',
                BADGE_STYLE.format(*BADGES[Status.SPAM]),
                _("open reports"),
                obj.open_reports,
            )
        return badge

    @admin.display(description=_("comment"))
    def excerpt_column(self, obj):
        return obj.excerpt(90)

    @admin.display(description=_("reasons"))
    def reasons_column(self, obj):
        return format_html_join(", ", "{}", ((describe(r),) for r in obj.reasons)) or "–"

    @admin.display(description=_("open reports"))
    def report_count(self, obj):
        return getattr(obj, "open_reports", 0)

    @admin.display(description=_("on the site"))
    def site_link(self, obj):
        if obj.status != Status.APPROVED:
            return "–"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', obj.get_absolute_url(), _("view")
        )

    @admin.display(description=_("reply"))
    def reply_link(self, obj):
        if obj.pk is None or obj.status != Status.APPROVED:
            return "–"
        url = reverse("admin:comments_comment_reply", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Reply as yourself"))

    # --- saving and actions go through the services -----------------------------------------
    def save_model(self, request, obj, form, change):
        old = Comment.objects.get(pk=obj.pk)
        new_status = obj.status
        obj.status = old.status
        services.comment_moderator_edit(
            comment=obj,
            by=request.user,
            body=form.cleaned_data["body"],
            author_name=form.cleaned_data["author_name"],
            author_email=form.cleaned_data["author_email"],
            author_url=form.cleaned_data["author_url"],
        )
        if new_status != old.status:
            services.comment_set_status(
                comment=obj, status=new_status, by=request.user, base_url=request.build_absolute_uri("/")
            )

    def _bulk(self, request, queryset, service, message, *, resolve_reports=False):
        done = 0
        comments = list(queryset.select_related("post"))
        for comment in comments:
            before = comment.status
            service(comment=comment, by=request.user)
            done += comment.status != before
        if resolve_reports:  # a decision was made: the readers' reports are answered
            CommentReport.objects.filter(comment__in=[c.pk for c in comments]).update(resolved=True)
        self.message_user(request, message % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Approve selected comments"), permissions=["change"])
    def approve(self, request, queryset):
        base = request.build_absolute_uri("/")
        self._bulk(
            request,
            queryset,
            lambda **kw: services.comment_approve(base_url=base, **kw),
            _("%(count)d comments approved."),
            resolve_reports=True,
        )

    @admin.action(description=_("Hold selected comments for moderation"), permissions=["change"])
    def hold(self, request, queryset):
        self._bulk(request, queryset, services.comment_hold, _("%(count)d comments held."))

    @admin.action(description=_("Mark selected comments as spam"), permissions=["change"])
    def mark_spam(self, request, queryset):
        self._bulk(
            request,
            queryset,
            services.comment_mark_spam,
            _("%(count)d comments marked as spam."),
            resolve_reports=True,
        )

    @admin.action(description=_("Move selected comments to the trash"), permissions=["change"])
    def trash(self, request, queryset):
        self._bulk(
            request,
            queryset,
            services.comment_trash,
            _("%(count)d comments moved to the trash."),
            resolve_reports=True,
        )

    @admin.action(description=_("Restore selected comments from spam or trash"), permissions=["change"])
    def restore(self, request, queryset):
        base = request.build_absolute_uri("/")
        self._bulk(
            request,
            queryset,
            lambda **kw: services.comment_restore(base_url=base, **kw),
            _("%(count)d comments restored."),
        )

    # --- extra pages: reply from the admin, privacy requests --------------------------------
    def get_urls(self):
        extra = [
            path("privacy/", self.admin_site.admin_view(self.privacy_view), name="comments_comment_privacy"),
            path(
                "<int:pk>/reply/",
                self.admin_site.admin_view(self.reply_view),
                name="comments_comment_reply",
            ),
        ]
        return extra + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "privacy_url": reverse("admin:comments_comment_privacy")}
        return super().changelist_view(request, extra_context)

    def reply_view(self, request, pk):
        parent = get_object_or_404(Comment.objects.select_related("post"), pk=pk)
        if not self.has_change_permission(request, parent):
            raise PermissionDenied
        form = StaffReplyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                reply = services.comment_reply_as_staff(
                    parent=parent,
                    user=request.user,
                    body=form.cleaned_data["body"],
                    base_url=request.build_absolute_uri("/"),
                )
            except services.CommentRejected as rejected:
                form.add_error(None, rejected.message)
            else:
                self.message_user(request, _("Your reply is published."), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:comments_comment_change", args=[reply.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Reply to %(name)s") % {"name": parent.author_name},
            "parent": parent,
            "form": form,
        }
        return TemplateResponse(request, "comments/admin/reply.html", context)

    def privacy_view(self, request):
        """Export or erase everything of one e-mail address (GDPR requests)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = PrivacyForm(request.POST or None)
        found = None
        if request.method == "POST" and form.is_valid():
            email = form.cleaned_data["email"]
            if "erase" in request.POST:
                if not self.has_delete_permission(request):
                    raise PermissionDenied
                count = services.comments_erase(email=email, by=request.user)
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d comment of %(email)s erased.",
                        "%(count)d comments of %(email)s erased.",
                        count,
                    )
                    % {"count": count, "email": email},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:comments_comment_privacy"))
            data = services.comments_export(email=email)
            if "export" in request.POST:
                response = HttpResponse(
                    json.dumps({"email": email, "comments": data}, ensure_ascii=False, indent=2),
                    content_type="application/json; charset=utf-8",
                )
                response["Content-Disposition"] = 'attachment; filename="comments-export.json"'
                return response
            found = data
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Comments of one e-mail address"),
            "form": form,
            "found": found,
            "can_erase": self.has_delete_permission(request),
        }
        return TemplateResponse(request, "comments/admin/privacy.html", context)


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(admin.ModelAdmin):
    fieldsets = [
        (_("Approval"), {"fields": ["approval", "max_links"]}),
        (_("Keywords"), {"fields": ["moderation_keywords", "blocked_keywords"]}),
        (_("Discussion"), {"fields": ["close_after_days", "max_depth", "notify_moderators"]}),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        ModerationSettings.objects.get_or_create(id=1)  # the defaults, stored when first edited
        return HttpResponseRedirect(reverse("admin:comments_moderationsettings_change", args=[1]))


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "post", "created_at", "confirmed_at"]
    list_filter = [("confirmed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["post"]
    search_fields = ["email"]
    readonly_fields = ["post", "email", "comment", "created_at", "confirmation_sent_at", "confirmed_at"]

    def has_add_permission(self, request):
        return False
