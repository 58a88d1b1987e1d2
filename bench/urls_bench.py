"""The site's URLs plus ``/__bench__/bare/``: a minimal view that returns a fixed page.

``bench/load.py`` compares the cached post page with it on the same server, same middleware.
"""

from django.http import HttpResponse
from django.urls import path

from config.urls import handler404, handler500  # noqa: F401 - the site's error pages
from config.urls import urlpatterns as site_urlpatterns

BARE_PAGE = (
    b'<!doctype html>\n<html lang="de"><head><meta charset="utf-8"><title>Bench</title></head>'
    b"<body><main><h1>Bench</h1><p>A fixed page from a minimal Django view.</p></main></body></html>\n"
)


def bare(request):
    return HttpResponse(BARE_PAGE, content_type="text/html; charset=utf-8")


urlpatterns = [path("__bench__/bare/", bare, name="bench_bare"), *site_urlpatterns]
