"""The site's URLs plus ``/__bench__/bare/``: a minimal view that returns a fixed page.

``bench/load.py`` compares the cached pages with it on the same server, same middleware:
``/__bench__/bare/`` is a page of 0.2 KiB, ``/__bench__/bare/<kib>/`` one of ``kib`` KiB (made
once per size), so a cached page can also be held against a bare view that sends as much.
"""

from django.http import HttpResponse
from django.urls import path

from config.urls import handler404, handler500  # noqa: F401 - the site's error pages
from config.urls import urlpatterns as site_urlpatterns

BARE_PAGE = (
    b'<!doctype html>\n<html lang="de"><head><meta charset="utf-8"><title>Bench</title></head>'
    b"<body><main><h1>Bench</h1><p>A fixed page from a minimal Django view.</p></main></body></html>\n"
)
_SIZED: dict[int, bytes] = {}
_FILLER = b"<p>Ein fester Absatz Text, wie ihn eine Seite dieser Gr\xc3\xb6\xc3\x9fe tr\xc3\xa4gt.</p>\n"


def bare(request):
    return HttpResponse(BARE_PAGE, content_type="text/html; charset=utf-8")


def bare_sized(request, kib: int):
    page = _SIZED.get(kib)
    if page is None:
        head, tail = BARE_PAGE.split(b"</main>")
        body = _FILLER * (max(0, min(kib, 4096) * 1024 - len(BARE_PAGE)) // len(_FILLER))
        page = _SIZED[kib] = head + body + b"</main>" + tail
    return HttpResponse(page, content_type="text/html; charset=utf-8")


urlpatterns = [
    path("__bench__/bare/", bare, name="bench_bare"),
    path("__bench__/bare/<int:kib>/", bare_sized, name="bench_bare_sized"),
    *site_urlpatterns,
]
