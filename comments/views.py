"""POST handlers and small pages around comments; the thread itself renders in the post page."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from blog.models import AuthorProfile, Page, Post
from comments import notifications, services
from comments.conf import comments_settings
from comments.forms import CommentEditForm, CommentForm, ReportForm
from comments.models import Comment, MailOptOut, ModerationLinkUse, Subscription
from comments.tree import thread_of
from core.clients import client_ip, ip_hash
from core.ratelimit import Decision, hit, too_many_requests

SESSION_KEY = "comments_mine"
OWN_LIMIT = 50


def own_comment_ids(request) -> list[int]:
    """Comments written from this browser (kept in the session, newest last).

    Without a session cookie this reads nothing from the database.
    """
    session = getattr(request, "session", None)
    if session is None:
        return []
    return [i for i in session.get(SESSION_KEY, []) if isinstance(i, int)]


def _remember_own(request, comment_id: int) -> None:
    ids = [i for i in request.session.get(SESSION_KEY, []) if isinstance(i, int)]
    ids.append(comment_id)
    request.session[SESSION_KEY] = ids[-OWN_LIMIT:]


def base_url(request) -> str:
    return request.build_absolute_uri("/")


def comment_page_url(comment: Comment, own_ids=()) -> str:
    """The post's (or page's) permalink, on the page that holds the comment, with its anchor."""
    post_url = comment.target.get_absolute_url()
    page = thread_of(comment, own_ids).page_of(comment.pk)
    query = f"?cpage={page}" if page and page > 1 else ""
    return f"{post_url}{query}#comment-{comment.pk}"


def _form_page(request, target, form, *, status=200, parent=None):
    return render(
        request,
        "comments/form_page.html",
        {"post": target, "form": form, "parent": parent},
        status=status,
    )


def _remember_cookie(response, form: CommentForm) -> None:
    name = comments_settings.REMEMBER_COOKIE
    if form.cleaned_data.get("remember"):
        value = json.dumps(
            {k: form.cleaned_data.get(k) or "" for k in ("name", "email", "url")}, ensure_ascii=False
        )
        response.set_cookie(
            name,
            quote(value, safe=""),
            max_age=comments_settings.REMEMBER_COOKIE_AGE,
            samesite="Lax",
            secure=not _debug(),
            httponly=False,  # read by comments.js to fill the form, never by the server
        )
    else:
        response.delete_cookie(name, samesite="Lax")


def _debug() -> bool:
    from django.conf import settings

    return settings.DEBUG


@require_POST
def post_comment(request, post_id: int):
    """Validate, run the pipeline through ``comment_create``, redirect to the new comment."""
    post = get_object_or_404(Post.objects.published(), pk=post_id)
    return _submit(request, post, {"post": post}, reverse("comments:post", args=[post.pk]))


@require_POST
def page_comment(request, page_id: int):
    """The same for a comment under a published static page."""
    page = get_object_or_404(Page.objects.published(), pk=page_id)
    return _submit(request, page, {"page": page}, reverse("comments:page", args=[page.pk]))


def _submit(request, post, target: dict, action: str):
    """Run a submitted comment form for ``post`` (a post or a page; ``target`` names it)."""
    ip = client_ip(request)
    decision = hit(
        "comment",
        ip_hash(ip or "unknown")[:32],
        limit=comments_settings.FLOOD_LIMIT,
        window=comments_settings.FLOOD_WINDOW,
    )
    if decision == Decision.LIMITED:
        # The friendly 429: the visitor's text comes back with them, to send again later.
        kept = {k: request.POST.get(k, "")[:20_000] for k in ("name", "email", "url", "body", "parent")}
        response = render(
            request,
            "comments/form_page.html",
            {
                "post": post,
                "form": CommentForm(initial=kept, action=action, subscribe="post" in target),
                "notice": _(
                    "You sent several comments in a short time. Please wait a minute, "
                    "then send this one again; your text is kept below."
                ),
            },
            status=429,
        )
        response["Retry-After"] = str(comments_settings.FLOOD_WINDOW)
        return response
    form = CommentForm(request.POST, action=action, subscribe="post" in target)
    if not form.is_valid():
        if "parent" in form.errors:  # a hidden field: say it where the visitor can see it
            form.add_error(None, _("The comment you replied to is not available any more."))
        if form.elapsed_seconds is None:
            form.refresh_started()
        return _form_page(request, post, form)

    parent = None
    parent_id = form.cleaned_data.get("parent")
    if parent_id:
        own = own_comment_ids(request)
        parent = (
            Comment.objects.for_thread(
                target.get("post") and post.pk, own, page_id=target.get("page") and post.pk
            )
            .filter(pk=parent_id)
            .select_related("parent__parent")
            .first()
        )
        if parent is None:
            form.add_error(None, _("The comment you replied to is not available any more."))
            return _form_page(request, post, form)

    data = form.cleaned_data
    try:
        comment = services.comment_create(
            **target,
            parent=parent,
            author_name=data["name"],
            author_email=data["email"],
            author_url=data.get("url") or "",
            body=data["body"],
            ip_address=ip or None,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
            signals=services.Signals(
                honeypot_filled=form.honeypot_filled,
                elapsed_seconds=form.elapsed_seconds,
                rate_limit_unknown=decision == Decision.UNKNOWN,
            ),
            user=request.user,
            subscribe=bool(data.get("subscribe")) and "post" in target,
            base_url=base_url(request),
        )
    except services.CommentRejected as rejected:
        form.add_error(None, rejected.message or _("Your comment could not be saved."))
        if form.elapsed_seconds is None:
            form.refresh_started()
        return _form_page(request, post, form)

    if comment.status == Comment.Status.APPROVED:
        messages.success(request, _("Thank you for your comment."))
    else:
        messages.info(request, _("Thank you. Your comment is awaiting moderation."))
    _remember_own(request, comment.pk)
    response = HttpResponseRedirect(comment_page_url(comment, own_comment_ids(request)))
    _remember_cookie(response, form)
    return response


@require_GET
def permalink(request, pk: int):
    """A stable address for a comment that lands on the page of the thread holding it."""
    own = own_comment_ids(request)
    comment = Comment.objects.select_related("post", "page").filter(pk=pk).first()
    visible = comment is not None and (
        comment.status == Comment.Status.APPROVED
        or (comment.status == Comment.Status.PENDING and comment.pk in own)
    )
    if not visible or not services.target_is_public(comment.target):
        raise Http404
    return HttpResponseRedirect(comment_page_url(comment, own))


def _own_changeable(request, pk: int) -> Comment:
    comment = get_object_or_404(Comment.objects.select_related("post", "page"), pk=pk)
    if comment.pk not in own_comment_ids(request) or not services.can_author_change(comment):
        raise Http404
    return comment


@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    """The author edits their comment from the same browser within the grace window."""
    comment = _own_changeable(request, pk)
    form = CommentEditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            comment = services.comment_edit(
                comment=comment,
                body=form.cleaned_data["body"],
                ip_address=client_ip(request) or None,
                base_url=base_url(request),
            )
        except services.CommentRejected as rejected:
            form.add_error(None, rejected.message)
        else:
            if comment.status == Comment.Status.APPROVED:
                messages.success(request, _("Your changes are saved."))
            else:
                messages.info(request, _("Your changes are saved and wait for moderation."))
            return HttpResponseRedirect(comment_page_url(comment, own_comment_ids(request)))
    return render(request, "comments/edit.html", {"comment": comment, "post": comment.target, "form": form})


@require_POST
def withdraw(request, pk: int):
    comment = _own_changeable(request, pk)
    services.comment_withdraw(comment=comment)
    messages.success(request, _("Your comment has been withdrawn."))
    return HttpResponseRedirect(comment.target.get_absolute_url() + "#comments")


@require_http_methods(["GET", "POST"])
def report(request, pk: int):
    """A reader tells the moderators about an approved comment."""
    comment = get_object_or_404(
        Comment.objects.approved().on_public_targets().select_related("post", "page"), pk=pk
    )
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        decision = hit(
            "comment-report", ip_hash(ip or "unknown")[:32], limit=comments_settings.REPORT_LIMIT, window=3600
        )
        if decision == Decision.LIMITED:
            return too_many_requests(request, retry_after=3600)
        services.comment_report(
            comment=comment, reporter_ip=ip, reason=form.cleaned_data["reason"], base_url=base_url(request)
        )
        messages.success(request, _("Thank you. The moderators will have a look."))
        return HttpResponseRedirect(comment.target.get_absolute_url() + f"#comment-{comment.pk}")
    return render(request, "comments/report.html", {"comment": comment, "post": comment.target, "form": form})


# --- signed links from e-mails: GET shows a button, POST acts (mail scanners only GET) ------
def _load_token(reader, token):
    try:
        return reader(token)
    except signing.SignatureExpired:
        return "expired"
    except signing.BadSignature:
        return None


def _link_used(request, use: ModerationLinkUse, comment: Comment):
    """A second click: say plainly that the link did its work already, when and by whom."""
    return render(request, "comments/link_used.html", {"use": use, "comment": comment}, status=410)


@require_http_methods(["GET", "POST"])
def moderate(request, token: str):
    """One-click approve / spam from the moderators' mail: GET shows a button, POST acts once.

    Links expire after ``COMMENTS_MODERATION_LINK_MAX_AGE`` (3 days) and work once: the first
    POST stores a hash of the link, a second click is told it was used already.
    """
    data = _load_token(notifications.read_moderation_token, token)
    if data == "expired":
        valid_days = max(1, comments_settings.MODERATION_LINK_MAX_AGE // (24 * 60 * 60))
        return render(
            request, "comments/link_invalid.html", {"expired": True, "valid_days": valid_days}, status=410
        )
    if not isinstance(data, dict):
        return render(request, "comments/link_invalid.html", {"expired": False}, status=400)
    comment = get_object_or_404(Comment.objects.select_related("post", "page"), pk=data.get("c"))
    user = get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()
    if (
        user is None
        or not user.has_perm("comments.change_comment")
        or data.get("a") not in ("approve", "spam")
    ):
        return render(request, "comments/link_invalid.html", {"expired": False}, status=403)
    token_hash = ModerationLinkUse.hash_token(token)
    used = ModerationLinkUse.objects.filter(token_hash=token_hash).select_related("user").first()
    if used is not None:
        return _link_used(request, used, comment)
    done = False
    if request.method == "POST":
        try:
            with transaction.atomic():
                # The unique hash makes "once" a database fact, also for two parallel clicks.
                ModerationLinkUse.objects.create(
                    token_hash=token_hash, comment=comment, action=data["a"], user=user
                )
                if data["a"] == "approve":
                    services.comment_approve(comment=comment, by=user, base_url=base_url(request))
                else:
                    services.comment_mark_spam(comment=comment, by=user)
        except IntegrityError:
            used = ModerationLinkUse.objects.filter(token_hash=token_hash).select_related("user").first()
            return _link_used(request, used, comment)
        ModerationLinkUse.objects.filter(
            used_at__lt=timezone.now() - timedelta(seconds=comments_settings.MODERATION_LINK_MAX_AGE)
        ).delete()
        comment.refresh_from_db()
        done = True
    return render(request, "comments/moderate.html", {"comment": comment, "action": data["a"], "done": done})


@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    data = _load_token(notifications.read_unsubscribe_token, token)
    if data is None or data == "expired" or data.get("k") not in ("moderation", "author", "replies"):
        return render(request, "comments/link_invalid.html", {"expired": False}, status=400)
    done = False
    if request.method == "POST":
        kind, value = data["k"], data.get("v")
        if kind == "moderation":
            MailOptOut.objects.get_or_create(email=str(value), kind=MailOptOut.Kind.MODERATION)
        elif kind == "author":
            user = get_user_model().objects.filter(pk=value).first()
            if user is not None:
                profile, _created = AuthorProfile.objects.get_or_create(
                    user=user, defaults={"display_name": user.get_full_name() or user.get_username()}
                )
                profile.notify_on_comments = False
                profile.save(update_fields=["notify_on_comments"])
        else:
            Subscription.objects.filter(pk=value).delete()
        done = True
    return render(request, "comments/unsubscribe.html", {"kind": data["k"], "done": done})


@require_http_methods(["GET", "POST"])
def subscription_confirm(request, token: str):
    data = _load_token(notifications.read_confirm_token, token)
    if data in (None, "expired"):
        return render(request, "comments/link_invalid.html", {"expired": data == "expired"}, status=400)
    subscription = Subscription.objects.select_related("post").filter(pk=data.get("s")).first()
    if subscription is None:
        return render(request, "comments/link_invalid.html", {"expired": False}, status=400)
    done = subscription.confirmed_at is not None
    if request.method == "POST":
        services.subscription_confirm(subscription=subscription)
        done = True
    return render(request, "comments/subscription_confirm.html", {"subscription": subscription, "done": done})
