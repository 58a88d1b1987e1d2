"""Read pages for visitors: listings, archives, permalinks, search, static pages."""

from __future__ import annotations

import datetime
import hashlib
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Count, Exists, F, IntegerField, Max, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Substr, Trunc
from django.db.models.query import QuerySet
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView

from blog.bodies import body_for_readers
from blog.conf import blog_settings
from blog.models import (
    Category,
    Page,
    Post,
    Tag,
    author_name,
    next_scheduled_publication,
    published_q,
    sees_unpublished,
)
from blog.rendering import first_sentences
from blog.search import search_posts, suggest
from core import invalidation
from core.clients import client_ip, ip_hash
from core.pagecache import depend_on

User = get_user_model()


def sidebar_data() -> dict:
    """Category tree with post counts and archive months; cached until the site changes."""
    key = invalidation.fragment_key("blog-sidebar", site=True)
    data = cache.get(key)
    now = timezone.now()
    # A scheduled post going live changes the counts: rebuild then, not minutes later.
    if data is None or (data["refresh_at"] is not None and data["refresh_at"] <= now):
        # A post is linked to a category once (the link table is unique): no DISTINCT needed.
        categories = Category.objects.annotate(count=Count("posts", filter=published_q("posts__"))).order_by(
            "name"
        )
        by_parent: dict[int | None, list] = {}
        for category in categories:
            by_parent.setdefault(category.parent_id, []).append(category)
        flat: list[dict] = []

        def walk(parent_id, depth):
            for category in by_parent.get(parent_id, []):
                if depth > 10:
                    return
                flat.append(
                    {
                        "name": category.name,
                        "url": category.get_absolute_url(),
                        "count": category.count,
                        "depth": depth,
                    }
                )
                walk(category.pk, depth + 1)

        walk(None, 0)
        data = {
            "categories": flat,
            "months": month_archive_list()[:24],
            "refresh_at": next_scheduled_publication(),
        }
        cache.set(key, data, 60 * 60)
    return data


class SidebarMixin:
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sidebar"] = sidebar_data()
        return context


def until_next_publication(timeout: int = 60 * 60) -> int:
    """Seconds a fragment about published posts may be kept: at most until the next scheduled
    post goes live (its version bump comes with the next edit, not with the clock)."""
    next_due = next_scheduled_publication()
    if next_due is not None:
        timeout = max(1, min(timeout, int((next_due - timezone.now()).total_seconds()) + 1))
    return timeout


class ListingPaginator(Paginator):
    """Counts a listing once per site version instead of a ``COUNT(*)`` on every page view.

    ``count_key`` names the listing (its path); without one it counts every time (search).
    """

    def __init__(self, *args, count_key: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self):
        if self.count_key is None:
            return super().count
        digest = hashlib.sha256(self.count_key.encode()).hexdigest()[:32]
        key = invalidation.fragment_key(f"listing-count:{digest}", site=True)
        found = cache.get(key)
        if found is None:
            found = super().count
            cache.set(key, found, until_next_publication())
        return found

    def page(self, number):
        """The page's rows found by id first: the database orders and skips narrow rows
        (``?page=500`` skips 4,990 ids, not 4,990 whole posts), then reads only these ten."""
        if self.count_key is None or not isinstance(self.object_list, QuerySet):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        listing = self.object_list
        window = listing.values("pk")[bottom:top]
        # Only the ids select: the listing's own filters again would tempt SQLite to walk
        # the time index and test every post against the ten ids.
        rows = listing.model._default_manager.filter(pk__in=window).order_by(*listing.query.order_by)
        rows.query.select_related = listing.query.select_related
        rows = rows.prefetch_related(*listing._prefetch_related_lookups)
        return self._get_page(rows, number, self)


class PostListMixin(SidebarMixin):
    """Shared by every listing: published posts, paginated, with what a teaser shows."""

    paginator_class = ListingPaginator

    model = Post
    paginate_by = blog_settings.POSTS_PER_PAGE
    context_object_name = "posts"
    template_name = "blog/post_list.html"
    heading = ""

    def get_base_queryset(self):
        return Post.objects.for_listing()

    def get_queryset(self):
        return self.get_base_queryset()

    def get_heading(self):
        return self.heading

    def get_count_key(self) -> str | None:
        return self.request.path

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        return self.paginator_class(
            queryset, per_page, orphans, allow_empty_first_page, count_key=self.get_count_key(), **kwargs
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["heading"] = self.get_heading()
        for post in context["posts"]:
            depend_on(self.request, "post", post.pk)  # e.g. its comment count
        return context


class HomeView(PostListMixin, ListView):
    template_name = "blog/home.html"

    def get_queryset(self):
        # The order of the index ``post_listing_idx``: deep pages walk the index, no sort.
        return self.get_base_queryset().order_by("-is_sticky", "-published_at", "-pk")


class CategoryView(PostListMixin, ListView):
    def get_queryset(self):
        self.category = get_object_or_404(Category.objects.select_related("parent"), slug=self.kwargs["slug"])
        return self.get_base_queryset().filter(in_categories(descendant_ids(self.category)))

    def get_heading(self):
        return _("Category: %(name)s") % {"name": self.category.name}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["category"] = self.category
        context["feed_url"] = reverse("blog:category_feed", kwargs={"slug": self.category.slug})
        return context


def in_categories(ids: list[int]) -> Exists:
    """Posts filed under any of ``ids``, as ``EXISTS`` (a join would need ``DISTINCT`` over
    every column of every post, a sort of wide rows on a big category)."""
    links = Post.categories.through.objects.filter(post_id=OuterRef("pk"), category_id__in=ids)
    return Exists(links)


def descendant_ids(category: Category) -> list[int]:
    """The category and all its sub-categories, from one query of the (small) category table."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    ids, stack = [], [category.pk]
    while stack:
        pk = stack.pop()
        if pk not in ids:
            ids.append(pk)
            stack.extend(children.get(pk, []))
    return ids


class TagView(PostListMixin, ListView):
    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        # The tag's posts by id (a few, usually): not a walk through every post in time order.
        tagged = Post.tags.through.objects.filter(tag=self.tag).values("post_id")
        return self.get_base_queryset().filter(pk__in=tagged)

    def get_heading(self):
        return _("Tag: %(name)s") % {"name": self.tag.name}


class AuthorView(PostListMixin, ListView):
    template_name = "blog/author.html"

    def get_queryset(self):
        # Only people with a published post have a page: a moderator's or editor's login
        # name is not shown to the world, and an empty listing is not a page worth having.
        self.author = get_object_or_404(
            User.objects.select_related("author_profile").filter(
                pk__in=Post.objects.published().values("author_id")
            ),
            **{User.USERNAME_FIELD: self.kwargs["username"]},
        )
        return self.get_base_queryset().filter(author=self.author)

    def get_heading(self):
        return _("Posts by %(name)s") % {"name": author_name(self.author)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["author"] = self.author
        context["profile"] = getattr(self.author, "author_profile", None)
        return context


def archive_span(year: int, month: int | None = None) -> tuple[datetime.datetime, datetime.datetime]:
    """The local-time span of a year or month archive; ``ValueError`` when no calendar has it.

    Year 0 and month 13 do not exist, and the first and last days of the calendar cannot be
    expressed in UTC from every time zone (Berlin's 1 January of year 1 is in year 0 in UTC),
    so those are refused here instead of overflowing in the database layer.
    """
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"no month {month}")
    first = (year, month or 1)
    after = (year + 1, 1) if month in (None, 12) else (year, month + 1)
    zone = timezone.get_current_timezone()
    try:
        start = datetime.datetime(*first, 1, tzinfo=zone)
        end = datetime.datetime(*after, 1, tzinfo=zone)
        start.astimezone(datetime.UTC), end.astimezone(datetime.UTC)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"no archive for {year}-{month}") from exc
    return start, end


class ArchiveMixin(PostListMixin):
    """Posts published within a year or month; impossible and empty archives are 404s.

    An empty archive answering 200 would let crawlers walk every year from 0001 to 9999.
    """

    def get_span(self):
        try:
            return archive_span(self.kwargs["year"], self.get_month())
        except ValueError:
            raise Http404(_("There is no archive for this date.")) from None

    def get_month(self) -> int | None:
        return None

    def get_queryset(self):
        start, end = self.get_span()
        return self.get_base_queryset().filter(published_at__gte=start, published_at__lt=end)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not context["paginator"].count:
            raise Http404(_("No posts were published in this period."))
        return context


class YearArchiveView(ArchiveMixin, ListView):
    def get_heading(self):
        return _("Archive %(year)s") % {"year": self.kwargs["year"]}


class MonthArchiveView(ArchiveMixin, ListView):
    def get_month(self) -> int:
        return int(self.kwargs["month"])

    def get_heading(self):
        from django.utils.dateformat import format as date_format

        return _("Archive %(month)s") % {"month": date_format(self.get_span()[0], "F Y")}


class SearchView(PostListMixin, ListView):
    """``/search/?q=…``: German full-text search, ranked, paged, with highlighted snippets."""

    template_name = "blog/search.html"

    def get_queryset(self):
        self.query = self.request.GET.get("q", "").strip()[:200]
        if not self.query:
            return Post.objects.none()
        return search_posts(self.query)

    def get_heading(self):
        return _("Search")

    def get_count_key(self):
        return None  # every query is its own listing

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["query"] = self.query
        if self.query and not context["paginator"].count:
            context["suggestion"] = suggest(self.query)
        return context


RELATED_CANDIDATES = 200


def related_posts(post: Post, limit: int) -> list[Post]:
    """Published posts sharing the most tags and categories with ``post``.

    Candidates are the posts most recently filed under the same tags (at most
    ``RELATED_CANDIDATES``) and under the same categories (as many): a category of 5,000 posts
    does not make every one of them a candidate to score.
    """
    tag_ids = [t.pk for t in post.tags.all()]
    category_ids = [c.pk for c in post.categories.all()]
    # Only posts sharing something are scored, each by index look-ups in the link tables, so
    # the cost follows the neighbours, not the size of the blog (no GROUP BY over all posts).
    candidates, score = Q(), Value(0)
    for through, column, ids, weight in (
        (Post.tags.through, "tag_id", tag_ids, 2),
        (Post.categories.through, "category_id", category_ids, 1),
    ):
        if not ids:
            continue
        links = through.objects.filter(**{f"{column}__in": ids})
        newest = links.exclude(post_id=post.pk).order_by("-pk").values("post_id")[:RELATED_CANDIDATES]
        candidates |= Q(pk__in=newest)
        shared = links.filter(post_id=OuterRef("pk")).order_by().values("post_id").annotate(n=Count("pk"))
        score += Coalesce(Subquery(shared.values("n"), output_field=IntegerField()), 0) * weight
    if not candidates:
        return []
    return list(
        Post.objects.published()
        .filter(candidates)
        .exclude(pk=post.pk)
        .annotate(score=score)
        .select_related("featured_image")
        .order_by("-score", "-published_at", "-pk")[:limit]
    )


def post_neighbours(post: Post) -> dict:
    """Related posts and the newer and older post; cached until any post changes or the next
    scheduled post goes live (three queries otherwise)."""
    if not post.is_published():  # a preview: nothing to cache, nothing to link to
        return {"related_posts": related_posts(post, blog_settings.RELATED_POSTS)}
    key = invalidation.fragment_key(f"post-neighbours:{post.pk}", site=True)
    found = cache.get(key)
    if found is None:
        published = Post.objects.published()
        found = {
            "related_posts": related_posts(post, blog_settings.RELATED_POSTS),
            "newer_post": published.filter(published_at__gt=post.published_at)
            .order_by("published_at", "pk")
            .first(),
            "older_post": published.filter(published_at__lt=post.published_at)
            .order_by("-published_at", "-pk")
            .first(),
        }
        cache.set(key, found, until_next_publication())
    return found


class PostDisplayMixin(SidebarMixin):
    """What a post page shows, shared by the permalink and the staff preview."""

    model = Post
    template_name = "blog/post_detail.html"
    context_object_name = "post"

    def get_queryset(self):
        return Post.objects.select_related("author__author_profile", "featured_image").prefetch_related(
            "categories", "tags"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        post = self.object
        request = self.request
        depend_on(request, "post", post.pk)
        context["body"] = body_for_readers(
            post.body_html, request=request, show_unknown=request.user.is_staff
        )
        context["author_display_name"] = author_name(post.author)
        context["share_links"] = share_links(post)
        context["is_preview"] = not post.is_published()
        context["canonical_url"] = request.build_absolute_uri(post.get_absolute_url())
        context.update(post_neighbours(post))
        return context


class PostDetailView(PostDisplayMixin, DetailView):
    def get_object(self, queryset=None):
        queryset = self.get_queryset().visible_to(self.request.user)
        return get_object_or_404(queryset, slug=self.kwargs["slug"])

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        canonical = self.object.get_absolute_url()
        if request.path != canonical:
            query = request.META.get("QUERY_STRING")
            return HttpResponsePermanentRedirect(f"{canonical}?{query}" if query else canonical)
        return self.render_to_response(self.get_context_data(object=self.object))


class PostPreviewView(PermissionRequiredMixin, PostDisplayMixin, DetailView):
    """A draft or scheduled post exactly as readers will see it, for editors."""

    def has_permission(self):
        return sees_unpublished(self.request.user, Post)

    def dispatch(self, request, *args, **kwargs):
        return never_cache(super().dispatch)(request, *args, **kwargs)


class PageView(DetailView):
    model = Page
    template_name = "blog/page.html"
    context_object_name = "page"

    def get_queryset(self):
        return Page.objects.visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        depend_on(self.request, "page", self.object.pk)  # e.g. its comments
        context = super().get_context_data(**kwargs)
        context["body"] = body_for_readers(
            self.object.body_html, request=self.request, show_unknown=self.request.user.is_staff
        )
        context["description"] = first_sentences(self.object.body_html, limit=300)
        return context


SHARE_TARGETS = {
    "facebook": ("Facebook", "https://www.facebook.com/sharer/sharer.php?u={url}"),
    "x": ("X", "https://x.com/intent/post?url={url}&text={title}"),
    "linkedin": ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?url={url}"),
    "xing": ("XING", "https://www.xing.com/spi/shares/new?url={url}"),
    "whatsapp": ("WhatsApp", "https://wa.me/?text={title}%20{url}"),
    "email": (None, "mailto:?subject={title}&body={url}"),
}


def share_links(post: Post) -> list[dict]:
    links = []
    for key, (label, _pattern) in SHARE_TARGETS.items():
        links.append(
            {
                "key": key,
                "label": label or _("E-mail"),
                "url": reverse("blog:share", kwargs={"pk": post.pk, "network": key}),
            }
        )
    return links


class ShareRedirect(HttpResponseRedirect):
    # The scheme check runs in __init__, so "mailto" must be allowed on the class.
    allowed_schemes = ["http", "https", "mailto"]


@require_GET
def share(request, pk: int, network: str):
    """Count a share made through our own link, then hand over to the network.

    No third-party script runs on our pages; one share per address and post a day counts.
    """
    post = get_object_or_404(Post.objects.published(), pk=pk)
    if network not in SHARE_TARGETS:
        raise Http404
    key = f"share:{post.pk}:{timezone.localdate():%Y%m%d}:{ip_hash(client_ip(request))[:32]}"
    if cache.add(key, 1, timeout=blog_settings.SHARE_COUNT_WINDOW):
        Post.objects.filter(pk=post.pk).update(share_count=F("share_count") + 1)
        invalidation.post_page_changed(post.pk)  # the count shows on the post page
    url = request.build_absolute_uri(post.get_absolute_url())
    target = SHARE_TARGETS[network][1].format(url=quote(url, safe=""), title=quote(post.title, safe=""))
    response = ShareRedirect(target)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /preview/",
        "Disallow: /share/",
        "Disallow: /i18n/",  # the language switch sets a cookie and goes back
        "Disallow: /search/?",  # result pages; the search form itself may be crawled
        f"Sitemap: {sitemap}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers a query, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


def month_archive_list() -> list[datetime.datetime]:
    """Months (local time) that have published posts, newest first (for the archive box).

    Grouped in SQL by the UTC month, which needs no time-zone function per row (SQLite would
    call one in Python for every post). A UTC month's posts fall into at most two local months
    (the offset is hours, not weeks), and its earliest and latest post name both.
    """
    if connection.vendor == "sqlite":
        month = Substr("published_at", 1, 7)  # stored as "YYYY-MM-DD HH:MM:SS" in UTC
    else:
        month = Trunc("published_at", "month", tzinfo=datetime.UTC)
    groups = (
        Post.objects.published()
        .order_by()
        .annotate(utc_month=month)
        .values("utc_month")
        .annotate(first=Min("published_at"), last=Max("published_at"))
        .values_list("first", "last")
    )
    zone = timezone.get_current_timezone()
    months = set()
    for first, last in groups:
        for moment in (first, last):
            local = timezone.localtime(moment, zone)
            months.add(datetime.datetime(local.year, local.month, 1, tzinfo=zone))
    return sorted(months, reverse=True)
