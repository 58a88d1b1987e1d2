"""The moderators' admin: the moderation desk as the change list, actions through the services, history, bans."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comments import admin_views, bans, services
from comments.forms import PrivacyForm, StaffReplyForm
from comments.models import Ban, Comment, CommentEvent, CommentReport, ModerationSettings, Subscription
from comments.moderation import describe
from comments.sanitize import ALLOWED_TAGS_HINT
from core.adminlists import ScaledAdminMixin

Status = Comment.Status

# The admin index shows how many comments wait (see templates/comments/admin/index.html).
admin.site.index_template = "comments/admin/index.html"


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


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    form = CommentAdminForm
    # The change list is the moderation desk (comments/admin_views.py, changelist_view below):
    # it has its own tabs, search, filters and rows, and runs these bulk actions.
    actions = ["approve", "hold", "mark_spam", "trash", "restore"]
    readonly_fields = [
        "post",
        "page",
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
                    "page",
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
        if obj.pk is None:
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
        """Run ``service`` on each selected comment; ``message(n)`` words the result."""
        done = 0
        comments = list(queryset.select_related("post", "page"))
        for comment in comments:
            before = comment.status
            service(comment=comment, by=request.user)
            done += comment.status != before
        if resolve_reports:  # a decision was made: the readers' reports are answered
            CommentReport.objects.filter(comment__in=[c.pk for c in comments]).update(resolved=True)
        self.message_user(request, message(done) % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Approve selected comments"), permissions=["change"])
    def approve(self, request, queryset):
        base = request.build_absolute_uri("/")
        self._bulk(
            request,
            queryset,
            lambda **kw: services.comment_approve(base_url=base, **kw),
            lambda n: ngettext("%(count)d comment approved.", "%(count)d comments approved.", n),
            resolve_reports=True,
        )

    @admin.action(description=_("Hold selected comments for moderation"), permissions=["change"])
    def hold(self, request, queryset):
        self._bulk(
            request,
            queryset,
            services.comment_hold,
            lambda n: ngettext("%(count)d comment held.", "%(count)d comments held.", n),
        )

    @admin.action(description=_("Mark selected comments as spam"), permissions=["change"])
    def mark_spam(self, request, queryset):
        self._bulk(
            request,
            queryset,
            services.comment_mark_spam,
            lambda n: ngettext("%(count)d comment marked as spam.", "%(count)d comments marked as spam.", n),
            resolve_reports=True,
        )

    @admin.action(description=_("Move selected comments to the trash"), permissions=["change"])
    def trash(self, request, queryset):
        self._bulk(
            request,
            queryset,
            services.comment_trash,
            lambda n: ngettext(
                "%(count)d comment moved to the trash.", "%(count)d comments moved to the trash.", n
            ),
            resolve_reports=True,
        )

    @admin.action(description=_("Restore selected comments from spam or trash"), permissions=["change"])
    def restore(self, request, queryset):
        base = request.build_absolute_uri("/")
        self._bulk(
            request,
            queryset,
            lambda **kw: services.comment_restore(base_url=base, **kw),
            lambda n: ngettext("%(count)d comment restored.", "%(count)d comments restored.", n),
        )

    # --- extra pages: reply from the admin, privacy requests --------------------------------
    def get_urls(self):
        def desk(view):
            def wrapped(request, *args, **kwargs):
                return view(self, request, *args, **kwargs)

            return self.admin_site.admin_view(wrapped)

        extra = [
            path("counts/", desk(admin_views.counts_view), name="comments_comment_counts"),
            path("act/<str:verb>/", desk(admin_views.act_view), name="comments_comment_act"),
            path("answer/", desk(admin_views.answer_view), name="comments_comment_answer"),
            path("quick-edit/", desk(admin_views.edit_view), name="comments_comment_quick_edit"),
            path("undo/", desk(admin_views.undo_view), name="comments_comment_undo"),
            path("ban/", desk(admin_views.ban_view), name="comments_comment_ban"),
            path("spamfilter/", desk(admin_views.spamfilter_view), name="comments_comment_spamfilter"),
            path("privacy/", self.admin_site.admin_view(self.privacy_view), name="comments_comment_privacy"),
            path(
                "<int:pk>/reply/",
                self.admin_site.admin_view(self.reply_view),
                name="comments_comment_reply",
            ),
        ]
        return extra + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        """The moderation desk replaces the stock change list (same URL, same parameters)."""
        return admin_views.desk_view(self, request)

    def reply_view(self, request, pk):
        parent = get_object_or_404(Comment.objects.select_related("post", "page"), pk=pk)
        if not self.has_change_permission(request, parent):
            raise PermissionDenied
        form = StaffReplyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            base_url = request.build_absolute_uri("/")
            before = parent.status
            try:
                with transaction.atomic():  # answering a waiting comment publishes it, or neither
                    if parent.status != Status.APPROVED:
                        services.comment_approve(comment=parent, by=request.user, base_url=base_url)
                    reply = services.comment_reply_as_staff(
                        parent=parent, user=request.user, body=form.cleaned_data["body"], base_url=base_url
                    )
            except services.CommentRejected as rejected:
                parent.status = before
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
            "tags_hint": ALLOWED_TAGS_HINT,
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


class ModerationSettingsForm(forms.ModelForm):
    class Meta:
        model = ModerationSettings
        fields = [
            "approval",
            "max_links",
            "moderation_keywords",
            "blocked_keywords",
            "close_after_days",
            "max_depth",
            "notify_moderators",
            "spam_filter_enabled",
            "spam_hold_percent",
            "spam_percent",
            "spam_purge_days",
        ]

    def clean(self):
        data = super().clean()
        hold, spam = data.get("spam_hold_percent"), data.get("spam_percent")
        for name in ("spam_hold_percent", "spam_percent"):
            if data.get(name) is not None and data[name] > 100:
                self.add_error(name, _("A probability is at most 100 %."))
        if hold is not None and spam is not None and hold > spam:
            self.add_error("spam_hold_percent", _("Holding must start at or below the spam threshold."))
        return data


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(admin.ModelAdmin):
    fieldsets = [
        (_("Approval"), {"fields": ["approval", "max_links"]}),
        (_("Keywords"), {"fields": ["moderation_keywords", "blocked_keywords"]}),
        (_("Discussion"), {"fields": ["close_after_days", "max_depth", "notify_moderators"]}),
        (
            _("Learning spam filter"),
            {"fields": ["spam_filter_enabled", "spam_hold_percent", "spam_percent", "spam_purge_days"]},
        ),
    ]
    form = ModerationSettingsForm

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        ModerationSettings.objects.get_or_create(id=1)  # the defaults, stored when first edited
        return HttpResponseRedirect(reverse("admin:comments_moderationsettings_change", args=[1]))


@admin.register(Subscription)
class SubscriptionAdmin(ScaledAdminMixin, admin.ModelAdmin):
    list_display = ["email", "post", "created_at", "confirmed_at"]
    list_filter = [("confirmed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["post"]
    search_fields = ["email"]
    readonly_fields = ["post", "email", "comment", "created_at", "confirmation_sent_at", "confirmed_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Ban)
class BanAdmin(ScaledAdminMixin, admin.ModelAdmin):
    """Blocked e-mail addresses, IP addresses, networks and websites; new ones from the desk."""

    list_display = ["value", "kind", "note", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["value", "note"]
    list_select_related = ["created_by"]
    fields = ["kind", "value", "note"]

    def add_view(self, request, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:comments_comment_ban"))

    def save_model(self, request, obj, form, change):
        obj.value = bans.normalise(obj.kind, obj.value)
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        bans.forget()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        bans.forget()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        bans.forget()
