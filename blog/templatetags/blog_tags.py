"""Presentation helpers for blog templates (no queries)."""

import json

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# The publisher's logo in structured data (a raster image, as search engines ask).
LOGO = {"path": "blog/logo.png", "width": 512, "height": 512}

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def blogposting_jsonld(context, post, url, author_display_name):
    """A ``BlogPosting`` JSON-LD block for search engines, safe inside ``<script>``.

    Author with name and page, publisher with name and logo, an image (the featured image,
    else the site's logo) and a description that is never empty (``Post.description``).
    """
    request = context["request"]
    logo = {
        "@type": "ImageObject",
        "url": request.build_absolute_uri(static(LOGO["path"])),
        "width": LOGO["width"],
        "height": LOGO["height"],
    }
    author_url = request.build_absolute_uri(
        reverse("blog:author", kwargs={"username": post.author.get_username()})
    )
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title,
        "description": post.description,
        "url": url,
        "mainEntityOfPage": url,
        "author": {"@type": "Person", "name": author_display_name, "url": author_url},
        "publisher": {"@type": "Organization", "name": context.get("site_name", ""), "logo": logo},
        "inLanguage": context.get("LANGUAGE_CODE", "de"),
        "keywords": ", ".join(t.name for t in post.tags.all()),
        "articleSection": [c.name for c in post.categories.all()],
    }
    if post.published_at:
        data["datePublished"] = post.published_at.isoformat()
        data["dateModified"] = (post.updated_at or post.published_at).isoformat()
    if post.featured_image:
        data["image"] = request.build_absolute_uri(post.featured_image.fallback_url)
    else:
        data["image"] = logo
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.filter
def isotime(value) -> str:
    """ISO 8601 in the current time zone without microseconds (HTML's ``datetime`` allows three digits)."""
    from django.utils import timezone

    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()
