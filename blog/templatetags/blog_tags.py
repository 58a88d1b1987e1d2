"""Presentation helpers for blog templates (no queries)."""

import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def blogposting_jsonld(context, post, url, author_display_name):
    """A ``BlogPosting`` JSON-LD block for search engines, safe inside ``<script>``."""
    request = context["request"]
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title,
        "description": post.description,
        "url": url,
        "mainEntityOfPage": url,
        "author": {"@type": "Person", "name": author_display_name},
        "publisher": {"@type": "Organization", "name": context.get("site_name", "")},
        "inLanguage": context.get("LANGUAGE_CODE", "de"),
        "keywords": ", ".join(t.name for t in post.tags.all()),
        "articleSection": [c.name for c in post.categories.all()],
    }
    if post.published_at:
        data["datePublished"] = post.published_at.isoformat()
        data["dateModified"] = (post.updated_at or post.published_at).isoformat()
    if post.featured_image:
        data["image"] = request.build_absolute_uri(post.featured_image.fallback_url)
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.filter
def isotime(value) -> str:
    """ISO 8601 in the current time zone without microseconds (HTML's ``datetime`` allows three digits)."""
    from django.utils import timezone

    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()
