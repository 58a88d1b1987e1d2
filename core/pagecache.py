"""Whole-page cache for anonymous readers, made stale by content versions.

A page records what it shows while it renders (``depend_on(request, "post", 7)``, the poll
shortcode adds ``("poll", 3)``, …). The cached entry keeps the version of each dependency
as it was; a hit is served only while every one of them is unchanged, so an approval, an
edit or a vote shows at once in every process that shares the cache (``core.invalidation``
says what changed, ``core.versions`` keeps the counters).

Readers with a session (staff, the author of a pending comment, a flash message waiting)
always get a fresh page. What differs per reader on an otherwise shared page stays right:

* the CSRF token is swapped for the reader's own on every hit, and so is every other
  per-reader token an app registers with ``register_per_reader()`` (the captcha task, the
  comment form's start time): each reader of a cached page gets their own;
* cookies that change what a page shows (e.g. "voted in poll 3") are registered by the
  app that sets them with ``vary_on_cookie()`` and become part of the cache key.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import patch_cache_control

from core.versions import SITE, content_version, recover_lost_bumps, version_key

_vary_cookie_prefixes: set[str] = set()
_stale_at_providers: list[Callable] = []
_per_reader: dict[str, tuple[re.Pattern, Callable[[], str]]] = {}
_CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_CSRF_PLACEHOLDER = "@@csrf-token@@"
_CSRF_PLACEHOLDER_BYTES = _CSRF_PLACEHOLDER.encode()
_HEADERS_KEPT = ("Content-Type", "Content-Language", "Link", "X-Robots-Tag")


def vary_on_cookie(prefix: str) -> None:
    """Cookies whose name starts with ``prefix`` change the page: cache per value."""
    _vary_cookie_prefixes.add(prefix)


def register_stale_at(provider: Callable) -> None:
    """``provider()`` names the next moment cached pages go stale by time (e.g. a scheduled
    post going live), or None. Apps register it in ``ready()``; core imports no app."""
    _stale_at_providers.append(provider)


def register_per_reader(name: str, pattern: re.Pattern, fresh: Callable[[], str]) -> None:
    """Values matching ``pattern`` (bytes) in a cached page are personal: every hit gets a new
    one from ``fresh()``, the same value wherever the stored page repeated one."""
    _per_reader[name] = (pattern, fresh)


def depend_on(request, kind: str, pk) -> None:
    """Note that the page being rendered shows ``kind``/``pk``.

    The version is read now, before the view reads the data it stands for, so a change
    that lands while the page renders makes the stored copy stale rather than wrong.
    """
    deps = getattr(request, "_pagecache_deps", None)
    if deps is not None:
        key = version_key(kind, pk)
        if key not in deps:
            deps[key] = content_version(kind, pk)


def _enabled() -> bool:
    return getattr(settings, "PAGECACHE_SECONDS", 300) > 0


def is_cacheable(request) -> bool:
    if request.method not in ("GET", "HEAD") or not _enabled():
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _cache_key(request) -> str:
    vary = sorted(
        (name, value)
        for name, value in request.COOKIES.items()
        if any(name.startswith(prefix) for prefix in _vary_cookie_prefixes)
    )
    raw = "|".join(
        [
            request.get_host(),
            request.get_full_path(),
            getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
            repr(vary),
        ]
    )
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


# Which version keys each cached page depends on, remembered per process so a hit costs one
# cache round trip (entry and versions together). Only a hint: the versions themselves are
# always read from the shared cache.
_known_deps: dict[str, tuple[str, ...]] = {}
# Paths this process has seen served by a cached view: only those are looked up early, so
# other GETs (feeds, JSON, search) pay nothing for the page cache.
_cacheable_paths: set[str] = set()
_KNOWN_DEPS_MAX = 20_000


def _lookup(key: str):
    """The cached entry for ``key`` if it is still fresh, else None."""
    recover_lost_bumps()
    hinted = _known_deps.get(key, ())
    found = cache.get_many([key, *hinted])
    entry = found.get(key)
    if entry is None:
        return None
    if entry.get("stale_at") is not None and timezone.now() >= entry["stale_at"]:
        return None  # a scheduled post has gone live since
    if any(name not in _per_reader for _placeholder, name in entry.get("per_reader", ())):
        return None  # stored by another release of the code: render anew
    stored = entry["versions"]
    missing = [k for k in stored if k not in found]
    if missing:
        found.update(cache.get_many(missing))
        if len(_known_deps) >= _KNOWN_DEPS_MAX:
            _known_deps.clear()
        _known_deps[key] = tuple(stored)
    if all(found.get(k) == version for k, version in stored.items()):
        return entry
    return None


def _next_stale_at():
    moments = [moment for moment in (provider() for provider in _stale_at_providers) if moment is not None]
    return min(moments, default=None)


def _mark_per_reader(content: bytes) -> tuple[bytes, list[tuple[bytes, str]]]:
    """Swap each distinct per-reader value for a placeholder; remember which kind it was.

    Placeholders are random, so text a visitor typed can never be taken for one."""
    slots: list[tuple[bytes, str]] = []
    for name, (pattern, _fresh) in _per_reader.items():
        seen: dict[bytes, bytes] = {}
        for match in pattern.finditer(content):
            value = match.group(0)
            if value not in seen:
                seen[value] = f"@@{secrets.token_hex(12)}@@".encode()
                slots.append((seen[value], name))
        for value, placeholder in seen.items():
            content = content.replace(value, placeholder)
    return content, slots


def _personalize(request, content: bytes, slots) -> bytes:
    if _CSRF_PLACEHOLDER_BYTES in content:
        content = content.replace(_CSRF_PLACEHOLDER_BYTES, get_token(request).encode())
    for placeholder, name in slots:
        content = content.replace(placeholder, _per_reader[name][1]().encode())
    return content


def personal_fragment(request, key: str, render: Callable[[], str], *, timeout: int = 60 * 60) -> str:
    """HTML that is the same for every reader but for its tokens, rendered once and kept.

    ``key`` must change with everything the HTML shows (``core.invalidation.fragment_key``);
    the CSRF token and every registered per-reader value are the reader's own on every use.
    """
    entry = cache.get(key)
    if entry is None or any(name not in _per_reader for _p, name in entry["per_reader"]):
        html = render()
        content = _CSRF_INPUT.sub(rf"\g<1>{_CSRF_PLACEHOLDER}\g<2>", html).encode()
        content, slots = _mark_per_reader(content)
        entry = {"content": content, "per_reader": slots}
        cache.set(key, entry, timeout)
    return _personalize(request, entry["content"], entry["per_reader"]).decode()


def _serve(request, entry) -> HttpResponse:
    content = _personalize(request, entry["content"], entry.get("per_reader", ()))
    response = HttpResponse(content, status=200)
    for header, value in entry["headers"].items():
        response[header] = value
    response["X-Page-Cache"] = "hit"
    patch_cache_control(response, private=True)
    return response


def cache_for_anonymous(view):
    """Decorate a view function so anonymous readers get the shared, versioned copy."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_cacheable(request):
            return view(request, *args, **kwargs)
        if len(_cacheable_paths) >= _KNOWN_DEPS_MAX:
            _cacheable_paths.clear()
        _cacheable_paths.add(request.path)
        key = getattr(request, "_pagecache_key", None)
        if key is None:  # no PageCacheMiddleware in front: look up here
            key = _cache_key(request)
            entry = _lookup(key)
            if entry is not None:
                return _serve(request, entry)

        request._pagecache_deps = {}
        depend_on(request, *SITE)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if response.status_code != 200 or response.streaming or response.cookies:
            return response
        if request.session.modified:  # the view started a session: this page is personal
            return response
        content = response.content.decode(response.charset)
        content = _CSRF_INPUT.sub(rf"\g<1>{_CSRF_PLACEHOLDER}\g<2>", content).encode(response.charset)
        content, per_reader = _mark_per_reader(content)
        timeout = getattr(settings, "PAGECACHE_SECONDS", 300)
        next_due = _next_stale_at()
        if next_due is not None:
            timeout = max(1, min(timeout, int((next_due - timezone.now()).total_seconds()) + 1))
        entry = {
            "stale_at": next_due,
            "content": content,
            "per_reader": per_reader,
            "headers": {h: response[h] for h in _HEADERS_KEPT if response.has_header(h)},
            "versions": request._pagecache_deps,
        }
        cache.set(key, entry, timeout)
        response["X-Page-Cache"] = "miss"
        patch_cache_control(response, private=True)
        return response

    return wrapper


class PageCacheMiddleware:
    """Serve fresh cached pages before URL resolution and the inner middleware.

    Sits right after CsrfViewMiddleware (which sets the reader's CSRF cookie on the way out)
    and after LocaleMiddleware (the language is part of the key). Only paths a cached view
    has answered in this process are looked up here; a miss passes the key on to the
    ``cache_for_anonymous`` view, which renders and stores the page (and looks up itself
    for paths this process has not seen yet).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path in _cacheable_paths and is_cacheable(request):
            key = _cache_key(request)
            entry = _lookup(key)
            if entry is not None:
                return _serve(request, entry)
            request._pagecache_key = key
        return self.get_response(request)
