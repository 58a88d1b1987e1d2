"""RSS of the newest approved comments, site-wide, per post and per page."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from blog.models import Page, Post
from comments.conf import comments_settings
from comments.models import Comment


class LatestCommentsFeed(Feed):
    description = _("The newest comments of the blog.")

    def title(self):
        return _("%(site)s: newest comments") % {"site": getattr(settings, "SITE_NAME", "Blogwerk")}

    def link(self):
        return reverse("blog:home")

    def feed_url(self):
        return reverse("comments:feed")

    def items(self):
        return (
            Comment.objects.approved()
            .on_public_targets()
            .select_related("post", "page")
            .order_by("-created_at", "-pk")[: comments_settings.FEED_ITEMS]
        )

    def item_title(self, item):
        return _("%(name)s on “%(title)s”") % {"name": item.author_name, "title": item.target_title}

    def item_description(self, item):
        return item.body_html  # sanitised on save; the feed escapes it once more as XML

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return f"comment-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.created_at

    def item_author_name(self, item):
        return item.author_name


class _TargetCommentsFeed(LatestCommentsFeed):
    """The comments under one published post or page; subclasses name which."""

    target = ""  # "post" or "page": the Comment field
    url_name = ""

    def published(self):
        raise NotImplementedError

    def get_object(self, request, **kwargs):
        return get_object_or_404(self.published(), pk=kwargs[f"{self.target}_id"])

    def title(self, obj):
        return _("Comments on “%(title)s”") % {"title": obj.title}

    def link(self, obj):
        return obj.get_absolute_url() + "#comments"

    def feed_url(self, obj):
        return reverse(self.url_name, args=[obj.pk])

    def description(self, obj):
        return self.title(obj)

    def items(self, obj):
        return (
            Comment.objects.approved()
            .filter(**{self.target: obj})
            .select_related(self.target)
            .order_by("-created_at", "-pk")[: comments_settings.FEED_ITEMS]
        )


class PostCommentsFeed(_TargetCommentsFeed):
    target = "post"
    url_name = "comments:post_feed"

    def published(self):
        return Post.objects.published()


class PageCommentsFeed(_TargetCommentsFeed):
    """The comments under one published static page."""

    target = "page"
    url_name = "comments:page_feed"

    def published(self):
        return Page.objects.published()
