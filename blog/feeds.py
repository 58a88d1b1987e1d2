"""RSS and Atom feeds of posts, site-wide and per category."""

import re

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from blog.bodies import bodies_for_readers
from blog.conf import blog_settings
from blog.models import Category, Post, author_name
from blog.views import descendant_ids, in_categories


class LatestPostsFeed(Feed):
    title = _("Blogwerk: newest posts")
    description = _("The newest posts of the blog.")

    def link(self):
        return reverse("blog:home")

    def items(self):
        return with_reader_bodies(Post.objects.for_listing()[: blog_settings.FEED_ITEMS])

    def item_title(self, item):
        return item.title

    def __call__(self, request, *args, **kwargs):
        self.base_url = request.build_absolute_uri("/").rstrip("/")
        return super().__call__(request, *args, **kwargs)

    def item_description(self, item):
        # Feeds carry the whole post; shortcodes that need a browser are left out. Feed readers
        # show it away from our site, so every link and picture gets its absolute address.
        return absolute_urls(item.reader_body, getattr(self, "base_url", ""))

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at or item.published_at

    def item_author_name(self, item):
        return author_name(item.author)

    def item_categories(self, item):
        return [c.name for c in item.categories.all()] + [t.name for t in item.tags.all()]


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = Atom1Feed
    subtitle = LatestPostsFeed.description


class CategoryFeed(LatestPostsFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Category, slug=slug)

    def title(self, obj):
        return _("Blogwerk: %(category)s") % {"category": obj.name}

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return obj.description or self.title(obj)

    def items(self, obj):
        # Like the category page: the category and its sub-categories.
        posts = Post.objects.for_listing().filter(in_categories(descendant_ids(obj)))
        return with_reader_bodies(posts[: blog_settings.FEED_ITEMS])


def with_reader_bodies(posts) -> list[Post]:
    """The posts, each with ``reader_body``: shortcodes expanded for all of them at once, so
    twenty posts embedding polls cost one poll query, not twenty."""
    posts = list(posts)
    for post, body in zip(posts, bodies_for_readers([p.body_html for p in posts]), strict=True):
        post.reader_body = body
    return posts


_URL_ATTRIBUTE = re.compile(r'\b(href|src|action|poster|cite)="(/(?!/)[^"]*)"')
_SRCSET = re.compile(r'\bsrcset="([^"]*)"')


def absolute_urls(html: str, base_url: str) -> str:
    """``html`` with site-relative URLs ("/polls/…") in attributes made absolute."""
    if not base_url:
        return html
    html = _URL_ATTRIBUTE.sub(lambda m: f'{m[1]}="{base_url}{m[2]}"', html)

    def srcset(match):
        parts = [p.strip() for p in match[1].split(",")]
        return (
            'srcset="'
            + ", ".join(base_url + p if p.startswith("/") and not p.startswith("//") else p for p in parts)
            + '"'
        )

    return _SRCSET.sub(srcset, html)
