"""Old WordPress addresses answer with one permanent redirect to where the content lives now.

Query-string addresses (``?p=``, ``?page_id=``, ``?attachment_id=``, ``?cat=``, ``?tag=``,
``?author=``, ``?feed=``, ``?s=``, ``?m=``, ``?paged=``) are looked up on the home address
before any view runs; an id nobody knows is a 404, never the home page. Old paths (permalinks,
attachment pages, feeds, nested categories, day archives, ``/page/2/``) are looked up only
when the site has nothing else there (a 404), like Django's redirects fallback middleware.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import NoReverseMatch, reverse

from blog.models import Category, Tag
from wpimport.models import LegacyItem, LegacyTerm

_ROOT_PATHS = {"/", "/index.php"}
# Our own views that page with ``?p=`` (Django's sitemap convention): not an old post id there.
_OWN_P_PATHS = re.compile(r"^/sitemap(?:-[-\w]+)?\.xml$")
_ITEM_PARAMS = ("p", "page_id", "attachment_id")
_FEEDS = {
    "rss2": "blog:feed", "rss": "blog:feed", "rdf": "blog:feed", "": "blog:feed",
    "atom": "blog:feed_atom", "comments-rss2": "comments:feed", "comments-atom": "comments:feed",
}  # fmt: skip

OLD_PATH_MAX_LENGTH = LegacyItem._meta.get_field("old_path").max_length


def _digits(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 19 else None


def _item_url(legacy: LegacyItem, *, feed: bool = False) -> str | None:
    """The address of an imported post, page or attachment (its post, else its image)."""
    if legacy.kind == LegacyItem.Kind.ATTACHMENT:
        parent = (
            LegacyItem.objects.redirectable()
            .filter(site=legacy.site, wp_id=legacy.parent_wp_id)
            .exclude(kind=LegacyItem.Kind.ATTACHMENT)
            .first()
            if legacy.parent_wp_id
            else None
        )
        if parent is not None and (url := _item_url(parent)):
            return url
        return legacy.image.fallback_url if legacy.image is not None else None
    if legacy.post is not None and legacy.post.is_published():
        if feed:
            return reverse("comments:post_feed", kwargs={"post_id": legacy.post.pk})
        return legacy.post.get_absolute_url()
    if legacy.page is not None and legacy.page.is_published:
        return legacy.page.get_absolute_url()
    return None


def _first_url(items, *, feed: bool = False) -> str | None:
    for legacy in items:
        if url := _item_url(legacy, feed=feed):
            return url
    return None


def _term_url(
    taxonomy: str, *, wp_id: int | None = None, old_slug: str = "", feed: bool = False
) -> str | None:
    terms = LegacyTerm.objects.filter(taxonomy=taxonomy)
    terms = terms.filter(wp_id=wp_id) if wp_id is not None else terms.filter(old_slug=old_slug)
    term = terms.order_by("-pk").first()
    if term is None:
        return None
    if taxonomy == LegacyTerm.Taxonomy.CATEGORY:
        name = "blog:category_feed" if feed else "blog:category"
        return reverse(name, kwargs={"slug": term.target})
    if taxonomy == LegacyTerm.Taxonomy.TAG:
        return reverse("blog:tag", kwargs={"slug": term.target})
    try:
        return reverse("blog:author", kwargs={"username": term.target})
    except NoReverseMatch:
        return None


def legacy_redirect_url(request) -> str | None:
    """Where an old query-string address now lives; ``Http404`` for an id nobody knows."""
    query = request.GET
    at_root = request.path in _ROOT_PATHS
    feed = query.get("feed")
    for param in _ITEM_PARAMS:
        if param == "p" and _OWN_P_PATHS.match(request.path):
            continue
        if param in query:
            wp_id = _digits(query[param])
            url = None
            if wp_id is not None:
                url = _first_url(LegacyItem.objects.redirectable().filter(wp_id=wp_id)[:5], feed=bool(feed))
            if url is None and at_root:
                raise Http404("no imported item with this id")
            return url
    if not at_root:
        return None
    if "cat" in query or "category_name" in query:
        wp_id = _digits(query.get("cat", ""))
        url = _term_url(LegacyTerm.Taxonomy.CATEGORY, wp_id=wp_id, feed=bool(feed)) if wp_id else None
        if url is None and (slug := query.get("category_name", "").strip("/").rpartition("/")[2]):
            url = _existing("blog:category", Category, slug, feed=bool(feed))
        if url is None:
            raise Http404("no such category")
        return url
    if "tag" in query:
        url = _existing("blog:tag", Tag, query["tag"].split(",")[0].split("+")[0])
        if url is None:
            raise Http404("no such tag")
        return url
    if "author" in query or "author_name" in query:
        wp_id = _digits(query.get("author", ""))
        url = _term_url(LegacyTerm.Taxonomy.AUTHOR, wp_id=wp_id) if wp_id else None
        if url is None and query.get("author_name"):
            url = _term_url(LegacyTerm.Taxonomy.AUTHOR, old_slug=query["author_name"])
        if url is None:
            raise Http404("no such author")
        return url
    if feed is not None:
        return reverse(_FEEDS.get(feed, "blog:feed"))
    if "s" in query:
        return f"{reverse('blog:search')}?{urlencode({'q': query['s']})}"
    if (month := query.get("m", "")) and re.fullmatch(r"\d{4}(\d{2})?(\d{2})?", month):
        if len(month) == 4:
            return reverse("blog:archive_year", kwargs={"year": int(month)})
        return reverse("blog:archive_month", kwargs={"year": int(month[:4]), "month": month[4:6]})
    if (page := _digits(query.get("paged", ""))) is not None:
        return f"{reverse('blog:home')}?page={page}" if page > 1 else reverse("blog:home")
    return None


def _existing(name: str, model, slug: str, *, feed: bool = False) -> str | None:
    if not slug or not model.objects.filter(slug=slug).exists():
        return None
    if feed and name == "blog:category":
        name = "blog:category_feed"
    return reverse(name, kwargs={"slug": slug})


# What WordPress hangs off a permalink: its feeds, trackback, pages of a split post or thread.
_SUFFIX = re.compile(
    r"^(?P<base>.*?/)(?:(?P<feed>feed(?:/(?:rss2|rss|rdf|atom))?)|trackback|amp|embed|\d{1,4}|comment-page-\d+)/?$"
)
_FEED_PATH = re.compile(r"^/(?:feed/(?:rss2|rss|rdf)|rss2?|rdf|feed/rss2)/?$")
_COMMENTS_FEED = re.compile(r"^/comments/feed/(?:rss2|rss|rdf|atom)/?$")
_PAGED = re.compile(r"^(?P<base>/.*?)page/(?P<n>\d{1,6})/?$")
_DAY = re.compile(r"^/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/?$")
_TAXONOMY_PATH = re.compile(
    r"^/(?P<kind>category|tag|author)/(?P<slugs>[^?#]+?)/?(?P<feed>feed(?:/[a-z0-9]+)?/?)?$"
)


def _path_items(path: str):
    candidates = {path, path.rstrip("/") if path.endswith("/") else f"{path}/"}
    candidates.discard("")
    return LegacyItem.objects.redirectable().filter(old_path__in=candidates)[:5]


def legacy_path_redirect_url(path: str) -> str | None:
    """Where an old WordPress path (that our site does not answer) now lives, or ``None``."""
    # No imported address is longer than the column or holds a NUL (which PostgreSQL
    # refuses in a query): such a path cannot be an old link, so it costs no query.
    if "\x00" in path or len(path) > OLD_PATH_MAX_LENGTH:
        return None
    if _FEED_PATH.match(path):
        return reverse("blog:feed")
    if _COMMENTS_FEED.match(path):
        return reverse("comments:feed")
    if url := _first_url(_path_items(path)):
        return url
    if match := _PAGED.match(path):
        base = match.group("base")
        page = int(match.group("n"))
        target = base if base == "/" else (legacy_path_redirect_url(base) or base)
        return f"{target}?page={page}" if page > 1 else target
    if match := _DAY.match(path):
        return reverse(
            "blog:archive_month", kwargs={"year": int(match.group("y")), "month": match.group("m")}
        )
    if match := _TAXONOMY_PATH.match(path):
        kind, slugs, feed = match.group("kind"), match.group("slugs").split("/"), bool(match.group("feed"))
        slug = slugs[-1]
        if kind == "category":
            return _existing("blog:category", Category, slug, feed=feed) or _term_url(
                LegacyTerm.Taxonomy.CATEGORY, old_slug=slug, feed=feed
            )
        if kind == "tag":
            return _existing("blog:tag", Tag, slug) or _term_url(LegacyTerm.Taxonomy.TAG, old_slug=slug)
        url = _term_url(LegacyTerm.Taxonomy.AUTHOR, old_slug=slug)
        if url is None and feed and get_user_model().objects.filter(username=slug).exists():
            url = reverse("blog:author", kwargs={"username": slug})
        return url
    if match := _SUFFIX.match(path):
        return _first_url(_path_items(match.group("base")), feed=bool(match.group("feed")))
    return None


def _in_admin(path: str) -> bool:
    return path.startswith(reverse("admin:index"))


class LegacyRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The admin's change lists page with ``?p=N``: that is not a WordPress post id.
        if request.method in ("GET", "HEAD") and request.GET and not _in_admin(request.path):
            url = legacy_redirect_url(request)
            if url and url != request.get_full_path():
                return HttpResponsePermanentRedirect(url)
        response = self.get_response(request)
        if response.status_code == 404 and request.method in ("GET", "HEAD"):
            url = legacy_path_redirect_url(request.path)
            if url and url != request.path:
                return HttpResponsePermanentRedirect(url)
        return response
