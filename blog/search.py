"""Full-text search: PostgreSQL's German configuration, a word-wise fallback elsewhere."""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import F, Q, QuerySet

# Must match the configuration in the trigger of migration blog.0003.
SEARCH_CONFIG = "german"


def search_posts(queryset: QuerySet, query: str) -> QuerySet:
    """Filter ``queryset`` to posts matching ``query``, best matches first."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        # The stored, GIN-indexed vector (title A, excerpt B, body C) is kept by a trigger.
        search = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
        return (
            queryset.filter(search_vector=search)
            .annotate(rank=SearchRank(F("search_vector"), search))
            .order_by("-rank", "-published_at")
        )
    words = [w for w in re.findall(r"\w+", query) if len(w) > 1][:10]
    if not words:
        return queryset.none()
    condition = Q()
    for word in words:
        either = Q()
        for variant in case_variants(word):
            either |= Q(title__icontains=variant) | Q(excerpt__icontains=variant) | Q(body__icontains=variant)
        condition &= either
    return queryset.filter(condition).order_by("-published_at")


def case_variants(word: str) -> set[str]:
    """Spellings to try, since SQLite's LIKE folds the case of ASCII letters only ("ärger" → "Ärger")."""
    if word.isascii():
        return {word}
    return {word, word.lower(), word.upper(), word.capitalize()}
