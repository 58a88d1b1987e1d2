"""Full-text search: PostgreSQL's German configuration, a word-wise fallback elsewhere."""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Q, QuerySet

from blog.conf import blog_settings


def search_posts(queryset: QuerySet, query: str) -> QuerySet:
    """Filter ``queryset`` to posts matching ``query``, best matches first."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        config = blog_settings.SEARCH_CONFIG
        vector = (
            SearchVector("title", weight="A", config=config)
            + SearchVector("excerpt", weight="B", config=config)
            + SearchVector("body", weight="C", config=config)
        )
        search = SearchQuery(query, config=config, search_type="websearch")
        return (
            queryset.annotate(document=vector, rank=SearchRank(vector, search))
            .filter(document=search)
            .order_by("-rank", "-published_at")
        )
    words = [w for w in re.findall(r"\w+", query) if len(w) > 1][:10]
    if not words:
        return queryset.none()
    condition = Q()
    for word in words:
        condition &= Q(title__icontains=word) | Q(excerpt__icontains=word) | Q(body__icontains=word)
    return queryset.filter(condition).order_by("-published_at")
