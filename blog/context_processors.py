from django.conf import settings
from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

FOOTER_CACHE_KEY = "blog:footer-pages:v1"


def footer_pages():
    """Published footer pages, cached until a page is saved or deleted."""
    from blog.models import Page

    pages = cache.get(FOOTER_CACHE_KEY)
    if pages is None:
        pages = [
            {"title": p.title, "url": p.get_absolute_url()}
            for p in Page.objects.published().filter(show_in_footer=True)
        ]
        cache.set(FOOTER_CACHE_KEY, pages, 60 * 60)
    return pages


def site(request):
    """Site name and footer links for every template; the footer costs no query when cached."""
    return {
        "site_name": settings.SITE_NAME,
        "footer_pages": SimpleLazyObject(footer_pages),
    }
