from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = _("Comments")

    def ready(self):
        from comments import signals  # noqa: F401 - cache invalidation only
        from comments.forms import STARTED_PATTERN, started_token
        from core.pagecache import register_per_reader

        # The form's start time on a cached page is the reader's own, not the page's.
        register_per_reader("comment-started", STARTED_PATTERN, started_token)
