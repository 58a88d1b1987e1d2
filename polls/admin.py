"""Admin for editors: polls with sortable choices, totals, results chart, actions and CSV export."""

from __future__ import annotations

import csv

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.adminlists import ScaledAdminMixin
from polls.models import Choice, Poll, Vote
from polls.results import poll_results, results_for
from polls.services import poll_close, poll_open, poll_reset


class PollStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("upcoming", _("Not yet open")), ("closed", _("Closed"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.open()
        if self.value() == "upcoming":
            return queryset.upcoming()
        if self.value() == "closed":
            return queryset.closed()
        return queryset


class ChoiceInline(admin.TabularInline):
    model = Choice
    fields = ["position", "text", "is_other"]
    extra = 0
    min_num = 2
    ordering = ["position", "pk"]
    classes = ["poll-choices-sortable"]

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj else 3


def _csv_response(filename: str) -> tuple[HttpResponse, csv.writer]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # lets spreadsheet programs detect UTF-8
    return response, csv.writer(response)


def _cell(value) -> str:
    """Neutralise spreadsheet formulas in text readers typed."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@admin.register(Poll)
class PollAdmin(ScaledAdminMixin, admin.ModelAdmin):
    list_display = [
        "question",
        "state_badge",
        "opens_at",
        "closes_at",
        "total_votes",
        "total_voters",
        "legacy_id",
    ]
    list_filter = [PollStateFilter, "results_policy", "protection", "is_multiple_choice"]
    search_fields = ["question", "slug", "description"]
    raw_id_fields = ["held_for"]

    def get_urls(self):
        from django.http import JsonResponse
        from django.urls import path

        from polls import editor

        def desk(view, *perms):
            def wrapped(request):
                if not all(request.user.has_perm(p) for p in perms):
                    return JsonResponse({"error": _("You may not do this.")}, status=403)
                return view(request)

            return self.admin_site.admin_view(wrapped)

        return [
            path("desk/search/", desk(editor.search, "polls.view_poll"), name="polls_desk_search"),
            path("desk/create/", desk(editor.create, "polls.add_poll"), name="polls_desk_create"),
            *super().get_urls(),
        ]

    prepopulated_fields = {"slug": ["question"]}
    date_hierarchy = "opens_at"
    inlines = [ChoiceInline]
    readonly_fields = ["results_chart", "other_answers", "embed_code", "created_at"]
    actions = ["open_polls", "close_polls", "reset_votes", "export_results", "export_votes"]
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["question", "slug", "description", "embed_code"]}),
        (_("Time"), {"fields": ["opens_at", "closes_at"]}),
        (_("Answers"), {"fields": ["is_multiple_choice", "max_choices", "is_random_order"]}),
        (_("Results"), {"fields": ["results_policy", "show_counts", "results_chart", "other_answers"]}),
        (
            _("Protection"),
            {"fields": ["protection", "ip_window", "ip_allowlist", "requires_captcha"]},
        ),
        (_("Import"), {"fields": ["legacy_id", "created_at"], "classes": ["collapse"]}),
    ]

    class Media:
        css = {"all": ["blog/admin.css", "polls/admin.css"]}
        js = ["polls/admin-choices.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_totals()

    @admin.display(description=_("state"))
    def state_badge(self, obj):
        if obj.is_open():
            label, css = _("open"), "live"
        elif obj.is_upcoming():
            label, css = _("not yet open"), "scheduled"
        else:
            label, css = _("closed"), "draft"
        return format_html('<span class="bw-badge bw-badge-{}">{}</span>', css, label)

    @admin.display(description=_("votes"), ordering="total_votes")
    def total_votes(self, obj):
        return obj.total_votes

    @admin.display(description=_("voters"), ordering="total_voters")
    def total_voters(self, obj):
        return obj.total_voters

    @admin.display(description=_("embed in a post"))
    def embed_code(self, obj):
        if not obj.pk:
            return _("Save the poll to get its shortcode.")
        return format_html("<code>[poll {}]</code>", obj.slug)

    @admin.display(description=_("results"))
    def results_chart(self, obj):
        if not obj.pk:
            return "–"
        results = poll_results(obj)
        if not results.choices:
            return _("No choices yet.")
        rows = format_html_join(
            "",
            '<div class="poll-chart-row"><span class="poll-chart-label">{}</span>'
            '<span class="poll-chart-track"><span class="poll-chart-bar" style="width: {}%"></span></span>'
            '<span class="poll-chart-value">{} % ({})</span></div>',
            ((c.text, c.percent, c.percent, c.votes) for c in results.choices),
        )
        total = ngettext("%(count)d vote in total", "%(count)d votes in total", results.total_votes) % {
            "count": results.total_votes
        }
        return format_html('<div class="poll-chart">{}<p class="poll-chart-total">{}</p></div>', rows, total)

    @admin.display(description=_('own answers ("other")'))
    def other_answers(self, obj):
        if not obj.pk:
            return "–"
        texts = list(
            Vote.objects.filter(ballot__poll=obj, choice__is_other=True)
            .exclude(other_text="")
            .order_by("-ballot__created_at")
            .values_list("other_text", flat=True)[:100]
        )
        if not texts:
            return "–"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((t,) for t in texts)))

    @admin.action(description=_("Open the selected polls now"), permissions=["change"])
    def open_polls(self, request, queryset):
        now = timezone.now()
        for poll in queryset:
            poll_open(poll=poll, now=now)
        self.message_user(request, _("The selected polls accept votes now."), messages.SUCCESS)

    @admin.action(description=_("Close the selected polls now"), permissions=["change"])
    def close_polls(self, request, queryset):
        now = timezone.now()
        for poll in queryset:
            poll_close(poll=poll, now=now)
        self.message_user(request, _("The selected polls are closed."), messages.SUCCESS)

    def has_reset_votes_permission(self, request, obj=None) -> bool:
        """Deleting readers' votes cannot be undone: a permission of its own."""
        return request.user.has_perm(f"{self.opts.app_label}.reset_poll_votes")

    def has_export_votes_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.export_poll_votes")

    @admin.action(description=_("Reset the votes of the selected polls…"), permissions=["reset_votes"])
    def reset_votes(self, request, queryset):
        if request.POST.get("confirm") == "yes":
            removed = sum(poll_reset(poll=poll) for poll in queryset)
            self.message_user(
                request,
                ngettext("%(count)d vote was deleted.", "%(count)d votes were deleted.", removed)
                % {"count": removed},
                messages.SUCCESS,
            )
            return None
        polls = list(queryset)
        totals = results_for(polls)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reset votes?"),
            "opts": self.model._meta,
            "polls": [(poll, totals[poll.pk].total_votes) for poll in polls],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "queryset": queryset,
        }
        return TemplateResponse(request, "polls/admin/reset_confirmation.html", context)

    @admin.action(description=_("Export the results as CSV"), permissions=["view"])
    def export_results(self, request, queryset):
        response, writer = _csv_response(f"poll-results-{timezone.now():%Y%m%d-%H%M}.csv")
        writer.writerow(["poll", "slug", "choice", "votes", "percent"])
        for result in results_for(queryset.order_by("pk")).values():
            for choice in result.choices:
                writer.writerow(
                    [
                        _cell(result.poll.question),
                        result.poll.slug,
                        _cell(choice.text),
                        choice.votes,
                        choice.percent,
                    ]
                )
        return response

    @admin.action(description=_("Export the anonymous votes as CSV"), permissions=["export_votes"])
    def export_votes(self, request, queryset):
        response, writer = _csv_response(f"poll-votes-{timezone.now():%Y%m%d-%H%M}.csv")
        writer.writerow(["poll", "time", "choice", "other_text"])
        rows = (
            Vote.objects.filter(ballot__poll__in=queryset)
            .order_by("ballot__poll_id", "ballot__created_at", "pk")
            .values_list("ballot__poll__slug", "ballot__created_at", "choice__text", "other_text")
        )
        for slug, created, choice, other in rows.iterator(chunk_size=2000):
            writer.writerow([slug, timezone.localtime(created).isoformat(), _cell(choice), _cell(other)])
        return response
