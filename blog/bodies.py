"""The one path from a stored body to what readers see, shared by pages and the live preview."""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe

from blog.embeds import expand_embeds
from blog.images import fill_credit_labels
from blog.shortcodes import registry


def body_for_readers(body_html: str, *, request=None, show_unknown: bool = False) -> SafeString:
    """Expand shortcodes (polls…) in one batch per kind, then the two-click embed placeholders."""
    expanded = registry.expand(body_html or "", request=request, show_unknown=show_unknown)
    return mark_safe(fill_credit_labels(expand_embeds(str(expanded))))


def bodies_for_readers(bodies: list[str], *, request=None) -> list[SafeString]:
    """``body_for_readers`` for many bodies (a feed): each shortcode kind loads once for all."""
    expanded = registry.expand_many([body or "" for body in bodies], request=request)
    return [mark_safe(fill_credit_labels(expand_embeds(str(value)))) for value in expanded]
