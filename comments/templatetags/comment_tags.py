"""Tags the project templates load to show comments; ``blog`` itself never imports this app.

- ``{% comment_section post %}``: the thread (one query), paging, and the form. Given a static
  page (``blog.Page``) it does the same for the page's comments, and renders nothing for a
  page that takes no comments and has none.
- ``{% comment_count post %}``: "with 2 comments"; on listings the counts of every post on the
  page come from one query.
"""

from __future__ import annotations

from django import template
from django.db.models import Count
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from comments import services
from comments.forms import CommentForm
from comments.models import Comment, ModerationSettings
from comments.moderation import describe
from comments.render import render_thread
from comments.tree import Thread, thread_for
from core.invalidation import fragment_key
from core.pagecache import personal_fragment

register = template.Library()

PAGE_PARAM = "cpage"


def _request_cache(request, name: str) -> dict:
    if request is None:
        return {}
    store = getattr(request, "_comments_cache", None)
    if store is None:
        store = {}
        request._comments_cache = store
    return store.setdefault(name, {})


def _is_page(target) -> bool:
    return target._meta.label_lower == "blog.page"


def get_thread(request, post) -> Thread:
    """The post's (or static page's) thread as this reader sees it, loaded once per request."""
    from comments.views import own_comment_ids

    threads = _request_cache(request, "threads")
    key = (post._meta.label_lower, post.pk)
    if key not in threads:
        own = own_comment_ids(request) if request else ()
        if _is_page(post):
            threads[key] = thread_for(None, own, page_id=post.pk)
        else:
            threads[key] = thread_for(post.pk, own)
    return threads[key]


def _listing_counts(context, post) -> dict[int, int] | None:
    """Approved counts for every post of the listing in the context, from one query."""
    posts = context.get("posts")
    if posts is None:
        return None
    request = context.get("request")
    counts = _request_cache(request, "counts") if request is not None else {}
    if post.pk not in counts:
        ids = [p.pk for p in posts if getattr(p, "pk", None) is not None]
        if post.pk not in ids:
            return None
        rows = (
            Comment.objects.approved()
            .filter(post_id__in=ids)
            .values("post_id")
            .annotate(n=Count("pk"))
            .values_list("post_id", "n")
        )
        counts.update(dict.fromkeys(ids, 0))
        counts.update(dict(rows))
    return counts


def _render(context, name: str, values: dict) -> str:
    """Render a partial like an inclusion tag does: same engine, autoescape, no processors rerun."""
    t = context.template.engine.get_template(name) if context.template else None
    if t is None:  # pragma: no cover - tags are always used inside templates
        from django.template.loader import get_template

        return get_template(name).render(values)
    return t.render(context.new(values))


@register.simple_tag
def comments_on_publication(post) -> str:
    """For a preview: whether comments will be open when the post goes live."""
    if services.opens_on_publication(post):
        return _("Comments will be open when this post is published.")
    return _("Comments will be closed when this post is published.")


@register.simple_tag(takes_context=True)
def comment_count(context, post):
    """ "with N comments" linking to the thread; counts approved comments only."""
    counts = _listing_counts(context, post)
    if counts is not None and post.pk in counts:
        count = counts[post.pk]
    else:
        count = get_thread(context.get("request"), post).approved_count
    return _render(context, "comments/_count.html", {"count": count, "post": post})


@register.simple_tag(takes_context=True)
def comment_section(context, post):
    """The discussion under a post (or a static page): the page of threads asked for, paging
    links and the form."""
    request = context.get("request")
    thread = get_thread(request, post)
    is_page = _is_page(post)
    if is_page and not post.comments_open and not thread.by_id:
        return ""  # an Impressum without comments shows no empty "comments are closed"
    ms = ModerationSettings.load()
    page_number, roots = thread.page(request.GET.get(PAGE_PARAM, 1) if request else 1)
    closed = services.page_is_closed(post) if is_page else services.post_is_closed(post, ms)
    post_action = reverse("comments:page" if is_page else "comments:post", args=[post.pk])
    reply_to = None
    form_html = ""
    if not closed:
        initial = {}
        reply_id = request.GET.get("replytocom", "") if request else ""
        if reply_id.isdigit() and int(reply_id) in thread.by_id:
            reply_to = thread.by_id[int(reply_id)]
            initial["parent"] = reply_to.pk

        def render_form() -> str:
            form = CommentForm(initial=initial, action=post_action, subscribe=not is_page)
            return _render(
                context, "comments/_form.html", {"form": form, "csrf_token": context.get("csrf_token")}
            )

        if reply_to is None and request is not None:
            # The empty form is the same for every reader but its tokens: it is built and
            # rendered once (crispy was half of the page), then only the tokens are swapped.
            kind = "page" if is_page else "post"
            key = fragment_key(f"comment-form:{kind}:{post.pk}:{get_language()}", site=True)
            form_html = personal_fragment(request, key, render_form)
        else:
            form_html = render_form()
    pages = range(1, thread.num_pages + 1) if thread.num_pages > 1 else ()
    can_reply = not closed and ms.max_depth > 1
    thread_html = render_thread(
        roots,
        labels={
            "reply": _("Reply"),
            "to": _("to"),
            "edit": _("Edit"),
            "withdraw": _("Withdraw"),
            "report": _("Report"),
            "pending": _("Your comment is awaiting moderation."),
        },
        comment_base=reverse("comments:permalink", args=[0])[:-2],
        lang_attr=context.get("content_lang_attr", ""),
        can_reply=can_reply,
        csrf_token=str(context.get("csrf_token", ""))
        if any(c.can_change for c in thread.by_id.values())
        else "",
    )
    return _render(
        context,
        "comments/_section.html",
        {
            "post": post,
            "is_page": is_page,
            "feed_url": reverse("comments:page_feed" if is_page else "comments:post_feed", args=[post.pk]),
            "thread": thread,
            "roots": roots,
            "page_number": page_number,
            "pages": pages,
            "page_param": PAGE_PARAM,
            "closed": closed,
            "is_preview": not services.target_is_public(post),
            "form_html": mark_safe(form_html),
            "reply_to": reply_to,
            "max_depth": ms.max_depth,
            "threaded": ms.max_depth > 1,
            "can_reply": can_reply,
            "thread_html": thread_html,
            "request": request,
            "csrf_token": context.get("csrf_token"),
            "user": context.get("user"),
        },
    )


@register.filter
def reason_texts(reasons) -> list[str]:
    return [describe(r) for r in reasons or []]


@register.simple_tag
def pending_comment_count() -> int:
    """For the admin index: how many comments wait for a moderator."""
    return Comment.objects.pending().count()
