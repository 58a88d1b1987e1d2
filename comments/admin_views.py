"""The moderation desk: the comment queue as moderators work it, inside the Django admin.

Tabs with live counts, rich rows (author and their history, post, the comment answered,
the full text, reasons and spam score) and one-click actions per row. Everything works as
plain HTML forms; ``static/comments/moderation.js`` makes the same requests with ``fetch``
and swaps the row in place, and adds the keyboard shortcuts. Every action calls the same
services as the one-click links in the moderators' mail (``comments/services.py``).

The page runs a fixed number of queries however many rows it shows: the counts are one
aggregate, the rows one query (post and parent joined, open reports as a subquery), the
authors' history one grouped query.
"""

from __future__ import annotations

import contextlib
import ipaddress
from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, Paginator
from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from comments import bans, services, spamfilter
from comments.desk_render import Kit, render_row, render_rows
from comments.models import Ban, Comment, CommentReport, ModerationSettings, SpamModel, SpamToken
from comments.moderation import describe
from comments.sanitize import ALLOWED_TAGS_HINT

Status = Comment.Status
PER_PAGE = 50
UNCERTAIN = 0.95  # spam below this probability is worth a second look
POST_CHOICES = 40
POST_WINDOW = 2000  # the newest comments of a tab the post filter's choices come from
UNDO_KEY = "comments_undo"
UNDO_DEPTH = 20

TABS = [
    (Status.PENDING, gettext_lazy("Pending")),
    (Status.APPROVED, gettext_lazy("Approved")),
    (Status.SPAM, gettext_lazy("Spam")),
    (Status.TRASH, gettext_lazy("Trash")),
    ("reported", gettext_lazy("Reported")),
    ("all", gettext_lazy("All")),
]
TAB_VALUES = {value for value, _label in TABS}

# verb → (service call, label, shortcut key); the label says what the button does.
VERBS = {
    "approve": (gettext_lazy("Approve"), "a"),
    "unapprove": (gettext_lazy("Unapprove"), ""),
    "spam": (gettext_lazy("Spam"), "s"),
    "notspam": (gettext_lazy("Not spam"), ""),
    "trash": (gettext_lazy("Trash"), "d"),
    "restore": (gettext_lazy("Restore"), ""),
}
VERBS_FOR = {
    Status.PENDING: ["approve", "spam", "trash"],
    Status.APPROVED: ["unapprove", "spam", "trash"],
    Status.SPAM: ["notspam", "approve", "trash"],
    Status.TRASH: ["restore", "approve", "spam"],
}
DONE_MESSAGES = {
    "approve": lambda n: ngettext("%(count)d comment approved.", "%(count)d comments approved.", n),
    "unapprove": lambda n: ngettext("%(count)d comment unapproved.", "%(count)d comments unapproved.", n),
    "spam": lambda n: ngettext("%(count)d comment marked as spam.", "%(count)d comments marked as spam.", n),
    "notspam": lambda n: ngettext("%(count)d comment is not spam.", "%(count)d comments are not spam.", n),
    "trash": lambda n: ngettext(
        "%(count)d comment moved to the trash.", "%(count)d comments moved to the trash.", n
    ),
    "restore": lambda n: ngettext("%(count)d comment restored.", "%(count)d comments restored.", n),
}


# --- the query: pure parsing of hostile input, then querysets --------------------------------


@dataclass(frozen=True)
class DeskQuery:
    status: str
    q: str = ""
    post: int | None = None
    author: str = ""
    ip: str = ""
    page: int = 1

    @property
    def filtered(self) -> bool:
        return bool(self.q or self.post or self.author or self.ip)

    def params(self, **changes) -> dict:
        values = {"status": self.status, "q": self.q, "post": self.post, "author": self.author, "ip": self.ip}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None)}

    def url(self, **changes) -> str:
        return "?" + urlencode(self.params(**changes))


def parse_query(data) -> DeskQuery:
    """Read the desk's GET parameters; anything malformed is ignored, never an error."""
    q = " ".join(str(data.get("q", "")).split())[:200]
    author = str(data.get("author", "")).strip().lower()[:254]
    ip = str(data.get("ip", "")).strip()[:64]
    try:
        ip = str(ipaddress.ip_address(ip)) if ip else ""
    except ValueError:
        ip = ""
    try:
        post = int(data.get("post", "")) or None
    except (TypeError, ValueError):
        post = None
    try:
        page = max(1, int(data.get("p", data.get("page", 1))))
    except (TypeError, ValueError):
        page = 1
    status = str(data.get("status", ""))
    if status not in TAB_VALUES:
        # A search or a filter without a tab looks in every status: nothing hides in "approved".
        status = "all" if (q or author or ip or post) else Status.PENDING
    return DeskQuery(status=status, q=q, post=post, author=author, ip=ip, page=page)


def filtered(dq: DeskQuery):
    """Every comment the search and filters match, in any status (the tabs split it)."""
    qs = Comment.objects.all()
    if dq.post:
        qs = qs.filter(post_id=dq.post)
    if dq.author:
        qs = qs.filter(author_email=dq.author)
    if dq.ip:
        qs = qs.filter(ip_address=dq.ip)
    for term in dq.q.split()[:8]:
        condition = (
            Q(author_name__icontains=term)
            | Q(author_email__icontains=term)
            | Q(author_url__icontains=term)
            | Q(body__icontains=term)
        )
        if all(c.isdigit() or c in ".:abcdef" for c in term.lower()):
            condition |= Q(ip_address__startswith=term) if _ip_prefix(term) else Q()
        qs = qs.filter(condition)
    return qs


def _ip_prefix(term: str) -> bool:
    return any(c in term for c in ".:") or term.isdigit()


def tab_counts(qs) -> dict[str, int]:
    """How many comments each tab holds, in two queries: the statuses grouped (read from the
    status index alone when nothing is searched), and the reported ones starting from the open
    reports (few), not by asking every comment."""
    counts = dict.fromkeys([*Status.values, "all", "uncertain"], 0)
    grouped = (
        qs.order_by()
        .values("status")
        .annotate(
            n=Count("pk"),
            # Spam the filter was not sure of: the false positives hide here, on top of the spam tab.
            uncertain=Count("pk", filter=Q(spam_score__lt=UNCERTAIN)),
        )
    )
    for row in grouped:
        counts[row["status"]] = row["n"]
        counts["all"] += row["n"]
        if row["status"] == Status.SPAM:
            counts["uncertain"] = row["uncertain"]
    counts["reported"] = qs.filter(pk__in=reported_ids()).count()
    return counts


def top_posts(qs) -> list[tuple[int, str, int]]:
    """(post id, title, comments) of the posts with the most comments among the newest
    ``POST_WINDOW`` in ``qs``: the post filter lists these few, and the work stays the same
    however many posts and comments the site has. Any other post is one click away on its rows.
    """
    from blog.models import Post

    newest = qs.order_by("-created_at", "-pk").values("pk")[:POST_WINDOW]
    top = list(
        Comment.objects.filter(pk__in=Subquery(newest))
        .filter(post__isnull=False)  # comments under static pages have no post to filter by
        .order_by()
        .values_list("post_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "post_id")[:POST_CHOICES]
    )
    titles = dict(Post.objects.filter(pk__in=[post_id for post_id, _n in top]).values_list("pk", "title"))
    return [(post_id, titles.get(post_id, ""), n) for post_id, n in top]


def reported_ids():
    """The comments with an open report, as a subquery the database starts from."""
    return Subquery(CommentReport.objects.filter(resolved=False).order_by().values("comment_id"))


def in_tab(qs, status: str):
    if status == "reported":
        return qs.filter(pk__in=reported_ids())
    if status in Status.values:
        return qs.filter(status=status)
    return qs


def ordered(qs, status: str):
    if status == Status.SPAM:
        # The least certain spam first: the rare real comment waits on top, not on page 40.
        return qs.order_by(F("spam_score").asc(nulls_last=True), "-created_at", "-pk")
    return qs.order_by("-created_at", "-pk")


def with_row_data(qs):
    open_reports = (
        CommentReport.objects.filter(comment=OuterRef("pk"), resolved=False)
        .values("comment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.select_related("post", "page", "parent").annotate(
        open_reports=Coalesce(Subquery(open_reports, output_field=IntegerField()), Value(0))
    )


@dataclass
class Row:
    comment: Comment
    approved_before: int
    spam_before: int
    reasons: list[str]
    verbs: list[tuple[str, str, str]]
    in_view: bool = True

    @property
    def score_percent(self) -> int | None:
        score = self.comment.spam_score
        return None if score is None else round(score * 100)


def build_rows(comments: list[Comment], *, status: str = "all") -> list[Row]:
    """Rows for the template, with each author's history in one grouped query."""
    emails = {c.author_email for c in comments if c.author_email}
    history = {
        row["author_email"]: row
        for row in Comment.objects.filter(author_email__in=emails)
        .values("author_email")
        .annotate(
            approved=Count("pk", filter=Q(status=Status.APPROVED)),
            spam=Count("pk", filter=Q(status=Status.SPAM)),
        )
    }
    rows = []
    for c in comments:
        h = history.get(c.author_email, {"approved": 0, "spam": 0})
        rows.append(
            Row(
                comment=c,
                approved_before=h["approved"] - (c.status == Status.APPROVED),
                spam_before=h["spam"] - (c.status == Status.SPAM),
                reasons=[describe(r) for r in c.reasons],
                verbs=_verbs(c),
                in_view=_in_view(c, status),
            )
        )
    return rows


def _verbs(comment: Comment) -> list[tuple[str, str, str]]:
    verbs = [(verb, str(VERBS[verb][0]), VERBS[verb][1]) for verb in VERBS_FOR.get(comment.status, [])]
    if comment.status == Status.APPROVED and getattr(comment, "open_reports", 0):
        # A reported comment that may stay: approving it again answers the reports.
        verbs.insert(0, ("approve", _("Keep it"), "a"))
    return verbs


def _in_view(comment: Comment, status: str) -> bool:
    if status == "all":
        return True
    if status == "reported":
        return bool(getattr(comment, "open_reports", 0))
    return comment.status == status


# --- views -------------------------------------------------------------------------------------


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch" or "application/json" in request.headers.get(
        "Accept", ""
    )


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def desk_url() -> str:
    return reverse("admin:comments_comment_changelist")


def desk_view(model_admin, request):
    """The moderation screen (GET); a POST with ``action`` runs a bulk action as the admin does."""
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    if request.method == "POST" and "action" in request.POST:
        selected = request.POST.getlist("_selected_action")
        if not selected:
            model_admin.message_user(
                request,
                _("Items must be selected in order to perform actions on them. No items have been changed."),
                messages.WARNING,
            )
            return HttpResponseRedirect(request.get_full_path())
        response = model_admin.response_action(request, queryset=Comment.objects.all())
        if response is not None:
            return response
        return HttpResponseRedirect(request.get_full_path())

    dq = parse_query(request.GET)
    base = filtered(dq)
    counts = tab_counts(base)
    qs = with_row_data(ordered(in_tab(base, dq.status), dq.status))
    total = counts.get(dq.status, 0)
    paginator = Paginator(qs, PER_PAGE)
    paginator.count = total  # counted in the aggregate already: one query less
    try:
        page = paginator.page(dq.page)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    rows = build_rows(list(page.object_list), status=dq.status)
    # The post filter's choices come from the tab, not from the search: a text search scans
    # every comment once (for the counts), not twice.
    post_choices = top_posts(
        in_tab(filtered(DeskQuery(status=dq.status, author=dq.author, ip=dq.ip)), dq.status)
    )
    post_title = ""
    if dq.post:
        post_title = next((r.comment.post.title for r in rows if r.comment.post_id == dq.post), "")
        if not post_title:
            from blog.models import Post

            post_title = Post.objects.filter(pk=dq.post).values_list("title", flat=True).first() or str(
                dq.post
            )
    undo = request.session.get(UNDO_KEY) or []
    can_change = model_admin.has_change_permission(request)
    can_ban = request.user.has_perm("comments.add_ban")
    kit = Kit.build(
        can_change=can_change, can_ban=can_ban, here=request.get_full_path(), tags_hint=ALLOWED_TAGS_HINT
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Comment._meta,
        "title": _("Comment moderation"),
        "dq": dq,
        "tabs": [
            {
                "value": value,
                "label": label,
                "count": counts.get(value, 0),
                "url": dq.url(status=value),
                "current": value == dq.status,
            }
            for value, label in TABS
        ],
        "counts": counts,
        "rows": rows,
        "rows_html": render_rows(rows, kit),
        "page": page,
        "paginator": paginator,
        "page_urls": {
            "previous": dq.url(p=page.previous_page_number()) if page.has_previous() else "",
            "next": dq.url(p=page.next_page_number()) if page.has_next() else "",
        },
        "post_title": post_title,
        "post_choices": post_choices,
        # A post outside the top N stays selected (it came from a row's link or the URL).
        "post_listed": any(post_id == dq.post for post_id, _title, _n in post_choices),
        "uncertain_percent": round(UNCERTAIN * 100),
        "action_choices": model_admin.get_action_choices(request),
        "can_change": can_change,
        "can_ban": can_ban,
        "undo": undo[-1] if undo else None,
        "here": request.get_full_path(),
        "tags_hint": ALLOWED_TAGS_HINT,
        "clear_url": "?" + urlencode({"status": dq.status}),
        "privacy_url": reverse("admin:comments_comment_privacy"),
        "counts_url": reverse("admin:comments_comment_counts") + dq.url(),
        "spamfilter_url": reverse("admin:comments_comment_spamfilter"),
        "bans_url": reverse("admin:comments_ban_changelist"),
        "strings": js_strings(),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "comments/admin/desk.html", context)


def js_strings() -> dict[str, str]:
    """What moderation.js says, translated here (the admin has no JavaScript catalogue)."""
    return {
        "position": _("Comment %(n)s of %(total)s, by %(name)s, %(status)s."),
        "first": _("This is the first comment."),
        "last": _("This is the last comment on this page."),
        "unavailable": _("This action is not available for this comment."),
        "selected": _("%(n)s selected"),
        "none_selected": _("Select comments first (x)."),
        "working": _("One moment …"),
        "failed": _("That did not work. Please reload the page and try again."),
        "news": _("%(n)s new comments wait."),
        "undo_hint": _("Press u to undo."),
        "page_done": _("Every comment on this page is done. Press Enter to load the next ones."),
        "reply_open": _("Reply box opened. Ctrl+Enter sends, Escape closes."),
        "edit_open": _("Edit box opened. Ctrl+Enter saves, Escape closes."),
        "Pending": str(Status.PENDING.label),
        "Approved": str(Status.APPROVED.label),
        "Spam": str(Status.SPAM.label),
        "Trash": str(Status.TRASH.label),
    }


def counts_view(model_admin, request):
    """Live counts for the tabs (polled by the desk's script)."""
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    dq = parse_query(request.GET)
    return JsonResponse(
        {"counts": tab_counts(filtered(dq)), "pending_total": Comment.objects.pending().count()}
    )


def _selected_ids(request) -> list[int]:
    ids = request.POST.getlist("id") or request.POST.getlist("_selected_action")
    out = []
    for value in ids[:500]:
        try:
            out.append(int(value))
        except (TypeError, ValueError):
            continue
    return out


def _run(verb: str, comment: Comment, *, by, base_url: str) -> None:
    if verb == "approve":
        services.comment_approve(comment=comment, by=by, base_url=base_url)
    elif verb == "unapprove":
        services.comment_hold(comment=comment, by=by)
    elif verb == "spam":
        services.comment_mark_spam(comment=comment, by=by)
    elif verb == "trash":
        services.comment_trash(comment=comment, by=by)
    elif verb in ("restore", "notspam"):
        services.comment_restore(comment=comment, by=by, base_url=base_url)
    if verb in ("approve", "spam", "trash", "notspam"):
        # A decision answers the readers' reports.
        CommentReport.objects.filter(comment=comment, resolved=False).update(resolved=True)


def _push_undo(request, entry: dict) -> None:
    stack = list(request.session.get(UNDO_KEY) or [])
    stack.append(entry)
    request.session[UNDO_KEY] = stack[-UNDO_DEPTH:]


def _row_payload(request, ids: list[int], status: str) -> dict[str, dict]:
    comments = list(with_row_data(Comment.objects.filter(pk__in=ids)))
    kit = Kit.build(
        can_change=True,
        can_ban=request.user.has_perm("comments.add_ban"),
        here=_next_url(request, desk_url()),
        tags_hint=ALLOWED_TAGS_HINT,
    )
    return {
        str(row.comment.pk): {
            "html": render_row(row, kit),
            "status": row.comment.status,
            "in_view": row.in_view,
        }
        for row in build_rows(comments, status=status)
    }


def _answer(request, *, message: str, ids: list[int], level=messages.SUCCESS, status: int = 200):
    if _wants_json(request):
        dq = parse_query(request.POST)
        view_status = str(request.POST.get("view", dq.status))
        undo = request.session.get(UNDO_KEY) or []
        return JsonResponse(
            {
                "ok": status == 200,
                "message": message,
                "rows": _row_payload(request, ids, view_status) if ids else {},
                "counts": tab_counts(filtered(dq)),
                "undo": undo[-1]["label"] if undo else "",
            },
            status=status,
        )
    messages.add_message(request, level, message)
    return HttpResponseRedirect(_next_url(request, desk_url()))


def act_view(model_admin, request, verb: str):
    """Approve, unapprove, spam, not spam, trash or restore one row (``id``) or the selection."""
    if request.method != "POST":
        return HttpResponseRedirect(desk_url())
    if not model_admin.has_change_permission(request):
        raise PermissionDenied
    if verb not in VERBS:
        return _answer(request, message=_("Unknown action."), ids=[], level=messages.ERROR, status=400)
    ids = _selected_ids(request)
    if not ids:
        return _answer(
            request, message=_("No comment was selected."), ids=[], level=messages.WARNING, status=400
        )
    comments = list(Comment.objects.filter(pk__in=ids).select_related("post", "page"))
    if not comments:
        return _answer(
            request,
            message=_("The comment does not exist any more."),
            ids=[],
            level=messages.WARNING,
            status=404,
        )
    before = {str(c.pk): c.status for c in comments}
    base_url = request.build_absolute_uri("/")
    changed = 0
    for comment in comments:
        old = comment.status
        _run(verb, comment, by=request.user, base_url=base_url)
        changed += comment.status != old
    message = DONE_MESSAGES[verb](changed) % {"count": changed}
    if changed:
        _push_undo(request, {"kind": "status", "before": before, "label": message})
    return _answer(request, message=message, ids=[c.pk for c in comments])


class InlineReplyForm(forms.Form):
    body = forms.CharField(max_length=10_000, strip=True)


def _row_comment(model_admin, request):
    """The one comment a row action names, or the answer to give instead (redirect, 404)."""
    if request.method != "POST":
        return None, HttpResponseRedirect(desk_url())
    if not model_admin.has_change_permission(request):
        raise PermissionDenied
    ids = _selected_ids(request)[:1]
    comment = Comment.objects.select_related("post", "page").filter(pk__in=ids).first()
    if comment is None:
        return None, _answer(
            request,
            message=_("The comment does not exist any more."),
            ids=[],
            level=messages.WARNING,
            status=404,
        )
    return comment, None


def answer_view(model_admin, request):
    """Reply to a comment from its row: approves it if it waits, then publishes the reply."""
    parent, response = _row_comment(model_admin, request)
    if response is not None:
        return response
    body = (request.POST.get(f"reply-{parent.pk}") or request.POST.get("body") or "").strip()
    if not body:
        return _answer(
            request,
            message=_("Please write a reply first."),
            ids=[parent.pk],
            level=messages.ERROR,
            status=400,
        )
    before = parent.status
    base_url = request.build_absolute_uri("/")
    try:
        with transaction.atomic():  # no approval without the reply
            if parent.status != Status.APPROVED:
                services.comment_approve(comment=parent, by=request.user, base_url=base_url)
            reply = services.comment_reply_as_staff(
                parent=parent, user=request.user, body=body[:10_000], base_url=base_url
            )
    except services.CommentRejected as rejected:
        parent.status = before
        return _answer(request, message=rejected.message, ids=[parent.pk], level=messages.ERROR, status=400)
    message = _("Reply to %(name)s published.") % {"name": parent.author_name}
    _push_undo(
        request, {"kind": "status", "before": {str(parent.pk): before}, "reply": reply.pk, "label": message}
    )
    return _answer(request, message=message, ids=[parent.pk])


class InlineEditForm(forms.Form):
    body = forms.CharField(max_length=10_000)
    author_name = forms.CharField(max_length=100)
    author_email = forms.EmailField()
    author_url = forms.URLField(required=False)


def edit_view(model_admin, request):
    """Correct a comment's text or author from its row (sanitised again; history keeps the old text)."""
    comment, response = _row_comment(model_admin, request)
    if response is not None:
        return response
    prefix = f"edit-{comment.pk}-"
    form = InlineEditForm({k: request.POST.get(prefix + k, "") for k in InlineEditForm.base_fields})
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[k].label or k}: {' '.join(v)}" for k, v in form.errors.items())
        return _answer(
            request,
            message=_("Not saved: %(errors)s") % {"errors": errors},
            ids=[comment.pk],
            level=messages.ERROR,
            status=400,
        )
    old = {
        "body": comment.body,
        "author_name": comment.author_name,
        "author_email": comment.author_email,
        "author_url": comment.author_url,
    }
    services.comment_moderator_edit(comment=comment, by=request.user, **form.cleaned_data)
    message = _("Comment by %(name)s saved.") % {"name": comment.author_name}
    _push_undo(request, {"kind": "edit", "comment": comment.pk, "old": old, "label": message})
    return _answer(request, message=message, ids=[comment.pk])


def undo_view(model_admin, request):
    """Take back the last action of this moderator (statuses, a reply, an edit)."""
    if request.method != "POST":
        return HttpResponseRedirect(desk_url())
    if not model_admin.has_change_permission(request):
        raise PermissionDenied
    stack = list(request.session.get(UNDO_KEY) or [])
    if not stack:
        return _answer(request, message=_("Nothing to undo."), ids=[], level=messages.INFO)
    entry = stack.pop()
    request.session[UNDO_KEY] = stack
    base_url = request.build_absolute_uri("/")
    ids: list[int] = []
    if entry.get("kind") == "edit":
        comment = Comment.objects.filter(pk=entry["comment"]).first()
        if comment is not None:
            services.comment_moderator_edit(comment=comment, by=request.user, **entry["old"])
            ids.append(comment.pk)
    else:
        if entry.get("reply"):
            reply = Comment.objects.filter(pk=entry["reply"]).first()
            if reply is not None:
                services.comment_trash(comment=reply, by=request.user)
        comments = Comment.objects.filter(pk__in=[int(pk) for pk in entry.get("before", {})]).select_related(
            "post"
        )
        for comment in comments:
            previous = entry["before"].get(str(comment.pk))
            if previous in Status.values and previous != comment.status:
                services.comment_set_status(
                    comment=comment, status=previous, by=request.user, base_url=base_url
                )
            ids.append(comment.pk)
    message = _("Undone: %(action)s") % {"action": entry.get("label", "")}
    return _answer(request, message=message, ids=ids)


# --- bans ----------------------------------------------------------------------------------------


class BanForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Block"), choices=Ban.Kind.choices, widget=forms.RadioSelect)
    value = forms.CharField(label=gettext_lazy("Value"), max_length=254)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)
    trash_existing = forms.BooleanField(
        label=gettext_lazy("Also move everything they wrote to the trash"), required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") and data.get("value"):
            try:
                data["value"] = bans.normalise(data["kind"], data["value"])
            except ValidationError as error:
                self.add_error("value", error)
        return data


def ban_view(model_admin, request):
    """Block an e-mail address, an IP address, a network or a website; optionally trash their comments."""
    if not request.user.has_perm("comments.add_ban"):
        raise PermissionDenied
    initial = {"kind": request.GET.get("kind", "email"), "value": request.GET.get("value", "")[:254]}
    if initial["kind"] == "network" and initial["value"]:
        with contextlib.suppress(ValueError):
            initial["value"] = bans.network_for(initial["value"])
    form = BanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        ban, trashed = services.ban_create(
            kind=form.cleaned_data["kind"],
            value=form.cleaned_data["value"],
            note=form.cleaned_data["note"],
            by=request.user,
            trash_existing=form.cleaned_data["trash_existing"] and model_admin.has_change_permission(request),
        )
        text = _("%(ban)s is blocked.") % {"ban": ban}
        if trashed:
            text += " " + ngettext(
                "%(count)d comment moved to the trash.", "%(count)d comments moved to the trash.", trashed
            ) % {"count": trashed}
        messages.success(request, text)
        return HttpResponseRedirect(_next_url(request, desk_url()))
    covered = None
    if form.is_bound is False and initial["value"]:
        try:
            value = bans.normalise(initial["kind"], initial["value"])
            covered = bans.comments_matching(initial["kind"], value).exclude(status=Status.TRASH).count()
        except ValidationError:
            covered = None
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Comment._meta,
        "title": _("Block an author"),
        "form": form,
        "covered": covered,
        "next": _next_url(request, desk_url()),
    }
    return TemplateResponse(request, "comments/admin/ban.html", context)


# --- the spam filter ------------------------------------------------------------------------------


def spamfilter_view(model_admin, request):
    """What the spam filter learned, its strongest features; retrain or reset it."""
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    if request.method == "POST":
        if not request.user.has_perm("comments.change_spammodel"):
            raise PermissionDenied
        if "reset" in request.POST:
            spamfilter.reset()
            messages.success(request, _("The spam filter forgot everything it learned."))
        elif "retrain" in request.POST:
            if spamfilter.retrain_schedule(delay=timedelta(0)):
                messages.success(
                    request, _("The spam filter is learning again from every decision, in the background.")
                )
            else:
                messages.info(request, _("The spam filter is already learning."))
        return HttpResponseRedirect(reverse("admin:comments_comment_spamfilter"))
    state, _created = SpamModel.objects.get_or_create(id=1)

    def strongest(column: str, other: str):
        return [
            spamfilter.display(t)
            for t in SpamToken.objects.filter(**{f"{column}__gte": 3}, **{other: 0})
            .exclude(token__regex=r"^(meta|lang):")  # noqa: S106 (a field, not a password)
            .order_by(f"-{column}")
            .values_list("token", flat=True)[:25]
        ]

    ms = ModerationSettings.load()
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Comment._meta,
        "title": _("Spam filter"),
        "state": state,
        "relearning": spamfilter.retrain_waiting(),
        "ready": state.spam >= spamfilter.MIN_EXAMPLES and state.ham >= spamfilter.MIN_EXAMPLES,
        "min_examples": spamfilter.MIN_EXAMPLES,
        "features": SpamToken.objects.count(),
        "spam_words": strongest("spam", "ham"),
        "ham_words": strongest("ham", "spam"),
        "settings": ms,
        "settings_url": reverse("admin:comments_moderationsettings_change", args=[1]),
        "can_change": request.user.has_perm("comments.change_spammodel"),
    }
    return TemplateResponse(request, "comments/admin/spamfilter.html", context)
