"""Template tags for what an import brought over and the site shows: comments on pages."""

from django import template
from django.template.loader import render_to_string

from wpimport.models import PageComment

register = template.Library()


@register.simple_tag(takes_context=True)
def page_comments(context, page) -> str:
    """The approved comments WordPress had on ``page``, threaded, in one query (or "")."""
    comments = list(PageComment.objects.approved().filter(page=page).order_by("created_at", "pk"))
    if not comments:
        return ""
    children: dict[int | None, list[PageComment]] = {}
    ids = {c.pk for c in comments}
    for comment in comments:
        parent = comment.parent_id if comment.parent_id in ids else None
        children.setdefault(parent, []).append(comment)
    ordered: list[tuple[PageComment, int]] = []

    def walk(parent, depth):
        for comment in children.get(parent, []):
            ordered.append((comment, depth))
            walk(comment.pk, depth + 1)

    walk(None, 0)
    return render_to_string(
        "wpimport/_page_comments.html",
        {
            "page": page,
            "comments": ordered,
            "count": len(comments),
            "content_lang_attr": context.get("content_lang_attr", ""),
        },
    )
