"""Every published post and page, and the listings, for search engines.

``/sitemap.xml`` is a sitemap index once the site has more than ``PART_SIZE`` addresses; it
names one part per section and page (``/sitemap-posts.xml?p=2``), each at most ``PART_SIZE``
addresses, so no response grows with the blog (a 10,000-post blog in one file took two seconds to render). Parts are written
as plain strings, not through the template engine and one ``reverse()`` per post, and both
go through the page cache like every other page (stale the moment a post changes).
"""

from __future__ import annotations

import datetime
from html import escape

from django.contrib.sitemaps import Sitemap
from django.core.cache import cache
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db import connection
from django.db.models import CharField, Max
from django.db.models.functions import Cast, Coalesce
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from blog.models import Category, Page, Post, Tag
from core import invalidation

# 2,000 addresses (the protocol allows 50,000) keep a part well within 100 ms to render.
PART_SIZE = 2_000
_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


class PostSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    # Oldest first: a new post lands in the last part, the earlier parts stay as crawled.
    limit = PART_SIZE

    def items(self):
        return Post.objects.published().order_by("published_at", "pk")

    def location(self, obj):
        return obj.get_absolute_url()

    def lastmod(self, obj):
        return obj.updated_at or obj.published_at

    def latest_lastmod(self):
        found = Post.objects.published().aggregate(updated=Max("updated_at"), published=Max("published_at"))
        return max((value for value in found.values() if value is not None), default=None)

    def entries(self, page: int) -> list[tuple[str, datetime.datetime]]:
        """(path, lastmod) of one part from one narrow query, without a ``reverse()`` per post.

        The rows are read through the cursor: the ORM's per-value converters and a time-zone
        look-up per post cost more than the rest of a full part together.
        """
        sample = reverse("blog:post_detail", kwargs={"year": 1234, "month": "12", "slug": "s"})
        prefix = sample[: -len("1234/12/s/")]
        start = (page - 1) * self.limit
        # As text: the C parser of the standard library is many times faster than the
        # database driver's per-value conversion (psycopg's is pure Python).
        rows = (
            self.items()
            .annotate(
                published=Cast("published_at", CharField()),
                lastmod=Cast(Coalesce("updated_at", "published_at"), CharField()),
            )
            .values_list("slug", "published", "lastmod")[start : start + self.limit]
        )
        sql, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
        zone = timezone.get_current_timezone()
        return [
            (f"{prefix}{_aware(when).astimezone(zone):%Y/%m}/{slug}/", _aware(lastmod))
            for slug, when, lastmod in found
        ]


class PageSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.3
    limit = PART_SIZE

    def items(self):
        return Page.objects.published().order_by("pk")

    def lastmod(self, obj):
        return obj.modified_at

    def latest_lastmod(self):
        return Page.objects.published().aggregate(latest=Max("modified_at"))["latest"]


class TaxonomySitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.4
    limit = PART_SIZE

    def items(self):
        categories = Category.objects.order_by("pk").values_list("slug", flat=True)
        return [*(("blog:category", slug) for slug in categories), *self._tags()]

    def _tags(self):
        return (("blog:tag", slug) for slug in Tag.objects.order_by("pk").values_list("slug", flat=True))

    def location(self, item):
        return _path_for(*item)

    def entries(self, page: int) -> list[tuple[str, None]]:
        """(path, no lastmod) of one part: one ``reverse()`` per kind, not per tag."""
        items = self.paginator.page(page).object_list
        prefixes = {name: _path_for(name, "") for name in ("blog:category", "blog:tag")}
        return [(f"{prefixes[name]}{slug}/", None) for name, slug in items]


class StaticSitemap(Sitemap):
    priority = 1.0
    changefreq = "daily"

    def items(self):
        return ["blog:home"]

    def location(self, item):
        return reverse(item)


sitemaps = {
    "static": StaticSitemap,
    "posts": PostSitemap,
    "pages": PageSitemap,
    "taxonomy": TaxonomySitemap,
}


def _path_for(name: str, slug: str) -> str:
    """``/category/<slug>/`` for ``slug``; with an empty slug, the part before it."""
    prefix = reverse(name, kwargs={"slug": "s"})[: -len("s/")]
    return f"{prefix}{slug}/" if slug else prefix


def _paginator(site: Sitemap, section: str):
    """The section's paginator, its size counted once per site version (and kept no longer
    than until the next scheduled post goes live)."""
    from blog.views import until_next_publication

    paginator = site.paginator  # a new one on every access
    key = invalidation.fragment_key(f"sitemap-count:{section}", site=True)
    count = cache.get(key)
    if count is None:
        cache.set(key, paginator.count, until_next_publication())
    else:
        paginator.__dict__["count"] = count
    return paginator


def _aware(value) -> datetime.datetime:
    """A stored time as an aware datetime (SQLite hands back UTC text, PostgreSQL datetimes)."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=datetime.UTC)


def _w3c(value, zone=None) -> str:
    if isinstance(value, datetime.datetime):
        return value.astimezone(zone or timezone.get_current_timezone()).isoformat(timespec="seconds")
    return value.isoformat() if value else ""


def _xml(body: list[str]) -> HttpResponse:
    return HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + "".join(body),
        content_type="application/xml; charset=utf-8",
    )


def _index_entries() -> list[tuple[str, int, int, str]]:
    """(section, parts, addresses, lastmod) of every section; worked out once per site version."""
    from blog.views import until_next_publication

    key = invalidation.fragment_key("sitemap-index:v2", site=True)
    entries = cache.get(key)
    if entries is None:
        entries = []
        for section, cls in sitemaps.items():
            site = cls()
            latest = getattr(site, "latest_lastmod", None)
            paginator = _paginator(site, section)
            entries.append((section, paginator.num_pages, paginator.count, _w3c(latest()) if latest else ""))
        cache.set(key, entries, until_next_publication())
    return entries


@require_GET
def sitemap_index(request):
    """``/sitemap.xml``: one ``<sitemap>`` per section part, with when it last changed.

    A site whose addresses all fit in one part (most blogs) gets them right here as one
    ``<urlset>``: a crawler then needs one request, and the file is the whole sitemap. Past
    ``PART_SIZE`` addresses it becomes the index of the parts.
    """
    entries = _index_entries()
    base = request.build_absolute_uri("/")[:-1]
    if sum(count for _section, _pages, count, _lastmod in entries) <= PART_SIZE:
        body = [f'<urlset xmlns="{_NS}">\n']
        for section, pages, _count, _lastmod in entries:
            if pages:
                body.extend(_urls(sitemaps[section](), section, 1, base))
        body.append("</urlset>\n")
        return _xml(body)
    body = [f'<sitemapindex xmlns="{_NS}">\n']
    for section, pages, _count, lastmod in entries:
        location = base + reverse("sitemap_section", kwargs={"section": section})
        tag = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        for page in range(1, pages + 1):
            url = location if page == 1 else f"{location}?p={page}"
            body.append(f"<sitemap><loc>{escape(url)}</loc>{tag}</sitemap>\n")
    body.append("</sitemapindex>\n")
    return _xml(body)


@require_GET
def sitemap_section(request, section: str):
    """``/sitemap-<section>.xml?p=N``: at most ``PART_SIZE`` addresses of one section."""
    if section not in sitemaps:
        raise Http404("No sitemap section of this name.")
    site = sitemaps[section]()
    try:
        page = _paginator(site, section).validate_number(request.GET.get("p", "1"))
    except (EmptyPage, PageNotAnInteger):
        raise Http404("No such sitemap page.") from None
    base = request.build_absolute_uri("/")[:-1]
    body = [f'<urlset xmlns="{_NS}">\n', *_urls(site, section, page, base), "</urlset>\n"]
    return _xml(body)


def _urls(site: Sitemap, section: str, page: int, base: str) -> list[str]:
    """The ``<url>`` lines of one part of a section."""
    extra = f"<changefreq>{site.changefreq}</changefreq><priority>{site.priority}</priority>"
    if isinstance(site, (PostSitemap, TaxonomySitemap)):
        entries = site.entries(page)
    else:
        items = site.paginator.page(page).object_list
        lastmod = getattr(site, "lastmod", None)
        entries = [(site.location(item), lastmod(item) if lastmod else None) for item in items]
    zone = timezone.get_current_timezone()
    base = escape(base)
    lines = []
    for path, lastmod in entries:
        stamp = f"<lastmod>{_w3c(lastmod, zone)}</lastmod>" if lastmod else ""
        lines.append(f"<url><loc>{base}{escape(path)}</loc>{stamp}{extra}</url>\n")
    return lines
