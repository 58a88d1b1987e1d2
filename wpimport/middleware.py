"""Old WordPress addresses answer with a permanent redirect to the imported post or page.

``?p=<id>`` and ``?page_id=<id>`` are looked up on any request; an old permalink path only
when the site has nothing else there (a 404), like Django's redirects fallback middleware.
"""

from __future__ import annotations

from django.http import HttpResponsePermanentRedirect

from wpimport.models import LegacyItem

OLD_PATH_MAX_LENGTH = LegacyItem._meta.get_field("old_path").max_length


def _target_url(items) -> str | None:
    for legacy in items:
        target = legacy.target
        if legacy.post is not None and legacy.post.is_published():
            return target.get_absolute_url()
        if legacy.page is not None and legacy.page.is_published:
            return target.get_absolute_url()
    return None


def legacy_redirect_url(request) -> str | None:
    """Where an old WordPress address now lives, or ``None``."""
    for param in ("p", "page_id"):
        value = request.GET.get(param, "")
        if value.isdigit() and len(value) < 19:
            return _target_url(LegacyItem.objects.redirectable().filter(wp_id=int(value))[:5])
    return None


def legacy_path_redirect_url(path: str) -> str | None:
    # No imported address is longer than the column or holds a NUL (which PostgreSQL
    # refuses in a query): such a path cannot be an old link, so it costs no query.
    if "\x00" in path or len(path) > OLD_PATH_MAX_LENGTH:
        return None
    candidates = {path, path.rstrip("/") if path.endswith("/") else f"{path}/"}
    candidates.discard("")
    return _target_url(LegacyItem.objects.redirectable().filter(old_path__in=candidates)[:5])


class LegacyRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and ("p" in request.GET or "page_id" in request.GET):
            url = legacy_redirect_url(request)
            if url and url != request.path:
                return HttpResponsePermanentRedirect(url)
        response = self.get_response(request)
        if response.status_code == 404 and request.method in ("GET", "HEAD"):
            url = legacy_path_redirect_url(request.path)
            if url and url != request.path:
                return HttpResponsePermanentRedirect(url)
        return response
