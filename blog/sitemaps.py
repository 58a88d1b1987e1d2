"""Every published post and page, and the listings, for search engines."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from blog.models import Category, Page, Post, Tag


class PostSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    # Django's default limit (50,000, the protocol's maximum): /sitemap.xml is one file, not an
    # index, so a smaller page size would silently drop older posts.

    def items(self):
        return (
            Post.objects.published()
            .only("slug", "published_at", "modified_at", "created_at")
            .order_by("-published_at")
        )

    def lastmod(self, obj):
        return obj.modified_at


class PageSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.3

    def items(self):
        return Page.objects.published()

    def lastmod(self, obj):
        return obj.modified_at


class TaxonomySitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return [*Category.objects.all(), *Tag.objects.all()]


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
