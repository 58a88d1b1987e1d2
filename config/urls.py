from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from blog import views as blog_views
from blog.sitemaps import sitemap_index, sitemap_section
from core import views as core_views
from core.pagecache import cache_for_anonymous
from core.ratelimit import limit_login_attempts

admin.site.site_header = _("Blogwerk administration")
admin.site.site_title = _("Blogwerk")
admin.site.index_title = _("Editing and moderation")
# The app list on every admin page squeezes the wide moderation queue; the index has it.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("admin/login/", limit_login_attempts(admin.site.login)),
    path("admin/", admin.site.urls),
    # The language switch on every page: a GET form, no CSRF token (core.views.language_switch).
    path("i18n/language/", core_views.language_switch, name="language_switch"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("captcha/", include("core.urls")),
    path("healthz", blog_views.healthz, name="healthz"),
    path("robots.txt", blog_views.robots_txt, name="robots_txt"),
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg"), permanent=True)),
    # A sitemap index and its parts, through the page cache: stale the moment a post changes,
    # like every other page.
    path("sitemap.xml", cache_for_anonymous(sitemap_index), name="sitemap"),
    path("sitemap-<slug:section>.xml", cache_for_anonymous(sitemap_section), name="sitemap_section"),
    path("polls/", include("polls.urls")),
    path("comments/", include("comments.urls")),
    # Last: the blog owns "/" and the catch-all static page slugs.
    path("", include("blog.urls")),
]

handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"

if settings.SERVE_MEDIA:
    from django.views.decorators.cache import cache_control
    from django.views.static import serve

    # Uploads never change under their name (storage adds a suffix to a new file of the same
    # name), so browsers may keep them: a week, as Lighthouse's cache audit asks for.
    media = cache_control(public=True, max_age=7 * 24 * 60 * 60)(serve)
    urlpatterns.insert(
        0, re_path(r"^media/(?P<path>.*)$", media, {"document_root": settings.MEDIA_ROOT}, name="media")
    )
