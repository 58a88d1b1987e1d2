from django.conf import settings
from django.core.cache import cache
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html
from django.utils.translation import get_language

from blog.conf import blog_settings
from core import invalidation


def footer_pages():
    """Published footer pages, cached until the site changes."""
    from blog.models import Page

    key = invalidation.fragment_key("blog-footer", site=True)
    pages = cache.get(key)
    if pages is None:
        pages = [
            {"title": p.title, "url": p.get_absolute_url()}
            for p in Page.objects.published().filter(show_in_footer=True)
        ]
        cache.set(key, pages, 60 * 60)
    return pages


def content_lang_attr() -> str:
    """`` lang="de"`` for elements holding content when the interface speaks another language."""
    content = blog_settings.CONTENT_LANGUAGE
    interface = (get_language() or content).split("-")[0]
    return format_html(' lang="{}"', content) if interface != content.split("-")[0] else ""


def site(request):
    """Site name and footer links for every template; the footer costs no query when cached."""
    return {
        "site_name": settings.SITE_NAME,
        "footer_pages": SimpleLazyObject(footer_pages),
        "content_lang_attr": content_lang_attr(),
    }
