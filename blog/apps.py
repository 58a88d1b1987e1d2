from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = _("Blog")

    def ready(self):
        from blog import checks, signals  # noqa: F401 - registers checks and cache invalidation hooks
        from blog.models import next_scheduled_publication
        from core.pagecache import register_stale_at

        # Cached pages go stale when a scheduled post goes live.
        register_stale_at(next_scheduled_publication)
