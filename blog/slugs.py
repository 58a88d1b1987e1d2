"""Slugs that read well in German: ``Für Über Straße`` → ``fuer-ueber-strasse``."""

from __future__ import annotations

from django.utils.text import slugify

GERMAN = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS"}
)


def slugify_de(text: str, *, max_length: int = 250) -> str:
    """Transliterate German umlauts and ß, then Django's ``slugify``; cut at a hyphen."""
    slug = slugify((text or "").translate(GERMAN))
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug


def unique_slug(model, text: str, *, exclude_pk=None, field: str = "slug", max_length: int = 250) -> str:
    """``slugify_de(text)``, with ``-2``, ``-3``… appended while another row has it."""
    base = slugify_de(text, max_length=max_length - 4) or "beitrag"
    slug, number = base, 2
    queryset = model._default_manager.all()
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    while queryset.filter(**{field: slug}).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug
